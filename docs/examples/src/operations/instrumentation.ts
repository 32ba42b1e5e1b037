// Load this file before Nest (`node --import ./dist/operations/instrumentation.js dist/main.js`, or import it first in
// main.ts): it installs the OpenTelemetry SDK that nestjs-ecpay's metrics and spans report to. Without it they
// are the OpenTelemetry API's no-ops.
import { metrics, trace } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, ConsoleSpanExporter } from '@opentelemetry/sdk-trace-base';

// Metrics: Prometheus scrapes http://<host>:9464/metrics (the exporter's own server).
const meterProvider = new MeterProvider({ readers: [new PrometheusExporter({ port: 9464 })] });
metrics.setGlobalMeterProvider(meterProvider);

// Spans: `ecpay.call <api>` around each call to ECPay, `ecpay.handler <handler>` around each handler run. Swap the
// console exporter for your backend's (OTLP, Jaeger…).
const tracerProvider = new BasicTracerProvider({
  spanProcessors: [new BatchSpanProcessor(new ConsoleSpanExporter())],
});
trace.setGlobalTracerProvider(tracerProvider);

process.once('SIGTERM', () => void Promise.all([meterProvider.shutdown(), tracerProvider.shutdown()]));
