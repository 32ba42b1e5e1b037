import { randomUUID } from 'node:crypto';
import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type DataSource, IsNull, LessThanOrEqual, Not, type Repository } from 'typeorm';
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
  /** Events per polling round. Default 20. */
  readonly batchSize?: number;
}

const DEFAULTS: Required<EcpayDispatchOptions> = {
  pollIntervalMs: 1_000,
  maxAttempts: 8,
  backoffMs: 1_000,
  maxBackoffMs: 3_600_000,
  leaseMs: 120_000,
  batchSize: 20,
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

  private async dispatchDue(): Promise<number> {
    const now = this.clock.now();
    const due = await this.inbox.find({
      where: [
        { dispatchStatus: 'pending', nextAttemptAt: LessThanOrEqual(now), lockedUntil: IsNull() },
        { dispatchStatus: 'pending', nextAttemptAt: LessThanOrEqual(now), lockedUntil: LessThanOrEqual(now) },
      ],
      order: { nextAttemptAt: 'ASC' },
      take: this.options.batchSize,
    });
    let handled = 0;
    for (const row of due) {
      const claimed = await this.claim(row);
      if (!claimed) continue; // another instance was faster
      await this.dispatch(claimed);
      handled++;
    }
    return handled;
  }

  /** Takes the row for this instance: one conditional update on its version, so exactly one instance wins. */
  private async claim(row: EcpayNotification): Promise<EcpayNotification | undefined> {
    const lockedUntil = new Date(this.clock.now().getTime() + this.options.leaseMs);
    const result = await exclusiveWrite(this.dataSource, () =>
      this.inbox.update({ id: row.id, version: row.version }, { lockedBy: this.instanceId, lockedUntil }),
    );
    // The row as read is what we need; the later update finds it by our lock, not by its version.
    if (result.affected !== 1) return undefined;
    row.lockedBy = this.instanceId;
    row.lockedUntil = lockedUntil;
    return row;
  }

  private async dispatch(row: EcpayNotification): Promise<void> {
    const completed = new Set(row.completedHandlers ?? []);
    const wanted = row.eventName ? this.handlers.handlersFor(row.eventName).map((handler) => handler.id) : [];
    const remaining = wanted.filter((id) => !completed.has(id));
    const report = remaining.length > 0 ? await this.bus.publish(toEvent(row), { only: remaining }) : { results: [] };
    for (const result of report.results) if (result.ok) completed.add(result.handlerId);
    const failures = report.results.filter((result) => !result.ok);
    const attempts = row.attempts + 1;
    const now = this.clock.now();

    const changes: Partial<Pick<EcpayNotification, 'dispatchStatus' | 'attempts' | 'lastError' | 'nextAttemptAt'>> =
      failures.length === 0
        ? { dispatchStatus: 'done', attempts, lastError: null, nextAttemptAt: null }
        : {
            dispatchStatus: attempts >= this.options.maxAttempts ? 'failed' : 'pending',
            attempts,
            lastError: failures.map((failure) => `${failure.handlerId}: ${'error' in failure ? failure.error : ''}`).join('; ').slice(0, 500),
            nextAttemptAt: attempts >= this.options.maxAttempts ? null : new Date(now.getTime() + this.backoff(attempts)),
          };
    await exclusiveWrite(this.dataSource, () =>
      this.inbox.update(
        { id: row.id, lockedBy: this.instanceId },
        { ...changes, completedHandlers: [...completed], lockedBy: null, lockedUntil: null },
      ),
    );
    if (changes.dispatchStatus === 'failed') {
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
