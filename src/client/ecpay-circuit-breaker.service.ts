import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectEcpayOptions } from '../config/ecpay-options.decorator.js';
import type { ResolvedEcpayOptions } from '../config/resolved-ecpay-options.interface.js';
import { EcpayRateLimitedError } from '../errors/ecpay-rate-limited.error.js';
import { InjectEcpayClock, type EcpayClock } from '../time/ecpay-clock.js';
import { ECPAY_RATE_LIMIT_STORE, type EcpayRateLimitStore } from '../config/ecpay-rate-limit-store.interface.js';
import { EcpayTelemetry } from '../observability/ecpay-telemetry.js';

/**
 * The per-merchant 403 breaker (docs/protocol.md §8.1): a 403 opens it for the window, and until the module clock
 * passes the window's end every call for that merchant fails with {@link EcpayRateLimitedError} before any network I/O.
 * The state is read from the shared store on every call — never cached here — so a breaker opened (or cleared) by
 * another instance counts at once.
 */
@Injectable()
export class EcpayCircuitBreaker {
  private readonly logger = new Logger('EcpayClient');

  constructor(
    @Inject(ECPAY_RATE_LIMIT_STORE) private readonly store: EcpayRateLimitStore,
    @InjectEcpayClock() private readonly clock: EcpayClock,
    @InjectEcpayOptions() private readonly options: ResolvedEcpayOptions,
    @Optional() private readonly telemetry?: EcpayTelemetry,
  ) {}

  /** Throws {@link EcpayRateLimitedError} while the merchant's breaker is open. */
  async assertClosed(merchantId: string, api: string): Promise<void> {
    let until: Date | undefined;
    try {
      until = await this.store.blockedUntil(merchantId);
    } catch (error) {
      // Fail open: an unreachable store must not stop every payment query; ECPay's own 403 still guards the ban.
      this.logger.warn(
        `${api} merchant=${merchantId}: the rate-limit store could not be read (${errorName(error)}); calling without the shared breaker`,
      );
      return;
    }
    if (until && until.getTime() > this.clock.now().getTime()) throw new EcpayRateLimitedError(api, merchantId, until);
  }

  /** Opens the merchant's breaker for the window, from the module clock's now; returns its end. */
  async trip(merchantId: string, api: string): Promise<Date> {
    const now = this.clock.now();
    const until = new Date(now.getTime() + this.options.rateLimit.windowMs);
    this.telemetry?.breakerOpened(merchantId, api);
    try {
      await this.store.block(merchantId, until, api, now);
    } catch (error) {
      this.logger.error(
        `${api} merchant=${merchantId}: HTTP 403, but the rate-limit store could not be written (${errorName(error)}); other instances will not pause`,
      );
    }
    return until;
  }

  /** When the merchant's breaker closes, if it is open now. */
  async openUntil(merchantId: string): Promise<Date | undefined> {
    const until = await this.store.blockedUntil(merchantId);
    return until && until.getTime() > this.clock.now().getTime() ? until : undefined;
  }

  /** Closes the merchant's breaker at once, for every instance. */
  reset(merchantId: string): Promise<void> {
    return this.store.clear(merchantId);
  }
}

/** Only the error's class and code: a driver's message may quote connection strings or SQL. */
const errorName = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  return `${error instanceof Error ? error.name : typeof error}${typeof code === 'string' ? ` ${code}` : ''}`;
};
