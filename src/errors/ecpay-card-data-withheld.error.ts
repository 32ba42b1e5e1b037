import { EcpayError } from './ecpay.error.js';

/**
 * The transport rejected a BackAuth with an error whose message, stack or fields mention card data (the number, or
 * a card field of the request). It is replaced by this one so the card cannot travel on into logs and error
 * trackers; the original is dropped, not attached as `cause`. The transport said the outcome was known (it did not
 * mark the error `outcomeUnknown`), so nothing was charged — but fix the transport: it must never echo its request.
 *
 * @publicApi
 */
export class EcpayCardDataWithheldError extends EcpayError {
  readonly code = 'ECPAY_CARD_DATA_WITHHELD';

  constructor(
    readonly api: string,
    /** The class name of the withheld error (names carry no data). */
    readonly originalName: string,
  ) {
    super(
      `ECPay ${api} failed in the transport with a ${originalName} whose details mention card data; they were withheld.`,
    );
  }
}
