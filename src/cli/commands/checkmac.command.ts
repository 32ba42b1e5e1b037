import {
  checkMacValueSource,
  computeCheckMacValue,
  computeJsonCheckMacValue,
  type EcpayParams,
} from '../../signing/check-mac-value.js';
import { CliUsageError, EXIT_OK } from '../cli-io.js';
import { allowOnly, chompNewline, keysFrom, readParams, type CliCommand } from './cli-command.js';

/** `ecpay checkmac`: prints the CheckMacValue of the parameters on stdin, and nothing else on stdout. */
export const checkmacCommand: CliCommand = {
  async run(values, io) {
    allowOnly(values, 'checkmac', ['md5', 'json-mac', 'explain']);
    const keys = keysFrom(values, io);
    if (values['json-mac']) {
      if (values.md5) throw new CliUsageError('--json-mac is always SHA256');
      io.stdout(`${computeJsonCheckMacValue(chompNewline(await io.readStdin()), keys)}\n`);
      return EXIT_OK;
    }
    const params = await readParams(io);
    let mac: string;
    try {
      mac = computeCheckMacValue(params as EcpayParams, keys, values.md5 ? 'md5' : 'sha256');
    } catch (error) {
      throw new CliUsageError((error as Error).message);
    }
    if (values.explain) {
      const source = checkMacValueSource(params as EcpayParams, keys);
      io.stderr(`hashed (${values.md5 ? 'MD5' : 'SHA256'}): ${maskKeys(source)}\n`);
    }
    io.stdout(`${mac}\n`);
    return EXIT_OK;
  },
};

/** The encoded string starts with the HashKey and ends with the HashIV; show their shape, never their value. */
const maskKeys = (source: string): string =>
  source
    .replace(/^hashkey%3d[^%]*/, 'hashkey%3d****************')
    .replace(/hashiv%3d[^%]*$/, 'hashiv%3d****************');
