import { EcpayError } from './ecpay.error.js';

/**
 * ECPay answered HTTP 403 ("calling too fast", docs/protocol.md §8.1) to this merchant, so calls for it are refused
 * without touching the network until `until` — ECPay asks for 30 minutes of silence, and every call before then
 * would only extend the ban. The breaker is shared by every app instance through the rate-limit store.
 *
 * @publicApi
 */
export class EcpayRateLimitedError extends EcpayError {
  readonly code = 'ECPAY_RATE_LIMITED';

  constructor(
    readonly api: string,
    readonly merchantId: string,
    /** When calls for this merchant may be made again. */
    readonly until: Date,
  ) {
    super(
      `ECPay rate-limited merchant ${merchantId} (HTTP 403); ${api} and every other call for it are paused until ${until.toISOString()}.`,
    );
  }
}
