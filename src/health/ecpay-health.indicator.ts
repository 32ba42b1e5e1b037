import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { EcpayHealthProbe, type EcpayHealthReport } from './ecpay-health.probe.js';

/** Terminus before 12.1 knows only `up` and `down`. */
interface SessionWithDegraded {
  degraded?: (data: Record<string, unknown>) => HealthIndicatorResult;
}

/**
 * The ECPay health indicator for `@nestjs/terminus`: `down` (HTTP 503 from `HealthCheckService`) when the database
 * cannot be reached — notifications cannot be stored, so none is acknowledged — and `degraded` when the app still
 * serves but something wants a look: an open 403 breaker (with its reopening time), a parked or retrying event,
 * an event waiting too long, refused notifications. Terminus 12.1 and later report `degraded` as such (HTTP 200);
 * older versions get `up` with `degraded: true`. Every figure is in the result, with `problems` in words.
 *
 * @example
 * @Get('health') @HealthCheck()
 * check() { return this.health.check([() => this.ecpay.isHealthy('ecpay')]); }
 *
 * @publicApi
 */
@Injectable()
export class EcpayHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly probe: EcpayHealthProbe,
  ) {}

  async isHealthy<const Key extends string = 'ecpay'>(key: Key = 'ecpay' as Key): Promise<HealthIndicatorResult<Key>> {
    const report = await this.probe.check();
    const session = this.indicators.check(key);
    const details = detailsOf(report);
    if (report.status === 'down') return session.down(details);
    if (report.status === 'up') return session.up(details);
    const degraded = (session as unknown as SessionWithDegraded).degraded;
    return (
      degraded ? degraded.call(session, details) : session.up({ ...details, degraded: true })
    ) as HealthIndicatorResult<Key>;
  }
}

/** The report without its status (terminus owns that key). */
function detailsOf(report: EcpayHealthReport): Record<string, unknown> {
  const { status: _status, ...details } = report;
  return details;
}
