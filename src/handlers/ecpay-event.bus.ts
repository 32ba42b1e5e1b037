import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { EcpayEvent } from './ecpay-event.interface.js';
import type {
  EcpayDispatchReport,
  EcpayEventBusOptions,
  EcpayHandlerRef,
  EcpayHandlerResult,
  EcpayPublishOptions,
} from './ecpay-handler.interface.js';
import { EcpayHandlerRegistry } from './ecpay-handler.registry.js';
import {
  DEFAULT_HANDLER_TIMEOUT_MS,
  ECPAY_EVENT_BUS_OPTIONS,
  MAX_HANDLER_TIMEOUT_MS,
} from './ecpay-handlers.constants.js';
import { HANDLER_FAILED, HANDLER_TIMED_OUT, UNKNOWN_HANDLER } from './ecpay-handlers.messages.js';
import { handlerErrorMessage } from './handler-error-message.js';

export type { EcpayDispatchReport, EcpayHandlerRef, EcpayHandlerResult } from './ecpay-handler.interface.js';

/**
 * Delivers an {@link EcpayEvent} to its `@OnEcpayEvent` handlers, in process. Every handler is isolated (a throw,
 * a rejection or a timeout fails that handler only) and the outcome of each comes back in an
 * {@link EcpayDispatchReport}. The bus does not retry and remembers nothing: the durable inbox dispatcher does,
 * re-driving the failed handler ids with `publish(event, { only })`.
 *
 * Handlers run **one after another**, in id order. Payment handlers mostly write to the same order, trade or
 * ledger rows; running them concurrently would interleave those writes (and their connection-pool use) in an order
 * that changes from run to run, which is the hardest kind of bug to reproduce around money. Sequential runs give
 * the same order, logs and report every time. Latency is not at stake: the notification was acknowledged to ECPay
 * before dispatch, and each handler is bounded by its timeout.
 *
 * @publicApi
 */
@Injectable()
export class EcpayEventBus {
  private readonly logger = new Logger(EcpayEventBus.name);
  /** Each handler's time limit when a publish names none, in ms (default 30,000). */
  readonly timeoutMs: number;

  constructor(
    private readonly registry: EcpayHandlerRegistry,
    @Optional() @Inject(ECPAY_EVENT_BUS_OPTIONS) options?: EcpayEventBusOptions,
  ) {
    this.timeoutMs = checkTimeout(options?.timeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS, 'EcpayEventBusOptions.timeoutMs');
  }

  /**
   * Runs every handler of `event.name` and every `'*'` handler (or, with `only`, just those ids) and reports each.
   * Never rejects because of a handler.
   */
  async publish(event: EcpayEvent<object>, options: EcpayPublishOptions = {}): Promise<EcpayDispatchReport> {
    const timeoutMs = options.timeoutMs === undefined ? this.timeoutMs : checkTimeout(options.timeoutMs, 'timeoutMs');
    const matching = this.registry.handlersFor(event.name);
    const results: EcpayHandlerResult[] = [];
    if (options.only === undefined) {
      for (const handler of matching) results.push(await this.run(handler, event, timeoutMs));
      return { eventId: event.id, results };
    }
    const wanted = new Set(options.only);
    for (const handler of matching) if (wanted.has(handler.id)) results.push(await this.run(handler, event, timeoutMs));
    // A recorded id that no longer matches must stay visible (and fail), not vanish from the dispatcher's books.
    const known = new Set(matching.map((handler) => handler.id));
    for (const id of wanted) {
      if (known.has(id)) continue;
      const error = UNKNOWN_HANDLER(id, event.name);
      this.logger.error(HANDLER_FAILED(id, event.name, event.id, 0, error));
      results.push({ handlerId: id, ok: false, error, durationMs: 0 });
    }
    return { eventId: event.id, results };
  }

  private async run(
    handler: EcpayHandlerRef,
    event: EcpayEvent<object>,
    timeoutMs: number,
  ): Promise<EcpayHandlerResult> {
    const started = performance.now();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new Error(HANDLER_TIMED_OUT(timeoutMs));
        controller.abort(error);
        reject(error);
      }, timeoutMs);
    });
    try {
      // The executor turns a synchronous throw into a rejection, and adopts any thenable the handler returns.
      const running = new Promise<unknown>((resolve) =>
        resolve(handler.invoke(event, { handlerId: handler.id, signal: controller.signal })),
      );
      // A handler that settles after its timeout is still observed by race(), so a late rejection is not "unhandled".
      await Promise.race([running, timeout]);
      return { handlerId: handler.id, ok: true, durationMs: elapsed(started) };
    } catch (thrown) {
      const durationMs = elapsed(started);
      const error = handlerErrorMessage(thrown, event);
      // The redacted message only: never the error object (its stack and properties) nor the event.
      this.logger.error(HANDLER_FAILED(handler.id, event.name, event.id, durationMs, error));
      return { handlerId: handler.id, ok: false, error, durationMs };
    } finally {
      clearTimeout(timer);
    }
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

function checkTimeout(value: number, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_HANDLER_TIMEOUT_MS) {
    throw new RangeError(
      `${name} must be a number of milliseconds between 1 and ${MAX_HANDLER_TIMEOUT_MS} (got ${String(value)})`,
    );
  }
  return value;
}
