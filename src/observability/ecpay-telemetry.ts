import { Injectable, Optional } from '@nestjs/common';
import {
  metrics,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Counter,
  type Histogram,
  type MeterProvider,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { InjectEcpayClock, systemClock, type EcpayClock } from '../time/ecpay-clock.js';
import {
  CALL_BUCKETS_S,
  ECPAY_ATTRIBUTES as A,
  ECPAY_INSTRUMENTATION_SCOPE,
  ECPAY_METRICS as M,
  LAG_BUCKETS_S,
  type EcpayCallOutcome,
} from './ecpay-telemetry.names.js';
import { RecentEvents } from './recent-events.js';

/** The instruments of one MeterProvider. */
interface Instruments {
  readonly provider: MeterProvider;
  readonly notificationsReceived: Counter;
  readonly notificationDuration: Histogram;
  readonly dispatchLag: Histogram;
  readonly handlerFailures: Counter;
  readonly clientCalls: Counter;
  readonly clientDuration: Histogram;
  readonly breakerOpenings: Counter;
}

/**
 * The library's metrics and spans, through the OpenTelemetry API only: until the app installs an OpenTelemetry SDK
 * every call here is the API's no-op. The instruments are made from the global MeterProvider the first time they
 * are used after it changes, so an app that starts its SDK after Nest built this service is still measured.
 *
 * Attributes are identifiers (API name, MerchantID, MerchantTradeNo, event id, handler name) and bounded outcomes —
 * never a key, a payload or card data. It also counts rejected notifications in memory (per process) for the
 * health indicator, which works without any SDK.
 */
@Injectable()
export class EcpayTelemetry {
  private instruments: Instruments | undefined;
  private tracerOf: { provider: unknown; tracer: Tracer } | undefined;
  private readonly rejections = new RecentEvents();

  constructor(@Optional() @InjectEcpayClock() private readonly clock: EcpayClock = systemClock) {}

  /** A notification answered: stored (its outcome, or `duplicate`), or not (`store_failed`). */
  notificationReceived(kind: string, outcome: string, seconds: number): void {
    const attributes = { [A.notificationKind]: kind, [A.notificationOutcome]: outcome };
    const meters = this.meters();
    meters.notificationsReceived.add(1, attributes);
    meters.notificationDuration.record(seconds, attributes);
  }

  /** A notification refused before anything was stored: a bad CheckMacValue, a malformed body… */
  notificationRejected(kind: string, reason: string, seconds?: number): void {
    this.rejections.add(this.clock.now());
    const attributes = {
      [A.notificationKind]: kind,
      [A.notificationOutcome]: 'rejected',
      [A.rejectionReason]: reason,
    };
    const meters = this.meters();
    meters.notificationsReceived.add(1, attributes);
    if (seconds !== undefined) meters.notificationDuration.record(seconds, attributes);
  }

  /** How many notifications this process refused in the last `windowMs`. */
  rejectedWithin(windowMs: number): number {
    return this.rejections.countSince(new Date(this.clock.now().getTime() - windowMs));
  }

  /** An event claimed `seconds` after it became due. */
  dispatchLag(eventName: string, seconds: number): void {
    this.meters().dispatchLag.record(Math.max(0, seconds), { [A.eventName]: eventName });
  }

  /** Runs one handler of one event inside a span `ecpay.handler <handler>`; `run` tells whether it succeeded. */
  async handlerRun<T extends { ok: boolean }>(
    handlerName: string,
    event: { id: string; name: string; merchantId: string; merchantTradeNo: string },
    run: () => Promise<T>,
  ): Promise<T> {
    const attributes: Attributes = {
      [A.handlerName]: handlerName,
      [A.eventId]: event.id,
      [A.eventName]: event.name,
      [A.merchantId]: event.merchantId,
      [A.merchantTradeNo]: event.merchantTradeNo,
    };
    return this.tracer().startActiveSpan(`ecpay.handler ${handlerName}`, { attributes }, async (span) => {
      try {
        const result = await run();
        if (!result.ok) {
          this.meters().handlerFailures.add(1, { [A.handlerName]: handlerName, [A.eventName]: event.name });
          // The handler's message stays in the inbox's lastError: it may quote the app's data.
          span.setStatus({ code: SpanStatusCode.ERROR, message: 'handler failed' });
        }
        return result;
      } finally {
        span.end();
      }
    });
  }

  /**
   * Runs one call to ECPay inside a client span `ecpay.call <api>`. `run` gets the span (to add the HTTP status)
   * and returns what to measure; the duration covers the whole call, the breaker's check included.
   */
  async clientCall<T>(
    api: string,
    attributes: Attributes,
    run: (span: Span) => Promise<T>,
    outcomeOf: (error: unknown) => { outcome: EcpayCallOutcome; errorType: string },
  ): Promise<T> {
    const started = performance.now();
    const spanAttributes = { [A.api]: api, ...attributes };
    return this.tracer().startActiveSpan(
      `ecpay.call ${api}`,
      { kind: SpanKind.CLIENT, attributes: spanAttributes },
      async (span) => {
        let outcome: EcpayCallOutcome = 'ok';
        let errorType: string | undefined;
        try {
          return await run(span);
        } catch (error) {
          ({ outcome, errorType } = outcomeOf(error));
          span.setAttribute(A.errorType, errorType);
          span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
          throw error;
        } finally {
          span.end();
          const measured = {
            [A.api]: api,
            [A.callOutcome]: outcome,
            ...(errorType ? { [A.errorType]: errorType } : {}),
          };
          const meters = this.meters();
          meters.clientCalls.add(1, measured);
          meters.clientDuration.record((performance.now() - started) / 1000, measured);
        }
      },
    );
  }

  /** A 403 opened a merchant's breaker. */
  breakerOpened(merchantId: string, api: string): void {
    this.meters().breakerOpenings.add(1, { [A.merchantId]: merchantId, [A.api]: api });
  }

  private tracer(): Tracer {
    const provider = trace.getTracerProvider();
    if (this.tracerOf?.provider !== provider)
      this.tracerOf = { provider, tracer: provider.getTracer(ECPAY_INSTRUMENTATION_SCOPE) };
    return this.tracerOf.tracer;
  }

  private meters(): Instruments {
    const provider = metrics.getMeterProvider();
    if (this.instruments?.provider === provider) return this.instruments;
    const meter = provider.getMeter(ECPAY_INSTRUMENTATION_SCOPE);
    const seconds = (description: string, buckets: number[]) => ({
      description,
      unit: 's',
      advice: { explicitBucketBoundaries: buckets },
    });
    this.instruments = {
      provider,
      notificationsReceived: meter.createCounter(M.notificationsReceived, {
        description: 'Notifications ECPay posted, by kind and outcome.',
        unit: '{notification}',
      }),
      notificationDuration: meter.createHistogram(
        M.notificationDuration,
        seconds('From the guard to the answer: verify, store, answer.', CALL_BUCKETS_S),
      ),
      dispatchLag: meter.createHistogram(
        M.dispatchLag,
        seconds('From when an event became due to its claim by the dispatcher.', LAG_BUCKETS_S),
      ),
      handlerFailures: meter.createCounter(M.handlerFailures, {
        description: 'Handler runs that threw or timed out.',
        unit: '{run}',
      }),
      clientCalls: meter.createCounter(M.clientCalls, {
        description: "Calls to ECPay's server APIs, by API and outcome.",
        unit: '{call}',
      }),
      clientDuration: meter.createHistogram(
        M.clientDuration,
        seconds('One call to ECPay, network included.', CALL_BUCKETS_S),
      ),
      breakerOpenings: meter.createCounter(M.breakerOpenings, {
        description: "403 answers that opened a merchant's breaker.",
        unit: '{opening}',
      }),
    };
    return this.instruments;
  }
}
