import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ECPAY_DISPATCH_OPTIONS, InjectEcpayDataSource } from '../config/ecpay.constants.js';
import type { DataSource, Repository } from 'typeorm';
import { IsNull, LessThanOrEqual } from '../persistence/typeorm-peer.js';
import { legacyEventData } from './legacy-event-data.js';
import type { EcpayEvent } from '../handlers/ecpay-event.interface.js';
import { EcpayConfigError } from '../errors/ecpay-config.error.js';
import { DEFAULT_LEASE_MS, leaseIssue } from '../config/dispatch-lease.js';
import { EcpayEventBus } from '../handlers/ecpay-event.bus.js';
import { EcpayHandlerRegistry } from '../handlers/ecpay-handler.registry.js';
import { exclusiveWrite } from '../persistence/exclusive-write.js';
import { InjectEcpayClock, type EcpayClock } from '../time/ecpay-clock.js';
import { parseEcpayDateTime } from '../time/ecpay-time.js';
import { EcpayNotification } from '../persistence/ecpay-notification.entity.js';
import { requeueEvent } from './requeue-event.js';
import { EcpayTelemetry } from '../observability/ecpay-telemetry.js';
import type { EcpayDispatchOptions } from '../config/ecpay-options.interface.js';
export type { EcpayDispatchOptions } from '../config/ecpay-options.interface.js';

const DEFAULTS: Required<Omit<EcpayDispatchOptions, 'handlerTimeoutMs'>> = {
  pollIntervalMs: 1_000,
  maxAttempts: 8,
  backoffMs: 1_000,
  maxBackoffMs: 3_600_000,
  leaseMs: DEFAULT_LEASE_MS,
  batchSize: 50,
};

/**
 * Delivers each inbox event to its handlers at least once: after the notification's commit (`kick`), and by
 * polling, which also picks up what a crash or restart left pending. An instance claims ONE event at a time by a
 * conditional update of its lease (one winner among any number of app instances, on every supported database),
 * renews the lease before each handler (so the lease only has to outlive one handler's timeout), runs the handlers
 * that have not yet succeeded for it, and records the outcome as soon as the event is through: done, or a retry
 * with exponential backoff, or — after `maxAttempts` — `failed` with the last error, until someone calls `redrive`.
 * An instance that finds its lease taken over stops running that event's handlers: never two runs of one event at
 * once.
 *
 * @publicApi
 */
@Injectable()
export class EcpayNotificationDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EcpayDispatcher');
  private readonly options: Required<Omit<EcpayDispatchOptions, 'handlerTimeoutMs'>>;
  /** Each handler's time limit: the lease is renewed before every handler and outlives it. */
  private readonly handlerTimeoutMs: number;
  /** Names this instance in the inbox's lock column. */
  readonly instanceId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly inbox: Repository<EcpayNotification>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private rerun = false;
  /** Numbers this instance's claims, to sign each one with a token of its own. */
  private rounds = 0;

  constructor(
    @InjectEcpayDataSource() private readonly dataSource: DataSource,
    private readonly bus: EcpayEventBus,
    private readonly handlers: EcpayHandlerRegistry,
    @InjectEcpayClock() private readonly clock: EcpayClock,
    @Optional() @Inject(ECPAY_DISPATCH_OPTIONS) options: EcpayDispatchOptions = {},
    @Optional() private readonly telemetry: EcpayTelemetry = new EcpayTelemetry(clock),
  ) {
    const { handlerTimeoutMs, ...rest } = options;
    this.options = { ...DEFAULTS, ...rest };
    this.handlerTimeoutMs = handlerTimeoutMs ?? bus.timeoutMs;
    const issue = leaseIssue(this.options.leaseMs, this.handlerTimeoutMs);
    if (issue) throw new EcpayConfigError([issue]);
    this.inbox = dataSource.getRepository(EcpayNotification);
  }

  onApplicationBootstrap(): void {
    if (this.options.pollIntervalMs > 0) {
      this.timer = setInterval(() => void this.kick(), this.options.pollIntervalMs);
      this.timer.unref();
    }
    void this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /**
   * Dispatches what is due now. Calls made while a round runs are folded into one more round after it, so a burst
   * of notifications never starts rounds in parallel. Resolves with the number of events handled.
   */
  kick(): Promise<number> {
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    this.running = (async () => {
      let handled = 0;
      try {
        do {
          this.rerun = false;
          handled += await this.dispatchDue();
        } while (this.rerun);
      } catch (error) {
        // The database may be down; the next poll tries again. Message only: rows may hold personal data.
        this.logger.error(`Dispatch round failed: ${(error as Error).message}`);
      } finally {
        this.running = undefined;
      }
      return handled;
    })();
    return this.running;
  }

  /** Puts an event (typically a `failed` one) back in the queue with a fresh attempt budget, and dispatches it. False if there is no such event. */
  async redrive(notificationId: string): Promise<boolean> {
    if (!(await requeueEvent(this.dataSource, notificationId, this.clock.now()))) return false;
    await this.kick();
    return true;
  }

  /**
   * One round: the due events' ids (in the order ECPay's notifications were received), then event by event: claim
   * it, run its handlers under a lease renewed before each one, and record its outcome at once.
   */
  private async dispatchDue(): Promise<number> {
    const due = await this.inbox.find({
      select: { id: true },
      where: this.claimable(this.clock.now()),
      order: { nextAttemptAt: 'ASC' },
      take: this.options.batchSize,
    });
    let handled = 0;
    for (const { id } of due) {
      const row = await this.claim(id);
      if (!row) continue; // another instance has it, or had it and is done
      if (row.nextAttemptAt && row.eventName)
        this.telemetry.dispatchLag(row.eventName, (this.clock.now().getTime() - row.nextAttemptAt.getTime()) / 1000);
      const outcome = await this.runHandlers(row);
      if (outcome.lost) continue; // taken over: the new holder runs the rest and records the outcome
      if (outcome.failures.length === 0) await this.recordDone(row, outcome.completed);
      else await this.recordFailure(row, outcome.completed, outcome.failures);
      handled++;
    }
    return handled;
  }

  /** Pending, due, and not leased (or its lease expired: its holder died). */
  private claimable(now: Date) {
    return [
      { dispatchStatus: 'pending' as const, nextAttemptAt: LessThanOrEqual(now), lockedUntil: IsNull() },
      { dispatchStatus: 'pending' as const, nextAttemptAt: LessThanOrEqual(now), lockedUntil: LessThanOrEqual(now) },
    ];
  }

  /**
   * Takes one event with a conditional update of its lease — on every supported database a row goes to one claimant
   * only, whatever the number of app instances — and reads it back. Each claim is signed with its own token, so a
   * lease this instance lost is never mistaken for one it holds. Undefined when the event was not won.
   */
  private async claim(id: string): Promise<EcpayNotification | undefined> {
    const token = `${this.instanceId}:${++this.rounds}`;
    const now = this.clock.now();
    const result = await exclusiveWrite(this.dataSource, () =>
      this.inbox
        .createQueryBuilder()
        .update()
        .set({ lockedBy: token, lockedUntil: new Date(now.getTime() + this.options.leaseMs) })
        .where(this.claimable(now).map((where) => ({ ...where, id })))
        .execute(),
    );
    if (result.affected === 0) return undefined;
    return (await this.inbox.findOneBy({ id, lockedBy: token })) ?? undefined;
  }

  /** Extends the lease this instance holds on `row` by a full `leaseMs` from now; false when it no longer holds it. */
  private async renew(row: EcpayNotification): Promise<boolean> {
    const lockedUntil = new Date(this.clock.now().getTime() + this.options.leaseMs);
    const result = await exclusiveWrite(this.dataSource, () =>
      this.inbox
        .createQueryBuilder()
        .update()
        .set({ lockedUntil })
        .where({ id: row.id, lockedBy: row.lockedBy! })
        .execute(),
    );
    return result.affected === 1;
  }

  /**
   * Runs the handlers that have not yet succeeded for the row's event, one at a time, renewing the lease before each:
   * every handler starts with a full lease ahead of it, longer than its timeout. `lost` when the lease was taken over
   * (this instance stalled longer than a lease): nothing more runs here, and nothing is recorded.
   */
  private async runHandlers(
    row: EcpayNotification,
  ): Promise<{ lost: boolean; completed: string[]; failures: { handlerId: string; error: string }[] }> {
    const completed = new Set(row.completedHandlers ?? []);
    const wanted = row.eventName ? this.handlers.handlersFor(row.eventName).map((handler) => handler.id) : [];
    const remaining = wanted.filter((id) => !completed.has(id));
    const failures: { handlerId: string; error: string }[] = [];
    const event = remaining.length > 0 ? toEvent(row) : undefined;
    for (const handlerId of remaining) {
      if (!(await this.renew(row))) {
        this.logger.warn(
          `Lost the lease of event ${row.eventName} ${row.id} before ${handlerId}; leaving it to its new holder.`,
        );
        return { lost: true, completed: [...completed], failures };
      }
      const { report } = await this.telemetry.handlerRun(handlerId, event!, async () => {
        const report = await this.bus.publish(event!, { only: [handlerId], timeoutMs: this.handlerTimeoutMs });
        return { ok: report.results.every((result) => result.ok), report };
      });
      for (const result of report.results) {
        if (result.ok) completed.add(result.handlerId);
        else failures.push({ handlerId: result.handlerId, error: 'error' in result ? String(result.error) : '' });
      }
    }
    return { lost: false, completed: [...completed], failures };
  }

  /** The event went through every handler: done, at once (not at the end of the round). */
  private async recordDone(row: EcpayNotification, completed: string[]): Promise<void> {
    await exclusiveWrite(this.dataSource, () =>
      this.inbox.update(
        { id: row.id, lockedBy: row.lockedBy! },
        {
          dispatchStatus: 'done',
          attempts: row.attempts + 1,
          lastError: null,
          nextAttemptAt: null,
          completedHandlers: completed,
          lockedBy: null,
          lockedUntil: null,
        },
      ),
    );
  }

  /** A retry with exponential backoff, or — after `maxAttempts` — `failed`, visible with its last error. */
  private async recordFailure(
    row: EcpayNotification,
    completed: string[],
    failures: readonly { handlerId: string; error: string }[],
  ): Promise<void> {
    const attempts = row.attempts + 1;
    const parked = attempts >= this.options.maxAttempts;
    const now = this.clock.now();
    await exclusiveWrite(this.dataSource, () =>
      this.inbox.update(
        { id: row.id, lockedBy: row.lockedBy! },
        {
          dispatchStatus: parked ? 'failed' : 'pending',
          attempts,
          lastError: failures
            .map((failure) => `${failure.handlerId}: ${failure.error}`)
            .join('; ')
            .slice(0, 500),
          nextAttemptAt: parked ? null : new Date(now.getTime() + this.backoff(attempts)),
          completedHandlers: completed,
          lockedBy: null,
          lockedUntil: null,
        },
      ),
    );
    if (parked) {
      this.logger.error(
        `Event ${row.eventName} ${row.id} parked after ${attempts} attempts; re-drive it once the handler is fixed.`,
      );
    }
  }

  private backoff(attempts: number): number {
    return Math.min(this.options.backoffMs * 2 ** (attempts - 1), this.options.maxBackoffMs);
  }
}

/**
 * The event of an inbox row: its id is the row's, so every redelivery carries the same one. Its `data` is what was
 * normalised and stored with the row when the notification was received (revived: Dates are Dates again), never
 * rebuilt here; only a row stored before that column existed takes the legacy path.
 */
export function toEvent(row: EcpayNotification): EcpayEvent {
  const payload = row.payload ?? {};
  return {
    id: row.id,
    name: row.eventName!,
    merchantId: row.merchantId,
    merchantTradeNo: row.merchantTradeNo,
    ...(row.tradeId ? { tradeId: row.tradeId } : {}),
    occurredAt: ecpayDate(payload.PaymentDate ?? payload.ProcessDate ?? payload.TradeDate) ?? row.receivedAt,
    receivedAt: row.receivedAt,
    data: row.eventData ?? legacyEventData(row),
    raw: payload,
  };
}

function ecpayDate(value: unknown): Date | undefined {
  try {
    return typeof value === 'string' ? parseEcpayDateTime(value) : undefined;
  } catch {
    return undefined;
  }
}
