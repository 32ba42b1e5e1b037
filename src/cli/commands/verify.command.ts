import { verifyCheckMacValue, verifyJsonCheckMacValue } from '../../signing/check-mac-value.js';
import { CliUsageError, EXIT_FAILED, EXIT_OK } from '../cli-io.js';
import { allowOnly, chompNewline, keysFrom, readParams, type CliCommand } from './cli-command.js';

/** `ecpay verify`: exit 0 when the CheckMacValue on stdin is valid, 1 when it is not. */
export const verifyCommand: CliCommand = {
  async run(values, io) {
    allowOnly(values, 'verify', ['md5', 'sha256', 'json-mac', 'mac']);
    if (values.md5 && values.sha256) throw new CliUsageError('choose --md5 or --sha256, not both');
    const keys = keysFrom(values, io);
    let valid: boolean;
    if (values['json-mac']) {
      if (!values.mac) throw new CliUsageError('verify --json-mac needs --mac <CheckMacValue>');
      valid = verifyJsonCheckMacValue(chompNewline(await io.readStdin()), values.mac, keys);
    } else {
      if (values.mac) throw new CliUsageError('--mac applies to --json-mac; put CheckMacValue in the JSON object');
      const params = await readParams(io);
      if (typeof params.CheckMacValue !== 'string')
        throw new CliUsageError('the JSON object has no CheckMacValue to verify');
      valid = verifyCheckMacValue(params, keys, values.md5 ? 'md5' : values.sha256 ? 'sha256' : 'auto');
    }
    io.stdout(valid ? 'valid\n' : 'invalid\n');
    return valid ? EXIT_OK : EXIT_FAILED;
  },
};
