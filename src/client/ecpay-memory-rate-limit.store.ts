import type { EcpayRateLimitStore } from '../config/ecpay-rate-limit-store.interface.js';

/**
 * The breaker's state in this process only: the default without persistence. Behind a load balancer the other
 * instances would keep calling a banned merchant (and extend the ban); use the TypeORM or Redis store there.
 *
 * @publicApi
 */
export class EcpayMemoryRateLimitStore implements EcpayRateLimitStore {
  private readonly until = new Map<string, Date>();

  async blockedUntil(merchantId: string): Promise<Date | undefined> {
    return this.until.get(merchantId);
  }

  async block(merchantId: string, until: Date): Promise<void> {
    const current = this.until.get(merchantId);
    // Never shorten a window: a late 403 answer of an older call must not cut a newer ban short.
    if (!current || current.getTime() < until.getTime()) this.until.set(merchantId, until);
  }

  async clear(merchantId: string): Promise<void> {
    this.until.delete(merchantId);
  }
}
