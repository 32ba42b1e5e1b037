import { describe, expect, it } from '@jest/globals';
import { EcpayConfigError } from '../errors/ecpay-config.error.js';
import { ECPAY_HEALTH_DEFAULTS, resolveEcpayHealthOptions } from './ecpay-health-options.interface.js';

describe('resolveEcpayHealthOptions', () => {
  it('fills in the defaults and keeps what the app set', () => {
    expect(resolveEcpayHealthOptions({ maxParkedEvents: 3 })).toEqual({ ...ECPAY_HEALTH_DEFAULTS, maxParkedEvents: 3 });
  });

  it('refuses thresholds that would make the indicator always or never degraded, naming each', () => {
    const error = (() => {
      try {
        resolveEcpayHealthOptions({ maxRejections: -1, rejectionWindowMs: 0, maxPendingAgeMs: 1.5 });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(EcpayConfigError);
    expect((error as EcpayConfigError).issues.map((issue) => issue.option).sort()).toEqual([
      'health.maxPendingAgeMs',
      'health.maxRejections',
      'health.rejectionWindowMs',
    ]);
  });
});
