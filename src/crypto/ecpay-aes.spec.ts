import { describe, expect, it } from '@jest/globals';
import { createCipheriv } from 'node:crypto';
import { EcpayDecryptionError, type EcpayDecryptionFailure } from '../errors/ecpay-decryption.error.js';
import {
  decryptEcpayData,
  decryptEcpayPayload,
  decryptEcpayPayloadGcm,
  encryptEcpayData,
  encryptEcpayPayloadGcm,
} from './ecpay-aes.js';

const keys = { hashKey: 'pwFHCqoQZGmho4w6', hashIv: 'EkRm7iFT261dpevs' };

/** AES over arbitrary bytes, to build payloads our encryptor would never produce. */
function rawEncrypt(plain: Buffer | string): string {
  const cipher = createCipheriv('aes-128-cbc', Buffer.from(keys.hashKey), Buffer.from(keys.hashIv));
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

function failure(run: () => unknown): EcpayDecryptionError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EcpayDecryptionError);
    return error as EcpayDecryptionError;
  }
  throw new Error('expected an EcpayDecryptionError');
}

describe('decryption accepts every encoding ECPay and its SDKs produce', () => {
  it.each([
    ['PHP urlencode (+ for space, upper hex)', '%7B%22d%22%3A%222024%5C%2F03%5C%2F04+16%3A36%3A54%22%7D'],
    ['encodeURIComponent (%20, lower hex)', '%7b%22d%22%3a%222024%2f03%2f04%2016%3a36%3a54%22%7d'],
    ['PHP \\uXXXX escapes', '%7B%22d%22%3A%222024%5C%2F03%5C%2F04%5Cu002016%3A36%3A54%22%7D'],
    ['plain JSON text (not URL-encoded)', '{"d":"2024/03/04 16:36:54"}'],
  ])('%s', (_label, plaintext) => {
    expect(decryptEcpayData(rawEncrypt(plaintext), keys)).toEqual({ d: '2024/03/04 16:36:54' });
  });

  it('keeps a literal "+" in plain JSON text and decodes %2B in encoded text', () => {
    expect(decryptEcpayData(rawEncrypt('{"n":"a+b"}'), keys)).toEqual({ n: 'a+b' });
    expect(decryptEcpayData(rawEncrypt('%7B%22n%22%3A%22a%2Bb%22%7D'), keys)).toEqual({ n: 'a+b' });
  });

  it('tolerates line breaks, and spaces that were "+" before a form decode, in the base64', () => {
    const data = encryptEcpayData({ MerchantID: '3002607', Name: '測試 ~!*' }, keys);
    const mangled = `${data.slice(0, 20)}\r\n${data.slice(20)}`.replace(/\+/g, ' ');
    expect(decryptEcpayData(mangled, keys)).toEqual({ MerchantID: '3002607', Name: '測試 ~!*' });
  });
});

describe('decryption failures are typed and never leak plaintext', () => {
  const secret = '{"CardNo":"4311952222222222","CVV":"222"}';

  it.each<[string, () => unknown, EcpayDecryptionFailure]>([
    ['not base64', () => decryptEcpayPayload('***', keys), 'invalid-base64'],
    ['base64 of the wrong length', () => decryptEcpayPayload('abc', keys), 'invalid-base64'],
    ['empty', () => decryptEcpayPayload('', keys), 'invalid-length'],
    ['not whole blocks', () => decryptEcpayPayload(Buffer.alloc(17).toString('base64'), keys), 'invalid-length'],
    ['truncated mid-block', () => decryptEcpayPayload(rawEncrypt(secret).slice(0, 44), keys), 'invalid-length'],
    ['last block dropped', () => decryptEcpayPayload(dropLastBlock(rawEncrypt(secret)), keys), 'bad-padding'],
    [
      'invalid UTF-8 plaintext',
      () => decryptEcpayPayload(rawEncrypt(Buffer.from([0x25, 0x46, 0x46, 0xc3, 0x28])), keys),
      'invalid-utf8',
    ],
    ['JSON that is not JSON', () => decryptEcpayData(rawEncrypt(`${secret.slice(0, -1)}`), keys), 'invalid-json'],
    ['a non-string Data', () => decryptEcpayPayload(42 as unknown as string, keys), 'invalid-base64'],
    [
      'GCM with a flipped bit',
      () => decryptEcpayPayloadGcm(flipLastBit(encryptEcpayPayloadGcm(secret, keys)), keys),
      'authentication-failed',
    ],
    ['GCM too short', () => decryptEcpayPayloadGcm(Buffer.alloc(20).toString('base64'), keys), 'invalid-length'],
  ])('%s', (_label, run, reason) => {
    const error = failure(run);
    expect(error.reason).toBe(reason);
    expect(error.message).not.toContain('4311952222222222');
    expect(error.message).not.toContain('CardNo');
    expect(String(error.cause ?? '')).not.toContain('4311952222222222');
  });

  it('wrong keys fail with a decryption error, not garbage', () => {
    const data = encryptEcpayData(JSON.parse(secret), keys);
    const error = failure(() => decryptEcpayData(data, { hashKey: 'ABCDEFGHIJKLMNOP', hashIv: keys.hashIv }));
    expect(['bad-padding', 'invalid-utf8', 'invalid-json']).toContain(error.reason);
    expect(error.message).not.toContain('4311952222222222');
  });
});

function dropLastBlock(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  return bytes.subarray(0, bytes.length - 16).toString('base64');
}

function flipLastBit(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[bytes.length - 1]! ^= 1;
  return bytes.toString('base64');
}
