import { EcpayError } from './ecpay.error.js';

/**
 * Thrown when a date cannot be formatted for ECPay (an invalid `Date`) or a text is not an ECPay date.
 *
 * @publicApi
 */
export class EcpayInvalidDateError extends EcpayError {
  readonly code = 'ECPAY_INVALID_DATE';
}
