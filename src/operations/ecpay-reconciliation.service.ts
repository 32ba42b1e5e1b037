import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ECPAY_RECONCILIATION_OPTIONS, InjectEcpayDataSource } from '../config/ecpay.constants.js';
import type { DataSource, FindOptionsWhere, Repository } from 'typeorm';
import { In, IsNull, LessThan, LessThanOrEqual } from '../persistence/typeorm-peer.js';
import { EcpayBackAuthTradesService } from '../back-auth/ecpay-back-auth-trades.service.js';
import { jsonApiOf } from '../back-auth/json-api-trade.js';
import { EcpayClient } from '../client/ecpay-client.service.js';
import { EcpayNotificationDispatcher } from '../notifications/ecpay-notification.dispatcher.js';
import { EcpayNotificationService } from '../notifications/ecpay-notification.service.js';
import { exclusiveWrite } from '../persistence/exclusive-write.js';
import { EcpayTrade } from '../persistence/ecpay-trade.entity.js';
import { InjectEcpayClock, type EcpayClock } from '../time/ecpay-clock.js';
import type { EcpayReconciliationOptions, EcpayReconciliationReport } from './ecpay-operations.interface.js';
import { reconcileDueAt, RECONCILE_DELAYS_MS } from './reconcile-schedule.js';

const DEFAULTS: Required<EcpayReconciliationOptions> = {
  enabled: false,
  intervalMs: 60_000,
  batchSize: 50,
  leaseMs: 60_000,
  retryDelayMs: 600_000,
};

/** Trades still waiting for a result. */
const WAITING = ['pending', 'code-issued'] as const;

const EMPTY: EcpayReconciliationReport = { queried: 0, paid: 0, unchanged: 0, failed: 0, scheduled: 0 };

/**
 * Finds trades ECPay never reported on, past its recommended delays ({@link reconcileDueAt}), asks
 * QueryTradeInfo/V5 about them (QueryTrade for trades the library charged through a JSON API: BackAuth, a payment
 * with a saved card), and applies a verified "paid" answer through the notification state machine
 * (`EcpayNotificationService.receive('reconcile', …)`): the same rules, the same inbox, the same exactly-once
 * state change as ReturnURL — so when the late ReturnURL and the query's answer arrive together, the first pays
 * the trade (one `payment.succeeded`) and the second is stored as a confirmation.
 *
 * Several app instances share the database: an instance claims a trade with one conditional update of its
 * reconciliation lease (`reconcile_locked_by/until`, which leaves the trade's version alone so notifications are
 * not made to retry), and only the claimant queries it. A failed query (timeout, transport, bad MAC, 403) changes
 * nothing and is tried again `retryDelayMs` later.
 *
 * Off by default: `reconciliation: { enabled: true }` runs a round every `intervalMs` (the timer is unref'd);
 * `EcpayService.reconcile()` runs one on demand either way.
 *
 * @publicApi
 */
@Injectable()
export class EcpayReconciliationService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EcpayReconciliation');
  private readonly options: Required<EcpayReconciliationOptions>;
  private readonly trades: Repository<EcpayTrade>;
  /** Names this instance in the lease column. */
  readonly instanceId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<EcpayReconciliationReport> | undefined;
  private rounds = 0;

  constructor(
    @InjectEcpayDataSource() private readonly dataSource: DataSource,
    private readonly client: EcpayClient,
    private readonly notifications: EcpayNotificationService,
    @InjectEcpayClock() private readonly clock: EcpayClock,
    @Optional() @Inject(ECPAY_RECONCILIATION_OPTIONS) options: EcpayReconciliationOptions = {},
    @Optional() private readonly dispatcher?: EcpayNotificationDispatcher,
    @Optional() private readonly jsonTrades?: EcpayBackAuthTradesService,
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.trades = dataSource.getRepository(EcpayTrade);
  }

  onApplicationBootstrap(): void {
    if (!this.options.enabled) return;
    this.timer = setInterval(() => void this.run(), this.options.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /**
   * One round now (a call during a running round joins it). Never rejects: a failed round is logged and reported empty.
   */
  run(): Promise<EcpayReconciliationReport> {
    this.running ??= this.round()
      .catch((error: unknown) => {
        this.logger.error(`Reconciliation round failed: ${(error as Error).message}`);
        return EMPTY;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  private async round(): Promise<EcpayReconciliationReport> {
    const now = this.clock.now();
    const report = { ...EMPTY };
    const free = [{ reconcileLockedUntil: IsNull() }, { reconcileLockedUntil: LessThanOrEqual(now) }];
    const due = [{ reconcileAt: IsNull() }, { reconcileAt: LessThanOrEqual(now) }];
    const base: FindOptionsWhere<EcpayTrade> = {
      status: In([...WAITING]),
      reconcileAttempts: LessThan(RECONCILE_DELAYS_MS.length),
      // Nothing is due before the first delay, whatever the method.
      createdAt: LessThanOrEqual(new Date(now.getTime() - RECONCILE_DELAYS_MS[0]!)),
    };
    const candidates = await this.trades.find({
      where: free.flatMap((lease) => due.map((at) => ({ ...base, ...lease, ...at }))),
      order: { createdAt: 'ASC' },
      take: this.options.batchSize,
    });
    let paid = false;
    for (const trade of candidates) {
      const dueAt = reconcileDueAt(trade);
      if (dueAt === null || dueAt.getTime() > now.getTime()) {
        // Not due yet (an offline code before its expiry) or never: remember when, so rounds skip it until then.
        await this.release(
          trade,
          undefined,
          dueAt ?? undefined,
          dueAt === null ? RECONCILE_DELAYS_MS.length : trade.reconcileAttempts,
        );
        report.scheduled++;
        continue;
      }
      const token = await this.claim(trade, now);
      if (!token) continue;
      report.queried++;
      if (jsonApiOf(trade) && this.jsonTrades) {
        await this.reconcileJsonTrade(trade, token, now, report);
        continue;
      }
      let answer;
      try {
        answer = await this.client.queryTradeInfo(
          { merchantTradeNo: trade.merchantTradeNo },
          { merchant: trade.merchantId },
        );
      } catch (error) {
        // Unverified or missing answer: nothing is applied; the same attempt is tried again later.
        report.failed++;
        this.logger.warn(
          `QueryTradeInfo for ${trade.merchantId}/${trade.merchantTradeNo} failed: ${(error as Error).message}`,
        );
        await this.release(trade, token, new Date(now.getTime() + this.options.retryDelayMs), trade.reconcileAttempts);
        continue;
      }
      const attempts = trade.reconcileAttempts + 1;
      if (answer.tradeStatus === 1) {
        const receipt = await this.notifications.receive('reconcile', answer.raw, now);
        if (!receipt.duplicate && receipt.notification.eventName === 'payment.succeeded') {
          report.paid++;
          paid = true;
        } else {
          report.unchanged++;
        }
        if (receipt.notification.outcome !== 'applied' && receipt.notification.outcome !== 'confirmed') {
          this.logger.warn(
            `Reconciliation of ${trade.merchantId}/${trade.merchantTradeNo}: ${receipt.notification.outcome}`,
          );
        }
      } else {
        report.unchanged++;
      }
      const next = reconcileDueAt({ ...trade, reconcileAttempts: attempts });
      await this.release(trade, token, next ?? undefined, attempts);
    }
    if (paid) void this.dispatcher?.kick();
    return report;
  }

  /**
   * A trade charged through a JSON API (BackAuth, a payment with a saved card): QueryTrade is its query, and its
   * definite answer is applied as a `back-auth` notification (the same inbox, the same exactly-once state change).
   * A query that could not be made or read is tried again `retryDelayMs` later, like a failed QueryTradeInfo.
   */
  private async reconcileJsonTrade(
    trade: EcpayTrade,
    token: string,
    now: Date,
    report: { paid: number; unchanged: number; failed: number },
  ): Promise<void> {
    const outcome = await this.jsonTrades!.reconcile(trade);
    if (outcome.status === 'unknown' && outcome.reason === 'query-failed') {
      report.failed++;
      await this.release(trade, token, new Date(now.getTime() + this.options.retryDelayMs), trade.reconcileAttempts);
      return;
    }
    if (outcome.status === 'authorized' && outcome.trade?.status === 'paid' && trade.status !== 'paid') report.paid++;
    else report.unchanged++;
    const attempts = trade.reconcileAttempts + 1;
    await this.release(trade, token, reconcileDueAt({ ...trade, reconcileAttempts: attempts }) ?? undefined, attempts);
  }

  /**
   * Takes the trade for this round: one conditional update, won by one instance only (on every supported database),
   * that leaves the trade's version and updated_at as they are. Null when another instance holds it or it moved on.
   */
  private async claim(trade: EcpayTrade, now: Date): Promise<string | undefined> {
    const token = `${this.instanceId}:${++this.rounds}`;
    const open = { id: trade.id, status: In([...WAITING]), reconcileAttempts: trade.reconcileAttempts };
    const result = await exclusiveWrite(this.dataSource, () =>
      this.trades
        .createQueryBuilder()
        .update()
        .set({
          reconcileLockedBy: token,
          reconcileLockedUntil: new Date(now.getTime() + this.options.leaseMs),
          ...this.untouched(),
        })
        .where([
          { ...open, reconcileLockedUntil: IsNull() },
          { ...open, reconcileLockedUntil: LessThanOrEqual(now) },
        ])
        .execute(),
    );
    return result.affected === 1 ? token : undefined;
  }

  /** Ends the claim (if any) and records the attempts made and when the next query is due. */
  private async release(
    trade: EcpayTrade,
    token: string | undefined,
    nextAt: Date | undefined,
    attempts: number,
  ): Promise<void> {
    await exclusiveWrite(this.dataSource, () =>
      this.trades
        .createQueryBuilder()
        .update()
        .set({
          reconcileLockedBy: null,
          reconcileLockedUntil: null,
          reconcileAttempts: attempts,
          reconcileAt: nextAt ?? null,
          ...this.untouched(),
        })
        .where(
          token
            ? { id: trade.id, reconcileLockedBy: token }
            : { id: trade.id, reconcileAttempts: trade.reconcileAttempts, reconcileLockedBy: IsNull() },
        )
        .execute(),
    );
  }

  /**
   * TypeORM bumps `version` and sets `updated_at` from the database clock on every update unless the SET names
   * them: naming them as themselves keeps the lease bookkeeping out of the trade's optimistic concurrency.
   */
  private untouched(): { version: () => string; updatedAt: () => string } {
    const q = (name: string) => this.dataSource.driver.escape(name);
    return { version: () => q('version'), updatedAt: () => q('updated_at') };
  }
}
