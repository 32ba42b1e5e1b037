import { EcpayError } from './ecpay.error.js';

/** Why an ECPay AES payload or envelope could not be opened. */
export type EcpayDecryptionFailure =
  | 'invalid-base64'
  | 'invalid-length'
  | 'bad-padding'
  | 'authentication-failed'
  | 'invalid-utf8'
  | 'invalid-json'
  | 'malformed-envelope'
  | 'unknown-merchant'
  | 'merchant-mismatch';

const MESSAGES: Record<EcpayDecryptionFailure, string> = {
  'invalid-base64': 'Data is not valid base64',
  'invalid-length': 'Data is not a whole number of AES blocks',
  'bad-padding': 'Data did not decrypt with this HashKey/HashIV (bad PKCS7 padding: wrong keys or altered data)',
  'authentication-failed': 'Data failed AES-GCM authentication (wrong HashKey or altered data)',
  'invalid-utf8': 'decrypted Data is not valid UTF-8',
  'invalid-json': 'decrypted Data is not valid JSON',
  'malformed-envelope': 'the envelope is not an ECPay JSON envelope',
  'unknown-merchant': 'the envelope names a MerchantID that is not configured',
  'merchant-mismatch': 'the envelope MerchantID is not the expected merchant',
};

/**
 * Thrown when an AES `Data` field or a JSON envelope cannot be opened. The message says which step failed and
 * never includes the plaintext or the keys.
 *
 * @publicApi
 */
export class EcpayDecryptionError extends EcpayError {
  readonly code = 'ECPAY_DECRYPTION_FAILED';

  constructor(
    readonly reason: EcpayDecryptionFailure,
    detail?: string,
    options?: { cause?: unknown },
  ) {
    super(`ECPay decryption failed: ${MESSAGES[reason]}${detail ? ` (${detail})` : ''}.`, options);
  }
}
