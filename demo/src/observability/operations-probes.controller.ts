import { Controller, Get, Header } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { EcpayHealthIndicator } from 'nestjs-ecpay/health';
import { DemoMetricsService } from './demo-metrics.service.js';

/**
 * What a load balancer and Prometheus read: GET /health (terminus; 503 only when the database is unreachable,
 * `degraded` with the reasons otherwise) and GET /metrics (Prometheus text from the OpenTelemetry SDK).
 */
@Controller()
export class OperationsProbesController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly ecpay: EcpayHealthIndicator,
    private readonly metrics: DemoMetricsService,
  ) {}

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.ecpay.isHealthy('ecpay')]);
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  prometheus(): Promise<string> {
    return this.metrics.prometheusText();
  }
}
