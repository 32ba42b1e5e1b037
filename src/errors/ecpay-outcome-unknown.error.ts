import { EcpayError } from './ecpay.error.js';

/**
 * A JSON/AES call failed in a way that leaves unknown whether ECPay acted on it (a transport failure after the
 * request may have been written, or an answer that could not be verified). BackAuth reads the `outcomeUnknown`
 * marker and queries the trade instead of resending: a second charge would be real.
 *
 * Internal: apps test the marker with `isOutcomeUnknown`, which also covers their own transports' errors.
 */
export class EcpayOutcomeUnknownError extends EcpayError {
  readonly code = 'ECPAY_OUTCOME_UNKNOWN';
  readonly outcomeUnknown = true as const;
}
