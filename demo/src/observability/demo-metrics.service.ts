import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

/**
 * The demo's OpenTelemetry metrics SDK: a MeterProvider read by the Prometheus exporter, installed as the global
 * provider that nestjs-ecpay's instruments report to. The exporter's own HTTP server stays off; the shop serves
 * the text at GET /metrics itself. A real app would start its SDK in a file loaded before Nest (and usually push
 * to a collector); the library picks the provider up either way.
 */
@Injectable()
export class DemoMetricsService implements OnApplicationShutdown {
  private readonly exporter = new PrometheusExporter({ preventServerStart: true });
  private readonly provider = new MeterProvider({ readers: [this.exporter] });
  private readonly serializer = new PrometheusSerializer();

  constructor() {
    metrics.setGlobalMeterProvider(this.provider);
  }

  /** Prometheus' text exposition format of everything measured so far. */
  async prometheusText(): Promise<string> {
    const { resourceMetrics } = await this.exporter.collect();
    return this.serializer.serialize(resourceMetrics);
  }

  async onApplicationShutdown(): Promise<void> {
    // Only our own provider is removed: a test may run several demo apps in one process, one after another.
    if (metrics.getMeterProvider() === this.provider) metrics.disable();
    await this.provider.shutdown();
  }
}
