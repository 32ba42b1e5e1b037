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
import { In, LessThanOrEqual, Raw } from '../persistence/typeorm-peer.js';
import { legacyEventData } from './legacy-event-data.js';
import { DoneMarks, type Lease } from './done-marks.js';
import type { EcpayEvent } from '../handlers/ecpay-event.interface.js';
import { EcpayConfigError } from '../errors/ecpay-config.error.js';
import { DEFAULT_LEASE_MS, leaseIssue, leaseMarginMs } from '../config/dispatch-lease.js';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
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

/** How long an event that went through its handlers may wait for its `done` to be written with others. */
const DONE_MARK_MAX_DELAY_MS = 1_000;

/**
 * Delivers each inbox event to its handlers at least once: after the notification's commit (`kick`), and by
 * polling, which also picks up what a crash or restart left pending. An instance claims a round of due events with
 * one conditional update of their leases (each event goes to one winner among any number of app instances, on every
 * supported database), and runs them one at a time, yielding to the event loop between events so that storing and
 * answering ECPay's notifications is never stuck behind dispatch. Before each handler it makes sure the event's
 * lease outlives that handler's timeout, renewing it when it would not (so the lease only has to outlive one
 * handler), runs the handlers that have not yet succeeded for the event, and records the outcome: done, written
 * together with the round's other events before any lease involved could run out (`DoneMarks`), or at once a retry
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
  /** Each handler's time limit: a handler starts only with a lease ahead of it that outlives this. */
  private readonly handlerTimeoutMs: number;
  /** Names this instance in the inbox's lock column. */
  readonly instanceId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly inbox: Repository<EcpayNotification>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private rerun = false;
  private stopping = false;
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
    // Finish the event under way; the rest of its round is handed back (`release`) so that another instance takes it
    // at once instead of when its lease runs out, and the backlog stays pending for the next start.
    this.stopping = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /**
   * Dispatches what is due now. Calls made while a round runs are folded into one more round after it, so a burst
   * of notifications never starts rounds in parallel; a round that found a full batch due is followed by another at
   * once, so a backlog drains without waiting a poll interval per batch. Resolves with the number of events handled.
   */
  kick(): Promise<number> {
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    this.running = (async () => {
      let handled = 0;
      try {
        let more: boolean;
        do {
          this.rerun = false;
          const round = await this.dispatchDue();
          handled += round.handled;
          more = round.full;
        } while ((this.rerun || more) && !this.stopping);
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

  /**
   * Puts an event (typically a `failed` one) back in the queue with a fresh attempt budget, and dispatches it. False if
   * there is no such event.
   */
  async redrive(notificationId: string): Promise<boolean> {
    if (!(await requeueEvent(this.dataSource, notificationId, this.clock.now()))) return false;
    await this.kick();
    return true;
  }

  /**
   * One round: the due events (in the order ECPay's notifications were received), claimed together with one
   * conditional update, then event by event: yield to the event loop (so HTTP requests — ECPay's next notifications —
   * are served between events even when the database driver answers synchronously) and run its handlers under its
   * lease. A failure is recorded at once; the round's `done` marks are written together. Statements per round: the
   * look-up, the claim and its read-back, the done marks (one, as a rule), a failure's update, and a renewal only
   * when a lease left would not outlive the next handler.
   */
  private async dispatchDue(): Promise<{ handled: number; full: boolean }> {
    const due = await this.inbox.find({
      select: { id: true },
      where: this.claimable(this.clock.now()),
      order: { nextAttemptAt: 'ASC' },
      take: this.options.batchSize,
    });
    if (due.length === 0) return { handled: 0, full: false };
    const claimed = await this.claim(due.map(({ id }) => id));
    const done = new DoneMarks(this.dataSource, this.inbox, DONE_MARK_MAX_DELAY_MS);
    let handled = 0;
    try {
      for (const [index, { row, lease }] of claimed.entries()) {
        await yieldToEventLoop();
        if (this.stopping) {
          await this.release(claimed.slice(index).map((event) => event.row));
          break;
        }
        if (row.nextAttemptAt && row.eventName)
          this.telemetry.dispatchLag(row.eventName, (this.clock.now().getTime() - row.nextAttemptAt.getTime()) / 1000);
        const outcome = await this.runHandlers(row, lease, done);
        if (outcome.lost) continue; // taken over: the new holder runs the rest and records the outcome
        if (outcome.failures.length === 0) done.add(row, outcome.completed, lease, this.clock.now().getTime());
        else if (await this.recordFailure(row, outcome.completed, outcome.failures)) handled++;
      }
    } finally {
      await done.flush();
    }
    return { handled: handled + done.written, full: due.length === this.options.batchSize };
  }

  /**
   * Gives back claimed events this instance will not run (it is shutting down): their leases are cleared with a
   * conditional update on the claim's token, so any instance can take them on its next poll. Attempts are untouched:
   * nothing ran.
   */
  private async release(rows: readonly EcpayNotification[]): Promise<void> {
    if (rows.length === 0) return;
    await exclusiveWrite(this.dataSource, () =>
      this.inbox.update(
        { id: In(rows.map((row) => row.id)), lockedBy: rows[0]!.lockedBy! },
        { lockedBy: null, lockedUntil: null },
      ),
    );
  }

  /**
   * Pending, due, and not leased (or its lease expired: its holder died). One condition, the lease's alternative
   * inside it: written as two alternatives of the whole, SQLite read every pending row twice and sorted them all
   * for each round (a backlog of 20,000 events made a look-up take ~50 ms, blocking the event loop); this way every
   * database reads the dispatch index in order and stops at the batch.
   */
  private claimable(now: Date) {
    return {
      dispatchStatus: 'pending' as const,
      nextAttemptAt: LessThanOrEqual(now),
      lockedUntil: Raw((column: string) => `(${column} IS NULL OR ${column} <= :leaseNow)`, { leaseNow: now }),
    };
  }

  /**
   * Takes the events among `ids` that are still claimable with one conditional update of their lease — on every
   * supported database a row goes to one claimant only, whatever the number of app instances — and reads them back,
   * in the order of `ids`. Each claim is signed with its own token, so a lease this instance lost is never mistaken
   * for one it holds. Each event's lease is tracked here by when it ends on this instance's clock.
   */
  private async claim(ids: string[]): Promise<{ row: EcpayNotification; lease: Lease }[]> {
    const token = `${this.instanceId}:${++this.rounds}`;
    const now = this.clock.now();
    const until = now.getTime() + this.options.leaseMs;
    const result = await exclusiveWrite(this.dataSource, () =>
      this.inbox
        .createQueryBuilder()
        .update()
        .set({ lockedBy: token, lockedUntil: new Date(until) })
        .where({ ...this.claimable(now), id: In(ids) })
        .execute(),
    );
    if (result.affected === 0) return [];
    const rows = await this.inbox.findBy({ id: In(ids), lockedBy: token });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.flatMap((id) => {
      const row = byId.get(id);
      return row ? [{ row, lease: { until } }] : [];
    });
  }

  /**
   * Makes sure the lease this instance holds on `row` outlives the next handler (its timeout plus the margin): as
   * it is when the event was just claimed or renewed, else by extending it a full `leaseMs` from now with a
   * conditional update. False when this instance no longer holds it (another instance took the event over).
   */
  private async holdLease(row: EcpayNotification, lease: Lease): Promise<boolean> {
    const now = this.clock.now().getTime();
    if (lease.until - now >= this.handlerTimeoutMs + leaseMarginMs(this.handlerTimeoutMs)) return true;
    const until = now + this.options.leaseMs;
    const result = await exclusiveWrite(this.dataSource, () =>
      this.inbox
        .createQueryBuilder()
        .update()
        .set({ lockedUntil: new Date(until) })
        .where({ id: row.id, lockedBy: row.lockedBy! })
        .execute(),
    );
    if (result.affected !== 1) return false;
    lease.until = until;
    return true;
  }

  /**
   * Runs the handlers that have not yet succeeded for the row's event, one at a time, each with a lease ahead of it
   * that outlives its timeout (`holdLease`). `lost` when the lease was taken over (this instance stalled longer than
   * a lease, or the event waited in a claimed batch until its lease ran out and another instance took it): nothing
   * more runs here, and nothing is recorded.
   */
  private async runHandlers(
    row: EcpayNotification,
    lease: Lease,
    done: DoneMarks,
  ): Promise<{ lost: boolean; completed: string[]; failures: { handlerId: string; error: string }[] }> {
    const completed = new Set(row.completedHandlers ?? []);
    const wanted = row.eventName ? this.handlers.handlersFor(row.eventName).map((handler) => handler.id) : [];
    const remaining = wanted.filter((id) => !completed.has(id));
    const failures: { handlerId: string; error: string }[] = [];
    const event = remaining.length > 0 ? toEvent(row) : undefined;
    const ahead = this.handlerTimeoutMs + leaseMarginMs(this.handlerTimeoutMs);
    for (const handlerId of remaining) {
      // Earlier events' done marks wait only while their leases are sure to outlive this handler.
      if (done.dueBefore(this.clock.now().getTime(), ahead)) await done.flush();
      if (!(await this.holdLease(row, lease))) {
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

  /**
   * A retry with exponential backoff, or — after `maxAttempts` — `failed`, visible with its last error. False when
   * the lease was lost meanwhile.
   */
  private async recordFailure(
    row: EcpayNotification,
    completed: string[],
    failures: readonly { handlerId: string; error: string }[],
  ): Promise<boolean> {
    const attempts = row.attempts + 1;
    const parked = attempts >= this.options.maxAttempts;
    const now = this.clock.now();
    const result = await exclusiveWrite(this.dataSource, () =>
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
    if (result.affected !== 1) return false;
    if (parked) {
      this.logger.error(
        `Event ${row.eventName} ${row.id} parked after ${attempts} attempts; re-drive it once the handler is fixed.`,
      );
    }
    return true;
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
