import { EcpayError } from './ecpay.error.js';

/**
 * The HTTP exchange with ECPay failed: connection refused or reset, DNS, TLS, an unexpected HTTP status or a
 * redirect. `mayHaveReachedEcpay` says whether ECPay could have seen (and acted on) the request: false only when
 * the connection was never made (refused, unknown host, TLS handshake rejected), so resending is safe; true
 * otherwise, and then — as after a timeout — query the trade before doing anything else.
 *
 * @publicApi
 */
export class EcpayTransportError extends EcpayError {
  readonly code = 'ECPAY_TRANSPORT_FAILED';

  constructor(
    readonly api: string,
    readonly mayHaveReachedEcpay: boolean,
    /** The system error code (`ECONNREFUSED`, `ECONNRESET`, `UND_ERR_SOCKET`, …) or `http-<status>`. */
    readonly reason: string,
    /** The HTTP status, when ECPay answered with an unexpected one. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(
      `ECPay ${api} failed in transport (${reason}). ` +
        (mayHaveReachedEcpay
          ? 'The request may have reached ECPay: query the trade before retrying.'
          : 'The request did not reach ECPay; it is safe to try again.'),
      options,
    );
  }
}
