import { encryptEcpayPayload, encryptEcpayPayloadGcm } from '../../crypto/ecpay-aes.js';
import { phpJsonEncode } from '../../encoding/php-json-encode.js';
import { CliUsageError, EXIT_OK } from '../cli-io.js';
import { allowOnly, chompNewline, keysFrom, type CliCommand } from './cli-command.js';

/** `ecpay encrypt`: JSON on stdin → the AES `Data` on stdout. */
export const encryptCommand: CliCommand = {
  async run(values, io) {
    allowOnly(values, 'encrypt', ['php', 'gcm', 'iv-hex']);
    if (values['iv-hex'] !== undefined && !values.gcm) throw new CliUsageError('--iv-hex applies to --gcm only');
    const keys = keysFrom(values, io, { needIv: !values.gcm });
    const input = chompNewline(await io.readStdin());
    let value: unknown;
    try {
      value = JSON.parse(input);
    } catch {
      throw new CliUsageError('stdin must be JSON');
    }
    const text = values.php ? phpJsonEncode(value) : input;
    if (values.gcm) {
      io.stdout(
        `${encryptEcpayPayloadGcm(text, keys, values['iv-hex'] === undefined ? undefined : ivFromHex(values['iv-hex']))}\n`,
      );
    } else {
      io.stdout(`${encryptEcpayPayload(text, keys)}\n`);
    }
    return EXIT_OK;
  },
};

function ivFromHex(hex: string): Buffer {
  if (!/^[0-9a-fA-F]{24}$/.test(hex)) throw new CliUsageError('--iv-hex must be 24 hex digits (12 bytes)');
  return Buffer.from(hex, 'hex');
}
