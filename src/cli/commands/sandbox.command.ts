import { EcpayConfigError } from '../../errors/ecpay-config.error.js';
import type { EcpaySandboxMerchant } from '../../sandbox/ecpay-sandbox-options.interface.js';
import { CliUsageError, EXIT_FAILED, EXIT_OK, type CliIo } from '../cli-io.js';
import { allowOnly, type CliCommand } from './cli-command.js';

/** ECPay's public stage merchant (docs/protocol.md §4.3): what the sandbox accepts when no --merchant is given. */
const STAGE_MERCHANT: EcpaySandboxMerchant = {
  merchantId: '3002607',
  hashKey: 'pwFHCqoQZGmho4w6',
  hashIv: 'EkRm7iFT261dpevs',
};

/**
 * `ecpay sandbox`: runs the local ECPay stand-in until SIGINT/SIGTERM. Nest is loaded only here (a dynamic import),
 * so the signing commands stay as quick to start as before.
 */
export const sandboxCommand: CliCommand = {
  async run(values, io) {
    allowOnly(values, 'sandbox', ['port', 'host', 'merchant']);
    // A merchant needs its ID with its keys; lone --hash-key/--hash-iv would be silently ambiguous.
    if (values['hash-key'] !== undefined || values['hash-iv'] !== undefined)
      throw new CliUsageError('sandbox takes merchants as --merchant <id>:<hashKey>:<hashIv>');
    const port = parsePort(values.port ?? '4010');
    const host = values.host ?? '127.0.0.1';
    const merchants = (values.merchant ?? []).map(parseMerchant);
    const { startEcpaySandbox } = await import('../../sandbox/start-ecpay-sandbox.js');
    let server: Awaited<ReturnType<typeof startEcpaySandbox>>;
    try {
      server = await startEcpaySandbox({
        port,
        host,
        merchants: merchants.length > 0 ? merchants : [STAGE_MERCHANT],
        logger: ['error', 'warn'],
      });
    } catch (error) {
      if (error instanceof EcpayConfigError) throw new CliUsageError(error.message);
      const code = (error as { code?: unknown }).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        io.stderr(`ecpay: cannot listen on ${host}:${port} (${code})\n`);
        return EXIT_FAILED;
      }
      throw error;
    }
    // Merchant IDs only: HashKey/HashIV are never printed.
    io.stdout(
      `ECPay sandbox listening on ${server.url}\n` +
        `  merchants:   ${(merchants.length > 0 ? merchants : [STAGE_MERCHANT]).map((m) => m.merchantId).join(', ')}\n` +
        `  AioCheckOut: ${server.url}/Cashier/AioCheckOut/V5\n` +
        `  trades:      ${server.url}/__sandbox/trades\n` +
        `Use it with EcpayModule.forRoot({ environment: 'sandbox', sandboxUrl: '${server.url}', ... }). Ctrl+C stops it.\n`,
    );
    await untilStopped(io);
    await server.close();
    io.stdout('ECPay sandbox stopped.\n');
    return EXIT_OK;
  },
};

function untilStopped(io: CliIo): Promise<void> {
  if (io.untilStopped) return io.untilStopped();
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65_535)
    throw new CliUsageError(`--port must be a port number from 0 to 65535 (got "${text}")`);
  return Number(text);
}

function parseMerchant(text: string): EcpaySandboxMerchant {
  const parts = text.split(':');
  if (parts.length !== 3 || parts.some((part) => part === '')) {
    // The value may hold keys: the message does not repeat it.
    throw new CliUsageError('--merchant must be <id>:<hashKey>:<hashIv>');
  }
  const [merchantId, hashKey, hashIv] = parts as [string, string, string];
  return { merchantId, hashKey, hashIv };
}
