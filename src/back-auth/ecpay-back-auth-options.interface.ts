import { ECPAY_BACK_AUTH_TIMEOUT_MS } from '../client/ecpay-client.interface.js';

/**
 * How long BackAuth waits by default: ECPay asks for at least 30 s (docs/protocol.md §7.6), because ECPay waits on the
 * bank.
 */
export const BACK_AUTH_TIMEOUT_MS = ECPAY_BACK_AUTH_TIMEOUT_MS;

/** How long the QueryTrade that follows a lost BackAuth answer waits by default. @publicApi */
export const BACK_AUTH_QUERY_TIMEOUT_MS = 10_000;

/**
 * Options of `EcpayBackAuthService`.
 *
 * @publicApi
 */
export interface EcpayBackAuthOptions {
  /** The MerchantID that goes into Data (the transport picks the keys by it). */
  readonly merchantId: string;
  /**
   * BackAuth timeout in ms; default {@link BACK_AUTH_TIMEOUT_MS}. Below 30 s, bank delays turn into needless unknown
   * outcomes.
   */
  readonly timeoutMs?: number;
  /** QueryTrade timeout in ms; default {@link BACK_AUTH_QUERY_TIMEOUT_MS}. */
  readonly queryTimeoutMs?: number;
}

/** Per-call options of `EcpayBackAuthService.backAuth()`. @publicApi */
export interface EcpayBackAuthCallOptions {
  /** Overrides {@link EcpayBackAuthOptions.timeoutMs} for this call. */
  readonly timeoutMs?: number;
}

export { ECPAY_BACK_AUTH_OPTIONS } from '../tokens/ecpay.tokens.js';
