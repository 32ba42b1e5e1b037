/**
 * Where the 403 circuit breaker (docs/protocol.md §8.1) keeps its state. ECPay's ban is per merchant account, not per
 * process, so every app instance must see a breaker another one opened: use the TypeORM store (the module's default
 * with persistence) or the Redis store; the in-memory store is only right for a single instance.
 *
 * Implementations store an instant, never compare with their own clock: the client compares with the module's
 * {@link EcpayClock}, so tests can move time and instances agree on one notion of "now".
 *
 * @publicApi
 */
export interface EcpayRateLimitStore {
  /** Until when calls for `merchantId` are paused, or `undefined` when the breaker was never opened for it. */
  blockedUntil(merchantId: string): Promise<Date | undefined>;
  /** Opens the breaker for `merchantId` until `until`; `api` is the call that met the 403 (kept for diagnosis). */
  block(merchantId: string, until: Date, api: string, now: Date): Promise<void>;
  /** Closes the breaker for `merchantId` at once (an operator's decision; ECPay asks for the full wait). */
  clear(merchantId: string): Promise<void>;
}

export { ECPAY_RATE_LIMIT_STORE } from '../tokens/ecpay.tokens.js';

/**
 * How long a 403 pauses a merchant's calls unless `rateLimit.windowMs` says otherwise: ECPay's 30 minutes.
 *
 * @publicApi
 */
export const ECPAY_RATE_LIMIT_WINDOW_MS = 30 * 60 * 1000;

/**
 * The few commands the Redis store uses, as ioredis 5 (and compatible clients) spell them. The app passes its own
 * connected client; this library has no Redis dependency.
 *
 * @publicApi
 */
export interface EcpayRedisClient {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, expiryMode: 'PX', milliseconds: number): Promise<unknown>;
  del(key: string): Promise<number>;
}
