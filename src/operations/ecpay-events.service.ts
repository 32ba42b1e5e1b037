import { Injectable } from '@nestjs/common';
import type { DataSource, Repository } from 'typeorm';
import { InjectEcpayDataSource } from '../config/ecpay.constants.js';
import { EcpayValidationError, type EcpayValidationIssue } from '../errors/ecpay-validation.error.js';
import { requeueEvent } from '../notifications/requeue-event.js';
import { EcpayNotification, type EcpayDispatchStatus } from '../persistence/ecpay-notification.entity.js';
import type { EcpayTradeAction } from '../persistence/ecpay-trade-action.entity.js';
import { MoreThanOrEqual } from '../persistence/typeorm-peer.js';
import { InjectEcpayClock, type EcpayClock } from '../time/ecpay-clock.js';
import type { EcpayActionResolution, EcpayOperationResult } from './ecpay-operations.interface.js';
import { TradeActionResolver } from './trade-action.resolver.js';

/** Every dispatch status, in the order an operator reads them. @publicApi */
export const ECPAY_DISPATCH_STATUSES: readonly EcpayDispatchStatus[] = ['failed', 'pending', 'done', 'none'];

/** Which events {@link EcpayEventsService.listEvents} returns. @publicApi */
export interface EcpayEventQuery {
  /** Only events in this dispatch status (`failed` = parked after its last attempt). Default: every status. */
  status?: EcpayDispatchStatus;
  /** Only this merchant's (MerchantID). */
  merchantId?: string;
  /** At most this many, newest first (1–500; default 50). */
  limit?: number;
}

/** Notifications received in one minute, for a chart. @publicApi */
export interface EcpayMinuteCount {
  /** The minute's start. */
  readonly at: Date;
  readonly count: number;
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;
/** A day of minutes: enough for an operations page, and a bound on what one chart query reads. */
const MAX_MINUTES = 24 * 60;

/**
 * What an operator does with the inbox and the trade actions, read from and written to the database only:
 * list events by dispatch status, show one (its notification, attempts, last error), put a parked one back in the
 * queue, list the actions whose outcome is unknown and resolve one. No ECPay call, no handler run — so the
 * `ecpay events` / `ecpay actions` commands use it on an app's database without the app's container; in the app,
 * `EcpayService` adds the dispatcher's immediate delivery on top.
 *
 * @publicApi
 */
@Injectable()
export class EcpayEventsService {
  private readonly inbox: Repository<EcpayNotification>;
  private readonly resolver: TradeActionResolver;

  constructor(
    @InjectEcpayDataSource() private readonly dataSource: DataSource,
    @InjectEcpayClock() private readonly clock: EcpayClock,
  ) {
    this.inbox = dataSource.getRepository(EcpayNotification);
    this.resolver = new TradeActionResolver(dataSource, clock);
  }

  /** Events (inbox rows), newest first, filtered by {@link EcpayEventQuery}. */
  async listEvents(query: EcpayEventQuery = {}): Promise<EcpayNotification[]> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const issues: EcpayValidationIssue[] = [];
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIMIT)
      issues.push({ field: 'limit', rule: 'range', message: `must be a whole number from 1 to ${MAX_LIMIT}` });
    if (query.status !== undefined && !ECPAY_DISPATCH_STATUSES.includes(query.status))
      issues.push({ field: 'status', rule: 'one-of', message: `must be one of ${ECPAY_DISPATCH_STATUSES.join(', ')}` });
    if (issues.length > 0) throw new EcpayValidationError(issues);
    return this.inbox.find({
      where: {
        ...(query.status ? { dispatchStatus: query.status } : {}),
        ...(query.merchantId ? { merchantId: query.merchantId } : {}),
      },
      order: { receivedAt: 'DESC', id: 'ASC' },
      take: limit,
    });
  }

  /** One event with its notification's payload, attempts, last error and handlers done; null when there is none. */
  getEvent(id: string): Promise<EcpayNotification | null> {
    return this.inbox.findOneBy({ id });
  }

  /** How many events stand in each dispatch status (every status present, 0 when none). */
  async countEventsByStatus(): Promise<Record<EcpayDispatchStatus, number>> {
    const rows = await this.inbox
      .createQueryBuilder('n')
      .select('n.dispatchStatus', 'status')
      .addSelect('COUNT(*)', 'count')
      .groupBy('n.dispatchStatus')
      .getRawMany<{ status: EcpayDispatchStatus; count: string | number }>();
    const counts = { failed: 0, pending: 0, done: 0, none: 0 };
    for (const row of rows) if (row.status in counts) counts[row.status] = Number(row.count);
    return counts;
  }

  /**
   * Notifications received per minute over the last `minutes` (1–1440) by the module clock, oldest first, every
   * minute present. Only the receive times of that window are read and bucketed here: the same code on every
   * supported database, where minute truncation is spelled differently by each.
   */
  async notificationsPerMinute(minutes = 60): Promise<EcpayMinuteCount[]> {
    if (!Number.isSafeInteger(minutes) || minutes < 1 || minutes > MAX_MINUTES)
      throw new EcpayValidationError([
        { field: 'minutes', rule: 'range', message: `must be a whole number from 1 to ${MAX_MINUTES}` },
      ]);
    const end = Math.floor(this.clock.now().getTime() / 60_000) * 60_000 + 60_000;
    const start = end - minutes * 60_000;
    const rows = await this.inbox.find({
      select: { id: true, receivedAt: true },
      where: { receivedAt: MoreThanOrEqual(new Date(start)) },
    });
    const counts = new Array<number>(minutes).fill(0);
    for (const { receivedAt } of rows) {
      const slot = Math.floor((receivedAt.getTime() - start) / 60_000);
      if (slot >= 0 && slot < minutes) counts[slot]!++;
    }
    return counts.map((count, i) => ({ at: new Date(start + i * 60_000), count }));
  }

  /**
   * Marks an event `pending` with a fresh attempt budget, due now — the app's dispatcher delivers it on its next poll
   * (its handlers that already succeeded are not run again). Nothing is delivered here; in the app,
   * `EcpayService.redriveNotification` also delivers at once. False when there is no such event.
   */
  requeueEvent(id: string): Promise<boolean> {
    return requeueEvent(this.dataSource, id, this.clock.now());
  }

  /** Actions whose outcome is unknown (timed out, or left `pending` by a crash), oldest first: each holds its trade. */
  listUnresolvedActions(): Promise<EcpayTradeAction[]> {
    return this.resolver.unresolved();
  }

  /**
   * Settles an unknown action once a query told how it went (see `EcpayOperationsService.resolveAction`); the event
   * of a `succeeded` resolution is stored pending, for the app's dispatcher.
   */
  resolveAction(actionId: string, outcome: EcpayActionResolution): Promise<EcpayOperationResult> {
    return this.resolver.resolve(actionId, outcome);
  }
}
