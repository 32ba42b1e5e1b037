import { EcpayError } from './ecpay.error.js';

/**
 * No answer from ECPay within the call's timeout. The request may well have been processed — a capture made, a
 * refund issued — so the outcome is UNKNOWN: find it out with a query (QueryTradeInfo, QueryTrade, …), never by
 * sending the request again (docs/protocol.md §8.2, "query, never resend"). The client never resends on its own.
 *
 * @publicApi
 */
export class EcpayTimeoutError extends EcpayError {
  readonly code = 'ECPAY_TIMEOUT';
  /** Always true: the request left this process and may have been acted on. */
  readonly outcomeUnknown = true;

  constructor(
    readonly api: string,
    readonly timeoutMs: number,
    readonly merchantId?: string,
    readonly merchantTradeNo?: string,
  ) {
    super(
      `ECPay ${api} did not answer within ${timeoutMs} ms. The outcome is unknown: query the trade to learn it; do not resend the request.`,
    );
  }
}
