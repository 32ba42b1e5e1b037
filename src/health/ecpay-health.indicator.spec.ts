import { describe, expect, it } from '@jest/globals';
import { HealthIndicatorService } from '@nestjs/terminus';
import { EcpayHealthIndicator } from './ecpay-health.indicator.js';
import type { EcpayHealthProbe, EcpayHealthReport } from './ecpay-health.probe.js';

const report = (status: EcpayHealthReport['status'], problems: string[] = []): EcpayHealthReport => ({
  status,
  problems,
  database: status === 'down' ? 'down' : 'up',
  breakers: [],
  oldestPendingAgeSeconds: null,
  parkedEvents: problems.length,
  retryingEvents: 0,
  rejectedNotifications: 0,
  rejectionWindowSeconds: 900,
});
const probeSaying = (said: EcpayHealthReport) => ({ check: async () => said }) as unknown as EcpayHealthProbe;

/** Terminus before 12.1: sessions have up() and down() only. */
class OldTerminusIndicators {
  check(key: string) {
    return {
      up: (data: object) => ({ [key]: { status: 'up', ...data } }),
      down: (data: object) => ({ [key]: { status: 'down', ...data } }),
    };
  }
}

describe('EcpayHealthIndicator', () => {
  it('maps the report onto terminus: up, degraded, down, with every figure', async () => {
    const indicators = new HealthIndicatorService();
    const up = await new EcpayHealthIndicator(indicators, probeSaying(report('up'))).isHealthy('ecpay');
    expect(up.ecpay).toMatchObject({ status: 'up', database: 'up', problems: [] });
    const degraded = await new EcpayHealthIndicator(
      indicators,
      probeSaying(report('degraded', ['1 event(s) parked after failing'])),
    ).isHealthy('ecpay');
    expect(degraded.ecpay).toMatchObject({ status: 'degraded', parkedEvents: 1 });
    const down = await new EcpayHealthIndicator(indicators, probeSaying(report('down'))).isHealthy('payments');
    expect(down.payments).toMatchObject({ status: 'down', database: 'down' });
  });

  it('on a terminus without degraded, reports up with degraded: true (never down for a parked event)', async () => {
    const indicators = new OldTerminusIndicators() as unknown as HealthIndicatorService;
    const result = await new EcpayHealthIndicator(indicators, probeSaying(report('degraded', ['x']))).isHealthy();
    expect(result.ecpay).toMatchObject({ status: 'up', degraded: true, problems: ['x'] });
  });
});
