import type { INestApplication, LoggerService, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { EcpayModule, EcpaySandboxModule, type EcpayModuleOptions } from '../../src/index.js';
import { freePort } from './free-port.js';
import { STAGE_MERCHANT, testDatabase } from './test-module.js';

/** Options of {@link startEcpayWithSandbox}. */
export interface SandboxAppOptions {
  readonly ecpay?: Partial<EcpayModuleOptions>;
  /** The sandbox's re-post delays; default two quick re-posts. */
  readonly retrySchedule?: readonly number[];
  readonly imports?: readonly Type<unknown>[];
  readonly logger?: LoggerService | false;
}

/**
 * The library and the sandbox in ONE app on a free loopback port, as the demo runs offline: EcpayModule
 * (environment `sandbox`, the stage merchant, sql.js in memory, dispatch without polling) sends checkouts and API
 * calls to the sandbox at `/ecpay-sandbox`, which posts its notifications back to the library's callback routes.
 */
export async function startEcpayWithSandbox(
  options: SandboxAppOptions = {},
): Promise<{ app: INestApplication; base: string }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const module = await Test.createTestingModule({
    imports: [
      testDatabase(),
      EcpayModule.forRoot({
        environment: 'sandbox',
        ...STAGE_MERCHANT,
        publicUrl: base,
        sandboxUrl: `${base}/ecpay-sandbox`,
        dispatch: { pollIntervalMs: 0 },
        ...options.ecpay,
      } as EcpayModuleOptions),
      EcpaySandboxModule.forRoot({
        prefix: '/ecpay-sandbox',
        merchants: [STAGE_MERCHANT],
        retrySchedule: options.retrySchedule ?? [20, 20],
      }),
      ...(options.imports ?? []),
    ],
  }).compile();
  const app = module.createNestApplication({ rawBody: true, logger: options.logger ?? false });
  await app.listen(port, '127.0.0.1');
  return { app, base };
}
