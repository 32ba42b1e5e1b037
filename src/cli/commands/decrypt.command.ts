import { decryptEcpayPayload, decryptEcpayPayloadGcm, parseJson } from '../../crypto/ecpay-aes.js';
import { EXIT_OK } from '../cli-io.js';
import { allowOnly, keysFrom, type CliCommand } from './cli-command.js';

/** `ecpay decrypt`: AES `Data` on stdin → the JSON on stdout. */
export const decryptCommand: CliCommand = {
  async run(values, io) {
    allowOnly(values, 'decrypt', ['raw', 'gcm']);
    const keys = keysFrom(values, io, { needIv: !values.gcm });
    const data = (await io.readStdin()).trim();
    const text = values.gcm ? decryptEcpayPayloadGcm(data, keys) : decryptEcpayPayload(data, keys);
    io.stdout(`${values.raw ? text : JSON.stringify(parseJson(text))}\n`);
    return EXIT_OK;
  },
};
