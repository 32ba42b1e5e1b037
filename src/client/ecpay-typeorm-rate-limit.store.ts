import { Inject, Injectable } from '@nestjs/common';
import type { Repository } from 'typeorm';
import { ECPAY_RATE_LIMIT_REPOSITORY } from '../config/ecpay.constants.js';
import { EcpayRateLimit } from '../persistence/ecpay-rate-limit.entity.js';
import { exclusiveWrite } from '../persistence/exclusive-write.js';
import type { EcpayRateLimitStore } from '../config/ecpay-rate-limit-store.interface.js';

/**
 * The breaker's state in the app's database (table `ecpay_rate_limit`, created by `ECPAY_MIGRATIONS`): every
 * instance on the database sees a breaker any of them opened. The module's default when persistence is on.
 *
 * @publicApi
 */
@Injectable()
export class EcpayTypeOrmRateLimitStore implements EcpayRateLimitStore {
  constructor(@Inject(ECPAY_RATE_LIMIT_REPOSITORY) private readonly limits: Repository<EcpayRateLimit>) {}

  async blockedUntil(merchantId: string): Promise<Date | undefined> {
    const row = await this.limits.findOneBy({ merchantId });
    return row?.blockedUntil ?? undefined;
  }

  async block(merchantId: string, until: Date, api: string, now: Date): Promise<void> {
    await exclusiveWrite(this.limits.manager.connection, async () => {
      // One statement (ON CONFLICT / ON DUPLICATE KEY), so two instances meeting a 403 at once cannot collide.
      // The later write wins; both windows end about 30 minutes from now, which is all that matters.
      await this.limits.upsert({ merchantId, blockedUntil: until, openedAt: now, api: api.slice(0, 40) }, [
        'merchantId',
      ]);
    });
  }

  async clear(merchantId: string): Promise<void> {
    await exclusiveWrite(this.limits.manager.connection, () => this.limits.delete({ merchantId }));
  }
}
