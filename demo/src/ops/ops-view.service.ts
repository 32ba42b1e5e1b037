import { Injectable } from '@nestjs/common';
import {
  EcpayEventsService,
  EcpayMerchantRegistry,
  InjectEcpayClock,
  InjectEcpayRateLimitStore,
  type EcpayClock,
  type EcpayDispatchStatus,
  type EcpayMinuteCount,
  type EcpayNotification,
  type EcpayRateLimitStore,
  type EcpayTradeAction,
} from 'nestjs-ecpay';

/** Where one merchant's 403 breaker stands (docs/protocol.md §8.1). */
export interface BreakerView {
  readonly merchantId: string;
  readonly name: string;
  /** When it closes, while it is open; null when closed; 'unreadable' when the store did not answer. */
  readonly openUntil: Date | null | 'unreadable';
}

export interface OpsView {
  readonly perMinute: readonly EcpayMinuteCount[];
  readonly byStatus: Record<EcpayDispatchStatus, number>;
  readonly parked: readonly EcpayNotification[];
  readonly recent: readonly EcpayNotification[];
  readonly breakers: readonly BreakerView[];
  readonly unresolved: readonly EcpayTradeAction[];
}

/** Everything the operations page shows, read through the library's services (never its tables directly). */
@Injectable()
export class OpsViewService {
  constructor(
    private readonly events: EcpayEventsService,
    private readonly merchants: EcpayMerchantRegistry,
    @InjectEcpayRateLimitStore() private readonly breakerStore: EcpayRateLimitStore,
    @InjectEcpayClock() private readonly clock: EcpayClock,
  ) {}

  async read(): Promise<OpsView> {
    const [perMinute, byStatus, parked, recent, breakers, unresolved] = await Promise.all([
      this.events.notificationsPerMinute(60),
      this.events.countEventsByStatus(),
      this.events.listEvents({ status: 'failed', limit: 50 }),
      this.events.listEvents({ limit: 10 }),
      this.breakers(),
      this.events.listUnresolvedActions(),
    ]);
    return { perMinute, byStatus, parked, recent, breakers, unresolved };
  }

  private breakers(): Promise<BreakerView[]> {
    const now = this.clock.now().getTime();
    return Promise.all(
      this.merchants.all().map(async (merchant) => {
        let openUntil: BreakerView['openUntil'];
        try {
          const until = await this.breakerStore.blockedUntil(merchant.merchantId);
          openUntil = until && until.getTime() > now ? until : null;
        } catch {
          openUntil = 'unreadable';
        }
        return { merchantId: merchant.merchantId, name: merchant.name, openUntil };
      }),
    );
  }
}
