import { EcpayError } from './ecpay.error.js';

/** Why an ECPay response was not trusted. @publicApi */
export type EcpayResponseVerificationFailure =
  /** The body is not what the API answers: not `k=v&…`, not JSON, HTML, empty, a field of the wrong form. */
  | 'malformed'
  /** The API signs its answers but this one had no CheckMacValue. */
  | 'missing-check-mac'
  /** The CheckMacValue does not match the fields: altered, or signed with other keys. */
  | 'bad-check-mac'
  /** The AES envelope could not be opened (bad base64/padding/JSON, unknown or other MerchantID). */
  | 'bad-envelope'
  /** Verified, but about another merchant or trade than the one asked for. */
  | 'mismatch';

const MESSAGES: Record<EcpayResponseVerificationFailure, string> = {
  malformed: 'the response is malformed',
  'missing-check-mac': 'the response carries no CheckMacValue',
  'bad-check-mac': 'the response CheckMacValue does not verify',
  'bad-envelope': 'the response envelope could not be opened',
  mismatch: 'the response is about another merchant or trade than the request',
};

/**
 * An ECPay response failed verification and was discarded: nothing in it is trusted. The request did reach ECPay,
 * so its outcome is unknown — query the trade. The message names the API, the failed check and at most a field
 * name; never the body, the keys or a value.
 *
 * @publicApi
 */
export class EcpayResponseVerificationError extends EcpayError {
  readonly code = 'ECPAY_RESPONSE_UNVERIFIED';

  constructor(
    readonly api: string,
    readonly reason: EcpayResponseVerificationFailure,
    detail?: string,
    options?: { cause?: unknown },
  ) {
    super(
      `ECPay ${api}: ${MESSAGES[reason]}${detail ? ` (${detail})` : ''}; it was discarded. Query the trade to learn the outcome.`,
      options,
    );
  }
}
