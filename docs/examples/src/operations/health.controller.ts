import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { EcpayHealthIndicator } from 'nestjs-ecpay/health';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly ecpay: EcpayHealthIndicator,
  ) {}

  /** 503 when the database is unreachable; 200 `degraded`, with the reasons, when something only wants a look. */
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.ecpay.isHealthy('ecpay')]);
  }
}
