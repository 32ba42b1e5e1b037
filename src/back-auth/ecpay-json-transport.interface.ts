/**
 * The one thing `EcpayBackAuthService` needs from an HTTP client: POST a plaintext Data object to one of ECPay's
 * JSON/AES APIs and get the decrypted Data back. Kept this small so the service can be tested against any stand-in
 * and adapted to whichever client the module wires.
 */

/** The JSON/AES APIs BackAuth uses (paths in `ECPAY_PATHS`, ecpayment host). @publicApi */
export type EcpayJsonApi = 'backAuth' | 'queryTrade';

/** Per-request options of {@link EcpayJsonTransport.post}. @publicApi */
export interface EcpayJsonTransportOptions {
  /** Give up after this many milliseconds and reject with an {@link EcpayOutcomeUnknown} error. */
  readonly timeoutMs: number;
}

/**
 * Contract of an implementation:
 *
 * - Wrap `data` in the AES envelope (`{ MerchantID, RqHeader: { Timestamp }, Data }`, docs/protocol.md §3.2) with the
 *   keys of `data.MerchantID`, POST it, open the answer.
 * - Resolve with the decrypted Data object WHATEVER its RtnCode: a declined card (RtnCode ≠ 1) is an answer, not a
 *   failure. (A client that throws on RtnCode ≠ 1 still works: an error carrying a numeric `rtnCode` and no
 *   `transCode` is read as that answer.)
 * - Reject with an error whose `outcomeUnknown === true` (see {@link EcpayOutcomeUnknown}) when the request may have
 *   reached ECPay but no usable answer came back: timeout, connection refused or reset, unexpected HTTP status, an
 *   answer that cannot be opened. The service then learns the outcome with `queryTrade`; it never resends.
 * - Reject with any other error when the outcome is known to be "nothing happened", e.g. TransCode ≠ 1 (ECPay
 *   could not read the envelope). Such errors are passed on to the caller.
 * - Never log or echo `data`: it holds the card number, expiry and CVV.
 *
 * @publicApi
 */
export interface EcpayJsonTransport {
  post(api: EcpayJsonApi, data: object, options: EcpayJsonTransportOptions): Promise<object>;
}

/** The marker of a transport failure after which the outcome of the request is unknown. @publicApi */
export interface EcpayOutcomeUnknown {
  readonly outcomeUnknown: true;
}

/** Whether a transport rejection leaves the outcome unknown (so the trade must be queried). @publicApi */
export function isOutcomeUnknown(error: unknown): error is EcpayOutcomeUnknown {
  return typeof error === 'object' && error !== null && (error as { outcomeUnknown?: unknown }).outcomeUnknown === true;
}

export { ECPAY_JSON_TRANSPORT } from '../tokens/ecpay.tokens.js';
