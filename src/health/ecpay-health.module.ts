import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import {
  ECPAY_HEALTH_OPTIONS,
  resolveEcpayHealthOptions,
  type EcpayHealthOptions,
} from './ecpay-health-options.interface.js';
import { EcpayHealthIndicator } from './ecpay-health.indicator.js';
import { EcpayHealthProbe } from './ecpay-health.probe.js';

/**
 * Provides {@link EcpayHealthIndicator} (and the terminus-free {@link EcpayHealthProbe}) beside `EcpayModule`.
 * Its own entry point, `nestjs-ecpay/health`, so that `@nestjs/terminus` stays an optional peer: apps that never
 * import this module never load it.
 *
 * @publicApi
 */
@Module({})
export class EcpayHealthModule {
  /** Throws {@link EcpayConfigError} naming every threshold that is not a whole number of at least 0. */
  static forRoot(options: EcpayHealthOptions = {}): DynamicModule {
    const resolved = resolveEcpayHealthOptions(options);
    return {
      module: EcpayHealthModule,
      imports: [TerminusModule],
      providers: [{ provide: ECPAY_HEALTH_OPTIONS, useValue: resolved }, EcpayHealthProbe, EcpayHealthIndicator],
      exports: [EcpayHealthIndicator, EcpayHealthProbe],
    };
  }
}
