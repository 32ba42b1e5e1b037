/**
 * Where the library reads "now" from: MerchantTradeDate, the JSON envelope's RqHeader.Timestamp, query
 * TimeStamps. Injectable so tests (and the sandbox) can move time; read on every call, never cached — a cached
 * `new Date()` is how the official Node SDK came to send stale TimeStamps (ECPay error 10200084).
 *
 * @publicApi
 */
export interface EcpayClock {
  now(): Date;
}

/** The real clock. @publicApi */
export const systemClock: EcpayClock = { now: () => new Date() };

export { ECPAY_CLOCK } from '../tokens/ecpay.tokens.js';

export { InjectEcpayClock } from '../tokens/ecpay.tokens.js';
