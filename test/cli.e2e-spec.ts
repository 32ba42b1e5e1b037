import { describe, expect, it } from '@jest/globals';
import { runEcpayCli } from './support/ecpay-cli.js';
import {
  extendedVectors,
  officialAesVectors,
  officialCheckMacVectors,
  type ExtendedAesVector,
  type ExtendedCheckMacVector,
} from './support/vectors.js';

// The CLI is tested as users run it: the built bin (`npm test` builds first), a child process, stdin and exit codes.
const ecpay = (args: string[], stdin = '', env: Record<string, string> = {}) => runEcpayCli(args, { stdin, env });

const keyArgs = (v: { hashKey: string; hashIV?: string }): string[] =>
  v.hashIV === undefined ? ['--hash-key', v.hashKey] : ['--hash-key', v.hashKey, '--hash-iv', v.hashIV];

const extended = extendedVectors();
const checkMac = extended.filter((v): v is ExtendedCheckMacVector => v.kind !== 'aes');
const aes = extended.filter((v): v is ExtendedAesVector => v.kind === 'aes');
const officialMac = officialCheckMacVectors();
const officialAes = officialAesVectors();

describe('ecpay checkmac / verify — every CheckMacValue vector', () => {
  it.each(checkMac.map((v) => [v.name, v] as const))('%s', async (_name, vector) => {
    const md5 = vector.kind === 'checkmac-md5' ? ['--md5'] : [];
    const signed = await ecpay(['checkmac', ...keyArgs(vector), ...md5], JSON.stringify(vector.input));
    expect(signed).toEqual({ code: 0, stdout: `${vector.expected}\n`, stderr: '' });

    const valid = await ecpay(
      ['verify', ...keyArgs(vector)],
      JSON.stringify({ ...vector.input, CheckMacValue: vector.expected }),
    );
    expect(valid.code).toBe(0);
    const firstKey = Object.keys(vector.input)[0]!;
    const tampered = { ...vector.input, [firstKey]: `${vector.input[firstKey]}!`, CheckMacValue: vector.expected };
    expect((await ecpay(['verify', ...keyArgs(vector)], JSON.stringify(tampered))).code).toBe(1);
  });

  it.each(officialMac.map((v) => [v.name, v] as const))('official: %s', async (_name, vector) => {
    if (vector.formula === 'ecticket') {
      const signed = await ecpay(['checkmac', '--json-mac', ...keyArgs(vector)], vector.plaintext_json!);
      expect(signed.stdout).toBe(`${vector.expected}\n`);
      const valid = await ecpay(
        ['verify', '--json-mac', '--mac', vector.expected, ...keyArgs(vector)],
        vector.plaintext_json!,
      );
      expect(valid.code).toBe(0);
      return;
    }
    const md5 = vector.method === 'MD5' ? ['--md5'] : [];
    // Keys from the environment, as the usage text recommends.
    const env = { ECPAY_HASH_KEY: vector.hashKey, ECPAY_HASH_IV: vector.hashIV };
    const signed = await ecpay(['checkmac', ...md5], JSON.stringify(vector.params), env);
    expect(signed).toEqual({ code: 0, stdout: `${vector.expected}\n`, stderr: '' });
    expect(
      (await ecpay(['verify', ...md5], JSON.stringify({ ...vector.params, CheckMacValue: vector.expected }), env)).code,
    ).toBe(0);
  });
});

describe('ecpay encrypt / decrypt — every AES vector', () => {
  it.each(aes.map((v) => [v.name, v] as const))('%s', async (_name, vector) => {
    if (vector.input.object !== undefined) {
      const php = await ecpay(['encrypt', '--php', ...keyArgs(vector)], JSON.stringify(vector.input.object));
      expect(php).toEqual({ code: 0, stdout: `${vector.expected}\n`, stderr: '' });
      const asGiven = await ecpay(['encrypt', ...keyArgs(vector)], vector.input.phpJsonEncode!);
      expect(asGiven.stdout).toBe(`${vector.expected}\n`);
      const decrypted = await ecpay(['decrypt', ...keyArgs(vector)], vector.expected);
      expect(JSON.parse(decrypted.stdout)).toEqual(vector.input.object);
      const raw = await ecpay(['decrypt', '--raw', ...keyArgs(vector)], vector.expected);
      expect(raw.stdout).toBe(`${vector.input.phpJsonEncode}\n`);
    } else {
      const decrypted = await ecpay(['decrypt', ...keyArgs(vector)], `${vector.expected}\n`);
      expect(decrypted.code).toBe(0);
      expect(JSON.parse(decrypted.stdout)).toEqual(JSON.parse(vector.input.json!));
    }
  });

  it.each(officialAes.map((v) => [v.name, v] as const))('official: %s', async (_name, vector) => {
    const gcm = vector.mode === 'gcm' ? ['--gcm'] : [];
    if (vector.direction === 'decrypt') {
      const decrypted = await ecpay(['decrypt', '--raw', ...gcm, ...keyArgs(vector)], vector.encrypted_base64!);
      expect(decrypted).toEqual({ code: 0, stdout: `${vector.expected_json}\n`, stderr: '' });
      return;
    }
    const text = vector.plaintext_json ?? vector.input_json ?? vector.input_json_natural!;
    const iv = vector.iv_hex ? ['--iv-hex', vector.iv_hex] : [];
    const encrypted = await ecpay(['encrypt', ...gcm, ...iv, ...keyArgs(vector)], text);
    expect(encrypted.code).toBe(0);
    if (vector.expected_base64) expect(encrypted.stdout).toBe(`${vector.expected_base64}\n`);
    const back = await ecpay(['decrypt', '--raw', ...gcm, ...keyArgs(vector)], encrypted.stdout);
    expect(back.stdout).toBe(`${text}\n`);
  });
});

describe('ecpay usage and failures', () => {
  const keys = ['--hash-key', 'pwFHCqoQZGmho4w6', '--hash-iv', 'EkRm7iFT261dpevs'];

  it.each([
    [[], 'missing command'],
    [['sign'], 'unknown command "sign"'],
    [['checkmac', '--bogus', ...keys], "Unknown option '--bogus'"],
    [['checkmac'], 'missing --hash-key'],
    [['checkmac', '--hash-key', 'short', '--hash-iv', 'EkRm7iFT261dpevs'], 'exactly 16 characters'],
    [['checkmac', '--raw', ...keys], '--raw does not apply to "checkmac"'],
    [['verify', '--md5', '--sha256', ...keys], 'choose --md5 or --sha256'],
    [['encrypt', '--iv-hex', '00', ...keys], '--iv-hex applies to --gcm only'],
    [['checkmac', ...keys, 'extra'], 'unexpected argument "extra"'],
  ])('%j → exit 2 with "%s" and the usage on stderr', async (args, message) => {
    const run = await ecpay(args as string[], '{}');
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('Usage: ecpay <command>');
  });

  it('rejects stdin that is not a JSON object with exit 2', async () => {
    for (const stdin of ['', 'MerchantID=1', '[1,2]', 'null']) {
      const run = await ecpay(['checkmac', ...keys], stdin);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('JSON object');
    }
  });

  it('rejects nested values naming the field', async () => {
    const run = await ecpay(['checkmac', ...keys], '{"MerchantID":"3002607","Items":{"a":1}}');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"Items" must be a string or a finite number');
  });

  it('verify without a CheckMacValue is a usage error, a wrong one exits 1', async () => {
    expect((await ecpay(['verify', ...keys], '{"MerchantID":"3002607"}')).code).toBe(2);
    const wrong = await ecpay(
      ['verify', ...keys],
      JSON.stringify({ MerchantID: '3002607', CheckMacValue: 'A'.repeat(64) }),
    );
    expect(wrong).toEqual({ code: 1, stdout: 'invalid\n', stderr: '' });
  });

  it('decrypt with the wrong keys exits 1 and prints no plaintext', async () => {
    const encrypted = await ecpay(['encrypt', ...keys], '{"CardNo":"4311952222222222","Secret":"do-not-print"}');
    const run = await ecpay(
      ['decrypt', '--hash-key', 'ABCDEFGHIJKLMNOP', '--hash-iv', 'EkRm7iFT261dpevs'],
      encrypted.stdout,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^ecpay: ECPay decryption failed/);
    expect(run.stderr).not.toContain('4311952222222222');
    expect(run.stderr).not.toContain('do-not-print');
  });

  it('decrypt of garbage exits 1 with the failed step', async () => {
    const run = await ecpay(['decrypt', ...keys], 'not base64!');
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'ecpay: ECPay decryption failed: Data is not valid base64.\n' });
  });

  it('--explain shows the hashed string on stderr with the keys masked, stdout unchanged', async () => {
    const run = await ecpay(
      ['checkmac', '--explain', ...keys],
      '{"MerchantID":"3002607","ItemName":"Tom\'s Shop","TotalAmount":"100"}',
    );
    expect(run.stdout).toBe('CF0A3D4901D99459D8641516EC57210700E8A5C9AB26B1D021301E9CB93EF78D\n');
    expect(run.stderr).toContain('itemname%3dtom%27s+shop');
    expect(run.stderr.toLowerCase()).not.toContain('pwfhcqoqzgmho4w6');
    expect(run.stderr.toLowerCase()).not.toContain('ekrm7ift261dpevs');
  });

  it('--help prints the usage on stdout and exits 0', async () => {
    const run = await ecpay(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: ecpay <command>');
  });
});
