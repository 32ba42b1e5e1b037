import { Inject, Injectable, Optional } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import { EcpayCircuitBreaker } from '../client/ecpay-circuit-breaker.service.js';
import { EcpayMerchantRegistry } from '../config/ecpay-merchant.registry.js';
import { EcpayTelemetry } from '../observability/ecpay-telemetry.js';
import { EcpayNotification } from '../persistence/ecpay-notification.entity.js';
import { Not } from '../persistence/typeorm-peer.js';
import { InjectEcpayClock, type EcpayClock } from '../time/ecpay-clock.js';
import { ECPAY_DATA_SOURCE } from '../tokens/ecpay.tokens.js';
import {
  ECPAY_HEALTH_OPTIONS,
  resolveEcpayHealthOptions,
  type EcpayHealthOptions,
  type ResolvedEcpayHealthOptions,
} from './ecpay-health-options.interface.js';

/** What the ECPay side of the app looks like now. @publicApi */
export interface EcpayHealthReport {
  /** `down`: notifications cannot be stored; `degraded`: serving, but see `problems`; else `up`. */
  readonly status: 'up' | 'degraded' | 'down';
  /** Short, fixed-form sentences: identifiers and figures only. */
  readonly problems: readonly string[];
  /** `not-used` when the module runs without persistence. */
  readonly database: 'up' | 'down' | 'not-used';
  /** The merchants whose 403 breaker is open, with the instant (ISO 8601, UTC) calls resume. */
  readonly breakers: readonly { readonly merchantId: string; readonly openUntil: string }[];
  /** Seconds since the oldest event still waiting for its handlers was received; null when none waits. */
  readonly oldestPendingAgeSeconds: number | null;
  readonly parkedEvents: number;
  readonly retryingEvents: number;
  /** Notifications this process refused within the last `rejectionWindowSeconds`. */
  readonly rejectedNotifications: number;
  readonly rejectionWindowSeconds: number;
}

/**
 * Reads the state an operator needs — the database, each merchant's 403 breaker, the dispatch queue, refused
 * notifications — and judges it against {@link EcpayHealthOptions}. Independent of `@nestjs/terminus`:
 * {@link EcpayHealthIndicator} only turns the report into terminus' shape.
 *
 * @publicApi
 */
@Injectable()
export class EcpayHealthProbe {
  private readonly options: ResolvedEcpayHealthOptions;

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly breaker: EcpayCircuitBreaker,
    private readonly merchants: EcpayMerchantRegistry,
    private readonly telemetry: EcpayTelemetry,
    @InjectEcpayClock() private readonly clock: EcpayClock,
    @Optional() @Inject(ECPAY_HEALTH_OPTIONS) options: EcpayHealthOptions = {},
  ) {
    this.options = resolveEcpayHealthOptions(options);
  }

  async check(): Promise<EcpayHealthReport> {
    const problems: string[] = [];
    const now = this.clock.now();
    const breakers = await this.openBreakers(problems);
    const dataSource = this.dataSource();
    let database: EcpayHealthReport['database'] = 'not-used';
    let queue = { oldestPendingAgeSeconds: null as number | null, parkedEvents: 0, retryingEvents: 0 };
    if (dataSource) {
      try {
        await this.withTimeout(dataSource.query('SELECT 1'));
        database = 'up';
        queue = await this.withTimeout(this.readQueue(dataSource, now));
      } catch (error) {
        database = database === 'up' ? 'up' : 'down';
        problems.push(
          database === 'down'
            ? `database unreachable (${errorName(error)})`
            : `the inbox could not be read (${errorName(error)})`,
        );
      }
    }
    const { maxPendingAgeMs, maxParkedEvents, maxRetryingEvents, maxRejections, rejectionWindowMs } = this.options;
    if (queue.oldestPendingAgeSeconds !== null && queue.oldestPendingAgeSeconds * 1000 > maxPendingAgeMs)
      problems.push(`an event has waited ${Math.round(queue.oldestPendingAgeSeconds)} s for its handlers`);
    if (queue.parkedEvents > maxParkedEvents) problems.push(`${queue.parkedEvents} event(s) parked after failing`);
    if (queue.retryingEvents > maxRetryingEvents)
      problems.push(`${queue.retryingEvents} event(s) retrying after a handler failed`);
    for (const open of breakers) problems.push(`merchant ${open.merchantId} rate-limited until ${open.openUntil}`);
    const rejectedNotifications = this.telemetry.rejectedWithin(rejectionWindowMs);
    if (rejectedNotifications > maxRejections)
      problems.push(`${rejectedNotifications} notification(s) refused in ${Math.round(rejectionWindowMs / 1000)} s`);
    return {
      status: database === 'down' ? 'down' : problems.length > 0 ? 'degraded' : 'up',
      problems,
      database,
      breakers,
      ...queue,
      rejectedNotifications,
      rejectionWindowSeconds: rejectionWindowMs / 1000,
    };
  }

  /** Each merchant's breaker, read from the shared store (so a breaker another instance opened shows too). */
  private async openBreakers(problems: string[]): Promise<{ merchantId: string; openUntil: string }[]> {
    const open: { merchantId: string; openUntil: string }[] = [];
    const ids = [...new Set(this.merchants.all().map((merchant) => merchant.merchantId))];
    for (const merchantId of ids) {
      try {
        const until = await this.withTimeout(this.breaker.openUntil(merchantId));
        if (until) open.push({ merchantId, openUntil: until.toISOString() });
      } catch (error) {
        problems.push(`the rate-limit store could not be read (${errorName(error)})`);
        break;
      }
    }
    return open;
  }

  private async readQueue(dataSource: DataSource, now: Date) {
    const inbox = dataSource.getRepository(EcpayNotification);
    const [oldest, parkedEvents, retryingEvents] = await Promise.all([
      inbox.findOne({
        select: { id: true, receivedAt: true },
        where: { dispatchStatus: 'pending' },
        order: { receivedAt: 'ASC' },
      }),
      inbox.countBy({ dispatchStatus: 'failed' }),
      inbox.countBy({ dispatchStatus: 'pending', attempts: Not(0) }),
    ]);
    const oldestPendingAgeSeconds = oldest ? Math.max(0, (now.getTime() - oldest.receivedAt.getTime()) / 1000) : null;
    return { oldestPendingAgeSeconds, parkedEvents, retryingEvents };
  }

  /** The app's DataSource the module stores into; undefined without persistence. */
  private dataSource(): DataSource | undefined {
    try {
      return this.moduleRef.get<DataSource>(ECPAY_DATA_SOURCE, { strict: false });
    } catch {
      return undefined;
    }
  }

  /** A hung database must not hang the health endpoint: the probe answers within `databaseTimeoutMs`. */
  private withTimeout<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })),
        this.options.databaseTimeoutMs,
      );
      timer.unref();
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }
}

/** The error's class and code only: a driver's message may quote connection strings or SQL. */
function errorName(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return `${error instanceof Error ? error.name : typeof error}${typeof code === 'string' ? ` ${code}` : ''}`;
}
