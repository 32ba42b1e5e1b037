import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TestingModule } from '@nestjs/testing';
import {
  checkMacValueSource,
  computeCheckMacValue,
  computeJsonCheckMacValue,
  decryptEcpayData,
  decryptEcpayPayload,
  decryptEcpayPayloadGcm,
  ecpayUrlEncode,
  EcpayCryptoService,
  EcpaySigningService,
  encryptEcpayData,
  encryptEcpayPayload,
  encryptEcpayPayloadGcm,
  phpJsonEncode,
  phpUrlEncode,
  verifyCheckMacValue,
  verifyJsonCheckMacValue,
  type EcpayModuleOptions,
} from '../src/index.js';
import { compileEcpay } from './support/test-module.js';
import {
  extendedVectors,
  keysOf,
  officialAesVectors,
  officialCheckMacVectors,
  urlEncodeVectors,
  type ExtendedAesVector,
  type ExtendedCheckMacVector,
} from './support/vectors.js';

// Every vector in test/fixtures/ecpay-vectors was reproduced by ECPay's official SDK: where one disagrees with us, we
// are wrong.
const extended = extendedVectors();
const checkMac = extended.filter((v): v is ExtendedCheckMacVector => v.kind !== 'aes');
const aes = extended.filter((v): v is ExtendedAesVector => v.kind === 'aes');
const official = officialCheckMacVectors();
const officialAes = officialAesVectors();

/** A module configured with a vector's keys, so the services are exercised exactly as an app uses them. */
async function moduleFor(vector: { hashKey: string; hashIV?: string }, merchantId = '1234567'): Promise<TestingModule> {
  return compileEcpay({
    merchantId,
    hashKey: vector.hashKey,
    hashIv: vector.hashIV ?? 'unused0123456789',
  } as Partial<EcpayModuleOptions>);
}

describe('vector files', () => {
  it('are all present and non-trivial', () => {
    expect(checkMac.length).toBeGreaterThanOrEqual(23);
    expect(aes.length).toBeGreaterThanOrEqual(8);
    expect(official.length).toBeGreaterThanOrEqual(8);
    expect(officialAes.length).toBeGreaterThanOrEqual(13);
    expect(urlEncodeVectors().length).toBeGreaterThanOrEqual(4);
  });
});

describe('CheckMacValue — extended vectors', () => {
  it.each(checkMac.map((v) => [v.name, v] as const))('%s (pure functions)', (_name, vector) => {
    const algorithm = vector.kind === 'checkmac-md5' ? 'md5' : 'sha256';
    expect(checkMacValueSource(vector.input, keysOf(vector))).toBe(vector.encodedBeforeHash);
    expect(computeCheckMacValue(vector.input, keysOf(vector), algorithm)).toBe(vector.expected);
    expect(verifyCheckMacValue({ ...vector.input, CheckMacValue: vector.expected }, keysOf(vector))).toBe(true);
    expect(verifyCheckMacValue({ ...vector.input, CheckMacValue: vector.expected.toLowerCase() }, keysOf(vector))).toBe(
      true,
    );
  });

  it.each(checkMac.map((v) => [v.name, v] as const))('%s (EcpaySigningService)', async (_name, vector) => {
    const module = await moduleFor(vector);
    try {
      const signing = module.get(EcpaySigningService);
      const algorithm = vector.kind === 'checkmac-md5' ? 'md5' : 'sha256';
      // The vectors' MerchantIDs are not configured here, so name the merchant explicitly, as for any raw call.
      const params = { ...vector.input };
      delete params.MerchantID;
      const signed = signing.sign(
        { ...params, ...(vector.input.MerchantID === undefined ? {} : { MerchantID: '1234567' }) },
        { algorithm },
      );
      expect(signed).toMatch(algorithm === 'md5' ? /^[0-9A-F]{32}$/ : /^[0-9A-F]{64}$/);
      expect(signing.verify({ ...vector.input, CheckMacValue: vector.expected }, { merchant: 'default' })).toBe(true);
      expect(
        signing.verify({ ...vector.input, CheckMacValue: vector.expected }, { merchant: 'default', algorithm }),
      ).toBe(true);
      const tampered = Object.keys(vector.input)[0]!;
      expect(
        signing.verify(
          { ...vector.input, [tampered]: `${vector.input[tampered]}x`, CheckMacValue: vector.expected },
          { merchant: 'default' },
        ),
      ).toBe(false);
    } finally {
      await module.close();
    }
  });

  it('signs as the vector merchant when the module is configured with it', async () => {
    const vector = checkMac.find((v) => v.name === 'doc-aio-sha256-p2902')!;
    const module = await moduleFor(vector, String(vector.input.MerchantID));
    try {
      expect(module.get(EcpaySigningService).sign(vector.input)).toBe(vector.expected);
      expect(module.get(EcpaySigningService).verify({ ...vector.input, CheckMacValue: vector.expected })).toBe(true);
    } finally {
      await module.close();
    }
  });
});

describe('CheckMacValue — official ECPay vectors', () => {
  const formVectors = official.filter((v) => v.formula !== 'ecticket');
  const ticketVectors = official.filter((v) => v.formula === 'ecticket');

  it.each(formVectors.map((v) => [v.name, v] as const))('%s', async (_name, vector) => {
    const algorithm = vector.method === 'MD5' ? 'md5' : 'sha256';
    expect(computeCheckMacValue(vector.params!, keysOf(vector), algorithm)).toBe(vector.expected);
    if (vector.wrong_with_percent20)
      expect(computeCheckMacValue(vector.params!, keysOf(vector))).not.toBe(vector.wrong_with_percent20);
    const module = await moduleFor(vector, vector.params!.MerchantID);
    try {
      const signing = module.get(EcpaySigningService);
      expect(signing.sign(vector.params!, { algorithm })).toBe(vector.expected);
      expect(signing.verify({ ...vector.params, CheckMacValue: vector.expected })).toBe(true);
    } finally {
      await module.close();
    }
  });

  it.each(ticketVectors.map((v) => [v.name, v] as const))(
    '%s (JSON-plaintext MAC, docs/protocol.md §1.6)',
    async (_name, vector) => {
      expect(computeJsonCheckMacValue(vector.plaintext_json!, keysOf(vector))).toBe(vector.expected);
      expect(verifyJsonCheckMacValue(vector.plaintext_json!, vector.expected, keysOf(vector))).toBe(true);
      expect(verifyJsonCheckMacValue(`${vector.plaintext_json!} `, vector.expected, keysOf(vector))).toBe(false);
      const module = await moduleFor(vector);
      try {
        const signing = module.get(EcpaySigningService);
        expect(signing.signJson(vector.plaintext_json!)).toBe(vector.expected);
        expect(signing.verifyJson(vector.plaintext_json!, vector.expected)).toBe(true);
      } finally {
        await module.close();
      }
    },
  );
});

describe('URL encodings — official comparison table', () => {
  it.each(urlEncodeVectors().map((v) => [v.input, v] as const))('%s', (_input, vector) => {
    expect(ecpayUrlEncode(vector.input)).toBe(vector.ecpayUrlEncode);
    expect(phpUrlEncode(vector.input)).toBe(vector.aesUrlEncode);
  });
});

describe('AES — extended vectors', () => {
  it.each(aes.map((v) => [v.name, v] as const))('%s', async (_name, vector) => {
    const keys = keysOf(vector);
    if (vector.input.object !== undefined) {
      // Byte-identical with the official PHP SDK: json_encode (\/ and \uXXXX) + urlencode.
      expect(phpJsonEncode(vector.input.object)).toBe(vector.input.phpJsonEncode);
      expect(encryptEcpayData(vector.input.object, keys)).toBe(vector.expected);
      expect(decryptEcpayData(vector.expected, keys)).toEqual(vector.input.object);
      // Ciphertexts of other encoders (JSON.stringify + encodeURIComponent, …) open to the same object.
      for (const alternative of Object.values(vector.alternatives ?? {})) {
        expect(decryptEcpayData(alternative, keys)).toEqual(vector.input.object);
      }
      // The decrypted text is the PHP SDK's JSON text (form-urldecoded), not the peer's "+"-corrupted one.
      const checks = vector.decryptChecks ?? {};
      const decryptedText = decryptEcpayPayload(vector.expected, keys);
      expect(decryptedText).toBe(checks.formUrldecodeOfPhpCiphertext);
      if (checks.rytassDecryptOfPhpCiphertext !== checks.formUrldecodeOfPhpCiphertext) {
        expect(decryptedText).not.toBe(checks.rytassDecryptOfPhpCiphertext);
      }
      const module = await moduleFor(vector);
      try {
        const crypto = module.get(EcpayCryptoService);
        expect(crypto.encrypt(vector.input.object)).toBe(vector.expected);
        expect(crypto.decrypt(vector.expected)).toEqual(vector.input.object);
      } finally {
        await module.close();
      }
    } else {
      // The doc vectors give the URL-encoded plaintext (upper- or lower-case hex); ECPay accepts both.
      const expectedJson = JSON.parse(vector.input.json!);
      expect(decryptEcpayData(vector.expected, keys)).toEqual(expectedJson);
      if (vector.input.urlEncodedPlaintext === phpUrlEncode(vector.input.json!)) {
        expect(encryptEcpayPayload(vector.input.json!, keys)).toBe(vector.expected);
      }
    }
  });

  it('decodes "+" as a space where decodeURIComponent-only decoders corrupt dates (aes-bindcard-result-response-data)', () => {
    const vector = aes.find((v) => v.name === 'aes-bindcard-result-response-data')!;
    const decrypted = decryptEcpayData<{ CardInfo: { ProcessDate: string } }>(vector.expected, keysOf(vector));
    expect(decrypted.CardInfo.ProcessDate).toBe('2024/03/04 16:36:54');
  });
});

describe('AES — official ECPay vectors', () => {
  const cbc = officialAes.filter((v) => v.mode !== 'gcm');
  const gcm = officialAes.filter((v) => v.mode === 'gcm');

  it.each(cbc.map((v) => [v.name, v] as const))('CBC: %s', (_name, vector) => {
    const keys = keysOf(vector);
    if (vector.direction === 'decrypt') {
      expect(decryptEcpayPayload(vector.encrypted_base64!, keys)).toBe(vector.expected_json);
      return;
    }
    const text = vector.plaintext_json ?? vector.input_json ?? vector.input_json_natural;
    expect(text).toBeDefined();
    if (vector.expected_url_encoded) expect(phpUrlEncode(text!)).toBe(vector.expected_url_encoded);
    if (vector.expected_base64) {
      expect(encryptEcpayPayload(text!, keys)).toBe(vector.expected_base64);
      expect(decryptEcpayPayload(vector.expected_base64, keys)).toBe(text);
    } else {
      // Vectors without a fixed ciphertext (key order, PKCS7 boundary) are round trips by their own definition.
      for (const json of [text!, vector.input_json_alphabetic].filter((t): t is string => t !== undefined)) {
        expect(decryptEcpayPayload(encryptEcpayPayload(json, keys), keys)).toBe(json);
      }
    }
  });

  it.each(gcm.map((v) => [v.name, v] as const))('GCM: %s', (_name, vector) => {
    const keys = keysOf(vector);
    if (vector.direction === 'decrypt') {
      expect(decryptEcpayPayloadGcm(vector.encrypted_base64!, keys)).toBe(vector.expected_json);
      return;
    }
    const data = encryptEcpayPayloadGcm(vector.plaintext_json!, keys, Buffer.from(vector.iv_hex!, 'hex'));
    expect(data).toBe(vector.expected_base64);
    expect(Buffer.from(data, 'base64').subarray(-16).toString('hex')).toBe(vector.expected_tag_hex);
    expect(decryptEcpayPayloadGcm(data, keys)).toBe(vector.plaintext_json);
  });
});

describe('the services reject what the vectors do not sign', () => {
  let module: TestingModule;
  beforeAll(async () => {
    module = await compileEcpay();
  });
  afterAll(() => module.close());

  it('a vector MAC does not verify under other keys', () => {
    const vector = checkMac.find((v) => v.name === 'doc-invoice-md5-p38242')!;
    expect(
      module
        .get(EcpaySigningService)
        .verify({ ...vector.input, CheckMacValue: vector.expected }, { merchant: 'default' }),
    ).toBe(false);
  });
});
