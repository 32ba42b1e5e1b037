import { Test } from '@nestjs/testing';
import { EcpayModule, type EcpayModuleOptions } from '../../src/index.js';

/** The public stage merchant of PROTOCOL.md §4 — for tests only, never a default. */
export const STAGE_MERCHANT = { merchantId: '3002607', hashKey: 'pwFHCqoQZGmho4w6', hashIv: 'EkRm7iFT261dpevs' } as const;

/** Compiles a testing module with EcpayModule.forRoot(options) and returns it (close it after use). */
export async function compileEcpay(options: Partial<EcpayModuleOptions> = {}) {
  return Test.createTestingModule({
    imports: [EcpayModule.forRoot({ environment: 'stage', ...STAGE_MERCHANT, ...options } as EcpayModuleOptions)],
  }).compile();
}
