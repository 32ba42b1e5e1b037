import { randomUUID } from 'node:crypto';
import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { DataSource, Repository } from 'typeorm';
import { In, IsNull, LessThanOrEqual, Not } from '../persistence/typeorm-peer.js';
import { normalizeNotification, type EcpayFormNotificationKind } from '../callbacks/normalize-notification.js';
import type { EcpayEvent } from '../handlers/ecpay-event.interface.js';
import type { EcpayEventBus } from '../handlers/ecpay-event.bus.js';
import type { EcpayHandlerRegistry } from '../handlers/ecpay-handler.registry.js';
import { exclusiveWrite } from '../persistence/exclusive-write.js';
import type { EcpayClock } from '../time/ecpay-clock.js';
import { parseEcpayDateTime } from '../time/ecpay-time.js';
import { EcpayNotification } from './ecpay-notification.entity.js';

/** How the inbox is dispatched to `@OnEcpayEvent` handlers. @publicApi */
export interface EcpayDispatchOptions {
  /** How often to look for due events (retries, and events left over by a crash). 0 turns polling off. Default 1,000 ms. */
  readonly pollIntervalMs?: number;
  /** Runs per event before it is parked as `failed` (visible; re-drive with `redrive`). Default 8. */
  readonly maxAttempts?: number;
  /** The first retry's delay; each next one doubles, up to `maxBackoffMs`. Default 1,000 ms. */
  readonly backoffMs?: number;
  /** Default 1 hour. */
  readonly maxBackoffMs?: number;
  /**
   * How long an instance holds a claimed event. Longer than the handlers' timeout (30 s by default), so no other
   * instance takes over an event whose handlers are still running. Default 120,000 ms.
   */
  readonly leaseMs?: number;
  /** Events claimed per round (one query claims them all). Default 50. */
  readonly batchSize?: number;
}

const DEFAULTS: Required<EcpayDispatchOptions> = {
  pollIntervalMs: 1_000,
  maxAttempts: 8,
  backoffMs: 1_000,
  maxBackoffMs: 3_600_000,
  leaseMs: 120_000,
  batchSize: 50,
};

/**
 * Delivers each inbox event to its handlers at least once: after the notification's commit (`kick`), and by
 * polling, which also picks up what a crash or restart left pending. An instance claims an event by a conditional
 * update of its version (one winner among any number of app instances, on every supported database), runs the
 * handlers that have not yet succeeded for it, and records the outcome: done, or a retry with exponential backoff,
 * or — after `maxAttempts` — `failed` with the last error, until someone calls `redrive`.
 *
 * @publicApi
 */
export class EcpayNotificationDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EcpayDispatcher');
  private readonly options: Required<EcpayDispatchOptions>;
  /** Names this instance in the inbox's lock column. */
  readonly instanceId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly inbox: Repository<EcpayNotification>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private rerun = false;
  /** Numbers this instance's claiming rounds, to sign each claim. */
  private rounds = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: EcpayEventBus,
    private readonly handlers: EcpayHandlerRegistry,
    private readonly clock: EcpayClock,
    options: EcpayDispatchOptions = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
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
    const result = await exclusiveWrite(this.dataSource, () =>
      this.inbox.update(
        { id: notificationId, eventName: Not(IsNull()) },
        { dispatchStatus: 'pending', attempts: 0, nextAttemptAt: this.clock.now(), lastError: null, lockedBy: null, lockedUntil: null },
      ),
    );
    if (result.affected !== 1) return false;
    await this.kick();
    return true;
  }

  /**
   * One round: the due events' ids, one claim for all of them, the handlers event by event (in the order ECPay's
   * notifications were received), then one update for every event that completed and one per failure.
   */
  private async dispatchDue(): Promise<number> {
    const now = this.clock.now();
    const due = await this.inbox.find({
      select: { id: true },
      where: [
        { dispatchStatus: 'pending', nextAttemptAt: LessThanOrEqual(now), lockedUntil: IsNull() },
        { dispatchStatus: 'pending', nextAttemptAt: LessThanOrEqual(now), lockedUntil: LessThanOrEqual(now) },
      ],
      order: { nextAttemptAt: 'ASC' },
      take: this.options.batchSize,
    });
    if (due.length === 0) return 0;
    const { token, claimed } = await this.claim(due.map((row) => row.id), now);
    const completedAlike = new Map<string, string[]>(); // completed handler ids (JSON) → ids of events done with them
    for (const row of claimed) {
      const outcome = await this.runHandlers(row);
      if (outcome.failures.length === 0) {
        const key = JSON.stringify(outcome.completed);
        completedAlike.set(key, [...(completedAlike.get(key) ?? []), row.id]);
      } else {
        await this.recordFailure(row, outcome.completed, outcome.failures);
      }
    }
    for (const [key, ids] of completedAlike) {
      await exclusiveWrite(this.dataSource, () =>
        this.inbox.update(
          { id: In(ids), lockedBy: token },
          {
            dispatchStatus: 'done',
            attempts: () => `${this.dataSource.driver.escape('attempts')} + 1`,
            lastError: null,
            nextAttemptAt: null,
            completedHandlers: JSON.parse(key) as string[],
            lockedBy: null,
            lockedUntil: null,
          },
        ),
      );
    }
    return claimed.length;
  }

  /**
   * Takes the due rows for this round with one conditional update — on every supported database a row goes to one
   * claimant only, whatever the number of app instances — and reads back the ones this round won. Each round signs
   * its claim with its own token, so a row it lost and another round of this instance won is not mistaken for its own.
   */
  private async claim(ids: readonly string[], now: Date): Promise<{ token: string; claimed: EcpayNotification[] }> {
    const token = `${this.instanceId}:${++this.rounds}`;
    const lockedUntil = new Date(now.getTime() + this.options.leaseMs);
    const open = { id: In([...ids]), dispatchStatus: 'pending' as const };
    await exclusiveWrite(this.dataSource, () =>
      this.inbox
        .createQueryBuilder()
        .update()
        .set({ lockedBy: token, lockedUntil })
        .where([
          { ...open, lockedUntil: IsNull() },
          { ...open, lockedUntil: LessThanOrEqual(now) },
        ])
        .execute(),
    );
    const won = await this.inbox.find({ where: { id: In([...ids]), lockedBy: token } });
    const order = new Map(ids.map((id, index) => [id, index]));
    return { token, claimed: won.sort((a, b) => order.get(a.id)! - order.get(b.id)!) };
  }

  /** Runs the handlers that have not yet succeeded for the row's event. */
  private async runHandlers(row: EcpayNotification): Promise<{ completed: string[]; failures: { handlerId: string; error: string }[] }> {
    const completed = new Set(row.completedHandlers ?? []);
    const wanted = row.eventName ? this.handlers.handlersFor(row.eventName).map((handler) => handler.id) : [];
    const remaining = wanted.filter((id) => !completed.has(id));
    const report = remaining.length > 0 ? await this.bus.publish(toEvent(row), { only: remaining }) : { results: [] };
    const failures: { handlerId: string; error: string }[] = [];
    for (const result of report.results) {
      if (result.ok) completed.add(result.handlerId);
      else failures.push({ handlerId: result.handlerId, error: 'error' in result ? String(result.error) : '' });
    }
    return { completed: [...completed], failures };
  }

  /** A retry with exponential backoff, or — after `maxAttempts` — `failed`, visible with its last error. */
  private async recordFailure(row: EcpayNotification, completed: string[], failures: readonly { handlerId: string; error: string }[]): Promise<void> {
    const attempts = row.attempts + 1;
    const parked = attempts >= this.options.maxAttempts;
    const now = this.clock.now();
    await exclusiveWrite(this.dataSource, () =>
      this.inbox.update(
        { id: row.id, lockedBy: row.lockedBy! },
        {
          dispatchStatus: parked ? 'failed' : 'pending',
          attempts,
          lastError: failures.map((failure) => `${failure.handlerId}: ${failure.error}`).join('; ').slice(0, 500),
          nextAttemptAt: parked ? null : new Date(now.getTime() + this.backoff(attempts)),
          completedHandlers: completed,
          lockedBy: null,
          lockedUntil: null,
        },
      ),
    );
    if (parked) {
      this.logger.error(`Event ${row.eventName} ${row.id} parked after ${attempts} attempts; re-drive it once the handler is fixed.`);
    }
  }

  private backoff(attempts: number): number {
    return Math.min(this.options.backoffMs * 2 ** (attempts - 1), this.options.maxBackoffMs);
  }
}

/** The event of an inbox row: its id is the row's, so every redelivery carries the same one. */
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
    data: { kind: row.kind, outcome: row.outcome, ...normalized(row) },
    raw: payload,
  };
}

const FORM_KINDS: ReadonlySet<string> = new Set<EcpayFormNotificationKind>(['aio-return', 'period-return', 'payment-info']);

/**
 * The same normalised fields the callback's DTO validated (numbers, booleans, Asia/Taipei dates). Payloads that did
 * not come through a DTO (JSON envelopes, rows written by other code) get their amounts as numbers at least.
 */
function normalized(row: EcpayNotification): Record<string, unknown> {
  const payload = row.payload ?? {};
  if (FORM_KINDS.has(row.kind)) {
    try {
      const { raw: _raw, ...fields } = normalizeNotification(row.kind as EcpayFormNotificationKind, payload as Record<string, string>);
      return fields;
    } catch {
      // fall through to the minimal form
    }
  }
  return { RtnCode: Number(payload.RtnCode), ...numbers(payload) };
}

function ecpayDate(value: unknown): Date | undefined {
  try {
    return typeof value === 'string' ? parseEcpayDateTime(value) : undefined;
  } catch {
    return undefined;
  }
}

/** Amounts as numbers, under ECPay's own names like the DTOs use. */
function numbers(payload: Record<string, unknown>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const name of ['TradeAmt', 'Amount', 'PaymentTypeChargeFee', 'TotalSuccessTimes']) {
    if (payload[name] !== undefined && payload[name] !== '' && Number.isFinite(Number(payload[name]))) result[name] = Number(payload[name]);
  }
  return result;
}
