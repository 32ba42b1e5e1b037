import { parseArgs } from 'node:util';
import { EcpayError } from '../errors/ecpay.error.js';
import { type CliIo, CliUsageError, EXIT_FAILED, EXIT_USAGE } from './cli-io.js';
import { checkmacCommand } from './commands/checkmac.command.js';
import { decryptCommand } from './commands/decrypt.command.js';
import { encryptCommand } from './commands/encrypt.command.js';
import { eventsCommand } from './commands/events.command.js';
import { actionsCommand } from './commands/actions.command.js';
import { sandboxCommand } from './commands/sandbox.command.js';
import { verifyCommand } from './commands/verify.command.js';
import type { CliCommand, CliValues } from './commands/cli-command.js';
import { USAGE } from './usage.js';

const COMMANDS: Record<string, CliCommand> = {
  checkmac: checkmacCommand,
  verify: verifyCommand,
  encrypt: encryptCommand,
  decrypt: decryptCommand,
  sandbox: sandboxCommand,
  events: eventsCommand,
  actions: actionsCommand,
};

const OPTIONS = {
  'hash-key': { type: 'string' },
  'hash-iv': { type: 'string' },
  md5: { type: 'boolean' },
  sha256: { type: 'boolean' },
  'json-mac': { type: 'boolean' },
  mac: { type: 'string' },
  explain: { type: 'boolean' },
  php: { type: 'boolean' },
  raw: { type: 'boolean' },
  gcm: { type: 'boolean' },
  'iv-hex': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  merchant: { type: 'string', multiple: true },
  url: { type: 'string' },
  'data-source': { type: 'string', short: 'd' },
  status: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
  outcome: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs the `ecpay` command line and returns its exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    const [name, ...extra] = positionals;
    const command = name === undefined ? undefined : COMMANDS[name];
    if (!command) throw new CliUsageError(name === undefined ? 'missing command' : `unknown command "${name}"`);
    if (extra.length > 0 && !command.takesArguments) throw new CliUsageError(`unexpected argument "${extra[0]}"`);
    return await command.run(values as CliValues, io, extra);
  } catch (error) {
    if (error instanceof CliUsageError || isParseArgsError(error)) {
      io.stderr(`ecpay: ${(error as Error).message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    // Our errors are written to be safe to show (no keys, no plaintext); anything else gets a generic line.
    io.stderr(`ecpay: ${error instanceof EcpayError ? error.message : 'unexpected failure'}\n`);
    return EXIT_FAILED;
  }
}

const isParseArgsError = (error: unknown): boolean =>
  typeof (error as { code?: unknown })?.code === 'string' &&
  (error as { code: string }).code.startsWith('ERR_PARSE_ARGS');
