import { EcpayError } from './ecpay.error.js';

/**
 * Thrown before anything is signed or sent when the parameters contradict the merchant chosen for the call: a
 * MerchantID other than that merchant's, or a platform member's request without (or with another) PlatformID.
 *
 * @publicApi
 */
export class EcpayMerchantMismatchError extends EcpayError {
  readonly code = 'ECPAY_MERCHANT_MISMATCH';
}
