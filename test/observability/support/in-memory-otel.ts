import { metrics, trace } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  MeterProvider,
  MetricReader,
  type DataPoint,
  type Histogram,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';

/** Collects on demand: no timers in the tests. */
class PullReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

type Attributes = Record<string, unknown>;

/**
 * An OpenTelemetry SDK in memory, installed as the global meter and tracer providers (what an app's
 * instrumentation file does), with the readings the tests assert on.
 */
export class InMemoryOtel {
  private readonly reader = new PullReader();
  private readonly meterProvider = new MeterProvider({ readers: [this.reader] });
  readonly spanExporter = new InMemorySpanExporter();
  private readonly tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(this.spanExporter)],
  });

  install(): this {
    metrics.disable();
    trace.disable();
    metrics.setGlobalMeterProvider(this.meterProvider);
    trace.setGlobalTracerProvider(this.tracerProvider);
    return this;
  }

  async uninstall(): Promise<void> {
    await this.meterProvider.shutdown();
    await this.tracerProvider.shutdown();
    metrics.disable();
    trace.disable();
  }

  /** Every data point of the metric `name` (cumulative since install). */
  async points(name: string): Promise<DataPoint<unknown>[]> {
    const { resourceMetrics } = await this.reader.collect();
    return resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .filter((metric) => metric.descriptor.name === name)
      .flatMap((metric) => metric.dataPoints as DataPoint<unknown>[]);
  }

  /** The sum of a counter over the points whose attributes include `where`; for a histogram, its count. */
  async count(name: string, where: Attributes = {}): Promise<number> {
    return (await this.points(name))
      .filter((point) => Object.entries(where).every(([key, value]) => point.attributes[key] === value))
      .reduce(
        (total, point) => total + (typeof point.value === 'number' ? point.value : (point.value as Histogram).count),
        0,
      );
  }

  /** Everything the SDK would export, as text: for scanning it for secrets. */
  async exportedText(): Promise<string> {
    const { resourceMetrics } = await this.reader.collect();
    const spans = this.spans().map((span) => ({
      name: span.name,
      attributes: span.attributes,
      events: span.events,
      status: span.status,
    }));
    return JSON.stringify({ metrics: resourceMetrics.scopeMetrics, spans });
  }

  spans(name?: string): ReadableSpan[] {
    return this.spanExporter.getFinishedSpans().filter((span) => name === undefined || span.name === name);
  }
}

export { DataPointType };
