import type { EcpayRateLimitStore } from '../config/ecpay-rate-limit-store.interface.js';
import type { EcpayRedisClient } from '../config/ecpay-rate-limit-store.interface.js';
export type { EcpayRedisClient } from '../config/ecpay-rate-limit-store.interface.js';

/** Options of {@link EcpayRedisRateLimitStore}. @publicApi */
export interface EcpayRedisRateLimitStoreOptions {
  /** Prefix of the keys, one per merchant. Default `ecpay:rate-limit:`. */
  keyPrefix?: string;
}

/** The default key prefix of {@link EcpayRedisRateLimitStore}. @publicApi */
export const ECPAY_REDIS_RATE_LIMIT_PREFIX = 'ecpay:rate-limit:';

/**
 * The breaker's state in Redis, shared by every instance that uses the same Redis and prefix. One key per merchant
 * holding the end of the window in epoch milliseconds; it expires with the window, so nothing accumulates.
 *
 * @publicApi
 */
export class EcpayRedisRateLimitStore implements EcpayRateLimitStore {
  private readonly prefix: string;

  constructor(
    private readonly redis: EcpayRedisClient,
    options: EcpayRedisRateLimitStoreOptions = {},
  ) {
    this.prefix = options.keyPrefix ?? ECPAY_REDIS_RATE_LIMIT_PREFIX;
  }

  async blockedUntil(merchantId: string): Promise<Date | undefined> {
    const value = await this.redis.get(this.prefix + merchantId);
    const until = value === null ? Number.NaN : Number(value);
    return Number.isSafeInteger(until) ? new Date(until) : undefined;
  }

  async block(merchantId: string, until: Date, _api: string, now: Date): Promise<void> {
    // The value, not Redis' TTL, is what the client compares with its clock; the TTL (at least the window, measured
    // from the module clock) only keeps the key from outliving its use.
    const ttl = Math.max(1000, until.getTime() - now.getTime());
    await this.redis.set(this.prefix + merchantId, String(until.getTime()), 'PX', ttl);
  }

  async clear(merchantId: string): Promise<void> {
    await this.redis.del(this.prefix + merchantId);
  }
}
