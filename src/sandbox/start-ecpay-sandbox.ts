import type { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import type { EcpaySandboxOptions } from './ecpay-sandbox-options.interface.js';
import { EcpaySandboxModule } from './ecpay-sandbox.module.js';
import { EcpaySandboxNotifier } from './ecpay-sandbox.notifier.js';
import { EcpaySandboxStore } from './ecpay-sandbox.store.js';

/** Options of {@link startEcpaySandbox}: the module's, plus where to listen. @publicApi */
export interface EcpaySandboxServerOptions extends EcpaySandboxOptions {
  /** TCP port; 0 (the default) picks a free one — read it from `url`. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`: the sandbox is for this machine. */
  host?: string;
  /** Nest's logger: `false` (the default) for none, log levels, or a logger. */
  logger?: false | LogLevel[] | LoggerService;
}

/** A running sandbox. @publicApi */
export interface EcpaySandboxServer {
  /** Base URL, prefix included: give it to EcpayModule as `sandboxUrl`. */
  readonly url: string;
  readonly port: number;
  readonly app: INestApplication;
  readonly store: EcpaySandboxStore;
  readonly notifier: EcpaySandboxNotifier;
  /** Stops listening and cancels scheduled notification re-posts. */
  close(): Promise<void>;
}

/**
 * Runs the sandbox alone, in its own Nest app (Express), e.g. for another process's tests or the `ecpay sandbox`
 * command.
 *
 * @example
 * const sandbox = await startEcpaySandbox({ retrySchedule: [50, 50, 50, 50] });
 * // EcpayModule.forRoot({ environment: 'sandbox', sandboxUrl: sandbox.url, ... })
 * await sandbox.close();
 * @publicApi
 */
export async function startEcpaySandbox(options: EcpaySandboxServerOptions = {}): Promise<EcpaySandboxServer> {
  const { port = 0, host = '127.0.0.1', logger = false, ...moduleOptions } = options;
  const app = await NestFactory.create(EcpaySandboxModule.forRoot(moduleOptions), { rawBody: true, logger });
  await app.listen(port, host);
  const address = app.getHttpServer().address() as AddressInfo;
  const store = app.get(EcpaySandboxStore);
  const prefix = (moduleOptions.prefix ?? '').replace(/^\/*/, '/').replace(/\/+$/, '');
  return {
    url: `http://${urlHost(host)}:${address.port}${prefix}`,
    port: address.port,
    app,
    store,
    notifier: app.get(EcpaySandboxNotifier),
    close: () => app.close(),
  };
}

/** A wildcard address is not something to browse to; IPv6 literals need brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
