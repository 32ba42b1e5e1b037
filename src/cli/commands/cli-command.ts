import { CliUsageError, type CliIo } from '../cli-io.js';
import type { EcpayKeys } from '../../signing/check-mac-value.js';
import { HASH_KEY_LENGTH } from '../../rules/index.js';

/** The parsed command-line options (see usage.ts). */
export interface CliValues {
  'hash-key'?: string;
  'hash-iv'?: string;
  md5?: boolean;
  sha256?: boolean;
  'json-mac'?: boolean;
  mac?: string;
  explain?: boolean;
  php?: boolean;
  raw?: boolean;
  gcm?: boolean;
  'iv-hex'?: string;
  port?: string;
  host?: string;
  merchant?: string[];
  url?: string;
  'data-source'?: string;
  status?: string;
  limit?: string;
  json?: boolean;
  outcome?: string;
}

export interface CliCommand {
  /** `args`: the words after the command's name (`events list` → `['list']`), for commands with subcommands. */
  run(values: CliValues, io: CliIo, args: readonly string[]): Promise<number>;
  /** Whether the command reads words after its name; the others refuse them as a usage error. */
  readonly takesArguments?: boolean;
}

/** HashKey/HashIV from the flags or, better, the environment. Length is checked: AES needs exactly 16 bytes. */
export function keysFrom(values: CliValues, io: CliIo, { needIv = true } = {}): EcpayKeys {
  const hashKey = values['hash-key'] ?? io.env.ECPAY_HASH_KEY;
  const hashIv = values['hash-iv'] ?? io.env.ECPAY_HASH_IV ?? (needIv ? undefined : '');
  if (!hashKey) throw new CliUsageError('missing --hash-key (or ECPAY_HASH_KEY)');
  if (hashIv === undefined || (needIv && !hashIv)) throw new CliUsageError('missing --hash-iv (or ECPAY_HASH_IV)');
  if (hashKey.length !== HASH_KEY_LENGTH || (needIv && hashIv.length !== HASH_KEY_LENGTH)) {
    throw new CliUsageError(`HashKey and HashIV must be exactly ${HASH_KEY_LENGTH} characters each`);
  }
  return { hashKey, hashIv };
}

/** Rejects options that make no sense for a command, so a typo'd intent never passes silently. */
export function allowOnly(values: CliValues, command: string, allowed: readonly (keyof CliValues)[]): void {
  for (const [name, value] of Object.entries(values)) {
    if (
      value !== undefined &&
      name !== 'hash-key' &&
      name !== 'hash-iv' &&
      !allowed.includes(name as keyof CliValues)
    ) {
      throw new CliUsageError(`--${name} does not apply to "${command}"`);
    }
  }
}

/** Reads a JSON object of flat ECPay parameters from stdin. */
export async function readParams(io: CliIo): Promise<Record<string, unknown>> {
  const input = (await io.readStdin()).trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    throw new CliUsageError('stdin must be a JSON object of parameters, e.g. {"MerchantID":"3002607",...}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliUsageError('stdin must be a JSON object of parameters');
  }
  return parsed as Record<string, unknown>;
}

/** Strips one trailing newline (from `echo`), nothing else: whitespace inside a JSON text may be signed. */
export const chompNewline = (text: string): string => text.replace(/\r?\n$/, '');
