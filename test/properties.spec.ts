import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TestingModule } from '@nestjs/testing';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import {
  computeCheckMacValue,
  decryptEcpayData,
  decryptEcpayPayload,
  decryptEcpayPayloadGcm,
  ecpayUrlEncode,
  EcpayCryptoService,
  EcpayDecryptionError,
  EcpaySigningService,
  encryptEcpayData,
  encryptEcpayPayload,
  encryptEcpayPayloadGcm,
  formatEcpayDate,
  formatEcpayDateTime,
  parseEcpayDateTime,
  verifyCheckMacValue,
  type CheckMacAlgorithm,
  type EcpayKeys,
} from '../src/index.js';
import { compileEcpay, STAGE_MERCHANT } from './support/test-module.js';

// Property tests. Run sizes are chosen so the whole file stays well under 20 s; ECPAY_FC_RUNS=<factor> scales them
// all (e.g. ECPAY_FC_RUNS=20 for a soak run).
const RUNS_FACTOR = Number(process.env.ECPAY_FC_RUNS ?? 1) || 1;
const runs = (numRuns: number): { numRuns: number } => ({ numRuns: Math.max(1, Math.round(numRuns * RUNS_FACTOR)) });

const STAGE_KEYS: EcpayKeys = { hashKey: STAGE_MERCHANT.hashKey, hashIv: STAGE_MERCHANT.hashIv };
const ALGORITHMS: readonly CheckMacAlgorithm[] = ['sha256', 'md5'];
const HEX = { sha256: /^[0-9A-F]{64}$/, md5: /^[0-9A-F]{32}$/ } as const;

// ---------------------------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------------------------

/**
 * Characters that every URL encoding treats specially (.NET vs PHP vs encodeURIComponent) and the MAC's own delimiters.
 */
const SPECIAL = [
  ' ',
  '+',
  '%',
  '&',
  '=',
  '~',
  "'",
  '!',
  '*',
  '(',
  ')',
  '-',
  '_',
  '.',
  '/',
  '\\',
  '"',
  '\n',
  '\t',
  '\0',
  'é',
  'É',
  '中',
  '😀',
];
const specialChar = fc.constantFrom(...SPECIAL);
/** One code point anywhere in Unicode (astral included; no lone surrogates). */
const codePoint = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 });
const grapheme = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 });
const asciiChar = fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 });
/** A lone UTF-16 surrogate (high or low), which is not valid Unicode text. */
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));

/** Well-formed Unicode text: full range including astral characters, combining sequences and control characters. */
const wellFormedUnit = fc.oneof(asciiChar, specialChar, codePoint, grapheme);
const wellFormedText = fc.string({ unit: wellFormedUnit, maxLength: 16 });
/** Any JS string: as above plus lone surrogates. */
const anyUnit = fc.oneof(asciiChar, specialChar, codePoint, grapheme, loneSurrogate);
const anyText = fc.string({ unit: anyUnit, maxLength: 16 });

/**
 * Parameter names: anything but the fields that take part in key selection or are excluded from the MAC
 * (CheckMacValue, and MerchantID/PlatformID, which make EcpaySigningService pick other merchants).
 */
const RESERVED = new Set(['CheckMacValue', 'MerchantID', 'PlatformID']);
const paramName = anyText.filter((name) => !RESERVED.has(name));
const paramValue = fc.oneof(
  { weight: 6, arbitrary: anyText },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined) },
);

/** ASCII-only lower-casing: the only case folding the MAC performs (docs/protocol.md §1.1 step 5). */
const asciiLower = (text: string): string => text.replace(/[A-Z]/g, (c) => c.toLowerCase());
const swapAsciiCase = (text: string): string =>
  text.replace(/[A-Za-z]/g, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));

/**
 * Parameters as [name, value] entries with names that are distinct even under ASCII case folding. (Names that
 * differ only in ASCII case compare equal in the key sort, so their relative order — and the MAC — follow the
 * insertion order: { a: '1', A: '2' } and { A: '2', a: '1' } sign differently. Reported as a src finding.)
 */
const entriesOf = <T>(value: fc.Arbitrary<T>, minLength = 0) =>
  fc.uniqueArray(fc.tuple(paramName, value), { selector: ([name]) => asciiLower(name), minLength, maxLength: 8 });

const params = entriesOf(paramValue).map(
  (entries) => Object.fromEntries(entries) as Record<string, string | number | null | undefined>,
);
/** Parameters whose values are all strings, at least one of them. */
const stringEntries = entriesOf(anyText, 1);

/** A HashKey/HashIV pair: 16 printable ASCII characters each (what the module accepts). */
const keyText = fc.string({
  unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
  minLength: 16,
  maxLength: 16,
});
const ecpayKeys = fc.record({ hashKey: keyText, hashIv: keyText });

/**
 * An independent model of ECPay's CheckMacValue encoding (docs/protocol.md §2.1): .NET `HttpUtility.UrlEncode` over the
 * UTF-8 bytes (`A-Z a-z 0-9 - _ . ! * ( )` kept, space → `+`, every other byte `%xx`; a lone surrogate is U+FFFD),
 * then the whole text lower-cased. Used as the test oracle instead of the library's own encoder.
 */
function dotNetEncodeLower(text: string): string {
  let encoded = '';
  for (const byte of Buffer.from(text.toWellFormed(), 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded += /^[A-Za-z0-9\-_.!*()]$/.test(char)
      ? char
      : byte === 0x20
        ? '+'
        : `%${byte.toString(16).padStart(2, '0')}`;
  }
  return encoded.toLowerCase();
}

/**
 * An independent model of the whole CheckMacValue (docs/protocol.md §1.1), for well-formed names: names ordered like
 * PHP's `strcasecmp` (ASCII case folded, then UTF-8 bytes, i.e. code points), `HashKey=…&k=v&…&HashIV=…`, encoded as
 * above, hashed, upper-case hex.
 */
function modelCheckMacValue(
  values: Record<string, string | number | null | undefined>,
  keys: EcpayKeys,
  algorithm: CheckMacAlgorithm,
): string {
  const names = Object.keys(values).filter((name) => name !== 'CheckMacValue' && values[name] != null);
  names.sort((a, b) => Buffer.compare(Buffer.from(asciiLower(a), 'utf8'), Buffer.from(asciiLower(b), 'utf8')));
  const raw = [
    `HashKey=${keys.hashKey}`,
    ...names.map((name) => `${name}=${String(values[name])}`),
    `HashIV=${keys.hashIv}`,
  ].join('&');
  return createHash(algorithm).update(dotNetEncodeLower(raw)).digest('hex').toUpperCase();
}

const signed = (values: Record<string, unknown>, mac: string): Record<string, unknown> => ({
  ...values,
  CheckMacValue: mac,
});

// ---------------------------------------------------------------------------------------------------------------
// Signing
// ---------------------------------------------------------------------------------------------------------------

let module: TestingModule;
let signing: EcpaySigningService;
let crypto: EcpayCryptoService;

beforeAll(async () => {
  module = await compileEcpay();
  signing = module.get(EcpaySigningService);
  crypto = module.get(EcpayCryptoService);
});

afterAll(async () => {
  await module.close();
});

describe('the CheckMacValue encoding', () => {
  it('ecpayUrlEncode agrees with an independent model of .NET HttpUtility.UrlEncode + lower-casing', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(ecpayUrlEncode(text)).toBe(dotNetEncodeLower(text));
      }),
      runs(2000),
    );
  });
});

describe.each(ALGORITHMS)('CheckMacValue (%s)', (algorithm) => {
  it('sign → verify round-trips for arbitrary Unicode names and values (pure functions)', () => {
    fc.assert(
      fc.property(params, ecpayKeys, (values, keys) => {
        const mac = computeCheckMacValue(values, keys, algorithm);
        expect(mac).toMatch(HEX[algorithm]);
        expect(verifyCheckMacValue(signed(values, mac), keys)).toBe(true);
        expect(verifyCheckMacValue(signed(values, mac), keys, algorithm)).toBe(true);
        expect(verifyCheckMacValue(signed(values, mac.toLowerCase()), keys)).toBe(true);
        // The other hash never accepts it.
        expect(verifyCheckMacValue(signed(values, mac), keys, algorithm === 'sha256' ? 'md5' : 'sha256')).toBe(false);
      }),
      runs(600),
    );
  });

  it('equals an independent model of docs/protocol.md §1.1 (well-formed names, arbitrary values)', () => {
    const wellFormedName = fc.oneof(
      wellFormedText,
      fc.string({
        unit: fc.constantFrom('a', 'A', 'b', '_', '1', '\uE000', '\uFFFF', '\u{10000}', '😀', 'é'),
        maxLength: 4,
      }),
    );
    const modelParams = fc
      .uniqueArray(
        fc.tuple(
          wellFormedName.filter((name) => !RESERVED.has(name)),
          paramValue,
        ),
        { selector: ([name]) => asciiLower(name), maxLength: 10 },
      )
      .map((entries) => Object.fromEntries(entries) as Record<string, string | number | null | undefined>);
    fc.assert(
      fc.property(modelParams, ecpayKeys, (values, keys) => {
        expect(computeCheckMacValue(values, keys, algorithm)).toBe(modelCheckMacValue(values, keys, algorithm));
      }),
      runs(600),
    );
  });

  it('sign → verify round-trips through EcpaySigningService', () => {
    fc.assert(
      fc.property(params, (values) => {
        const mac = signing.sign(values, { algorithm });
        expect(mac).toBe(computeCheckMacValue(values, STAGE_KEYS, algorithm));
        expect(signing.verify(signed(values, mac))).toBe(true);
        expect(signing.verify(signed(values, mac), { algorithm })).toBe(true);
        // signParams gives the same MAC over the string forms of the values (every field kept, even "__proto__").
        const sent = signing.signParams(values, { algorithm });
        expect(sent.CheckMacValue).toBe(mac);
        expect(signing.verify(sent)).toBe(true);
      }),
      runs(400),
    );
  });

  it('the keys matter: other keys do not verify', () => {
    fc.assert(
      fc.property(params, ecpayKeys, ecpayKeys, (values, keys, other) => {
        fc.pre(
          asciiLower(keys.hashKey) !== asciiLower(other.hashKey) ||
            asciiLower(keys.hashIv) !== asciiLower(other.hashIv),
        );
        const mac = computeCheckMacValue(values, keys, algorithm);
        expect(verifyCheckMacValue(signed(values, mac), other)).toBe(false);
      }),
      runs(200),
    );
  });
});

type Mutation = 'replace' | 'insert' | 'delete' | 'upper' | 'lower' | 'surrogate';

describe('CheckMacValue detects changes', () => {
  it('changing one value so that its .NET encoding differs (beyond ASCII case) makes verify false', () => {
    const mutation = fc.constantFrom<Mutation>('replace', 'insert', 'delete', 'upper', 'lower', 'surrogate');
    fc.assert(
      fc.property(
        stringEntries,
        fc.nat(),
        mutation,
        anyText,
        anyUnit,
        fc.nat(),
        fc.constantFrom(...ALGORITHMS),
        (entries, pick, how, replacement, unit, at, algorithm) => {
          const values = Object.fromEntries(entries);
          const [name, old] = entries[pick % entries.length]!;
          const position = at % (old.length + 1);
          const changed =
            how === 'replace'
              ? replacement
              : how === 'insert'
                ? old.slice(0, position) + unit + old.slice(position)
                : how === 'delete'
                  ? old.slice(0, position) + old.slice(position + 1)
                  : how === 'upper'
                    ? old.toUpperCase() // full Unicode case mapping: É vs é are different bytes
                    : how === 'lower'
                      ? old.toLowerCase()
                      : old.slice(0, position) + '\uFFFD' + old.slice(position);
          // The MAC lower-cases the *encoded* text: two values are the same to it iff their encodings are.
          fc.pre(dotNetEncodeLower(changed) !== dotNetEncodeLower(old));
          const mac = computeCheckMacValue(values, STAGE_KEYS, algorithm);
          const tampered = { ...values, [name]: changed };
          expect(verifyCheckMacValue(signed(tampered, mac), STAGE_KEYS)).toBe(false);
          expect(signing.verify(signed(tampered, mac))).toBe(false);
        },
      ),
      runs(600),
    );
  });

  it('adding a field makes verify false', () => {
    fc.assert(
      fc.property(
        params,
        paramName,
        fc.oneof(anyText, fc.integer()),
        fc.constantFrom(...ALGORITHMS),
        (values, name, value, algorithm) => {
          fc.pre(!Object.hasOwn(values, name));
          const mac = computeCheckMacValue(values, STAGE_KEYS, algorithm);
          const extended = { ...values, [name]: value };
          expect(verifyCheckMacValue(signed(extended, mac), STAGE_KEYS)).toBe(false);
          expect(signing.verify(signed(extended, mac))).toBe(false);
          // An empty value is still a field (docs/protocol.md §1.1: empty values stay as "k=").
          expect(verifyCheckMacValue(signed({ ...values, [name]: '' }, mac), STAGE_KEYS)).toBe(false);
        },
      ),
      runs(400),
    );
  });

  it('removing a field makes verify false', () => {
    fc.assert(
      fc.property(stringEntries, fc.nat(), fc.constantFrom(...ALGORITHMS), (entries, pick, algorithm) => {
        const values: Record<string, string> = Object.fromEntries(entries);
        const mac = computeCheckMacValue(values, STAGE_KEYS, algorithm);
        const [name] = entries[pick % entries.length]!;
        const reduced = { ...values };
        delete reduced[name];
        expect(verifyCheckMacValue(signed(reduced, mac), STAGE_KEYS)).toBe(false);
        expect(signing.verify(signed(reduced, mac))).toBe(false);
      }),
      runs(400),
    );
  });

  it('is blind to ASCII letter case in values and names (docs/protocol.md §1.1): such a change still verifies', () => {
    const letters = fc.string({
      unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'),
      minLength: 1,
      maxLength: 6,
    });
    fc.assert(
      fc.property(
        stringEntries,
        fc.nat(),
        letters,
        fc.constantFrom(...ALGORITHMS),
        (entries, pick, prefix, algorithm) => {
          const index = pick % entries.length;
          const [name, old] = entries[index]!;
          const values: Record<string, string> = Object.fromEntries(entries);
          values[name] = prefix + old;
          const mac = computeCheckMacValue(values, STAGE_KEYS, algorithm);

          const caseChangedValue = { ...values, [name]: swapAsciiCase(values[name]!) };
          expect(caseChangedValue[name]).not.toBe(values[name]);
          expect(verifyCheckMacValue(signed(caseChangedValue, mac), STAGE_KEYS)).toBe(true);

          const caseChangedNames = Object.fromEntries(Object.entries(values).map(([k, v]) => [swapAsciiCase(k), v]));
          fc.pre(!Object.keys(caseChangedNames).some((k) => RESERVED.has(k)));
          expect(verifyCheckMacValue(signed(caseChangedNames, mac), STAGE_KEYS)).toBe(true);
        },
      ),
      runs(400),
    );
  });

  it('does not depend on the insertion order of the fields', () => {
    const shuffled = entriesOf(paramValue).chain((entries) =>
      fc.tuple(
        fc.constant(entries),
        fc.shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length }),
      ),
    );
    fc.assert(
      fc.property(shuffled, fc.constantFrom(...ALGORITHMS), ([entries, permuted], algorithm) => {
        const a = Object.fromEntries(entries);
        const b = Object.fromEntries(permuted);
        expect(computeCheckMacValue(b, STAGE_KEYS, algorithm)).toBe(computeCheckMacValue(a, STAGE_KEYS, algorithm));
        expect(signing.sign(b, { algorithm })).toBe(signing.sign(a, { algorithm }));
        expect(verifyCheckMacValue(signed(b, computeCheckMacValue(a, STAGE_KEYS, algorithm)), STAGE_KEYS)).toBe(true);
      }),
      runs(400),
    );
  });
});

describe('verifyCheckMacValue never throws', () => {
  const hostile = fc.anything({
    withBoxedValues: true,
    withMap: true,
    withSet: true,
    withObjectString: true,
    withNullPrototype: true,
    withBigInt: true,
    withDate: true,
    withTypedArray: true,
    withSparseArray: true,
    withUnicodeString: true,
    maxDepth: 3,
  });
  const hex = (length: number) =>
    fc.string({ unit: fc.constantFrom(...'0123456789ABCDEFabcdef'), minLength: length, maxLength: length });
  const received = fc.oneof(anyText, hex(64), hex(32), hostile);
  const isRecord = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value);

  it('for arbitrary input and CheckMacValue: false unless the CheckMacValue is the one computed over the input', () => {
    fc.assert(
      fc.property(
        hostile,
        received,
        fc.constantFrom('auto', 'sha256', 'md5') as fc.Arbitrary<'auto' | CheckMacAlgorithm>,
        (input, mac, algorithm) => {
          // The input as it is (its own CheckMacValue, if any), and with an arbitrary CheckMacValue.
          expect(() => verifyCheckMacValue(input, STAGE_KEYS, algorithm)).not.toThrow();
          expect(() => signing.verify(input, { algorithm })).not.toThrow();
          const candidate = isRecord(input) ? { ...input, CheckMacValue: mac } : input;
          expect(verifyCheckMacValue(candidate, STAGE_KEYS, algorithm)).toBe(false);
          expect(signing.verify(candidate, { algorithm })).toBe(false);
        },
      ),
      runs(600),
    );
  });

  it('for arbitrary input carrying the CheckMacValue computed over it: true when computable, never a throw', () => {
    fc.assert(
      fc.property(hostile, fc.constantFrom(...ALGORITHMS), (input, algorithm) => {
        fc.pre(isRecord(input));
        const record = { ...(input as Record<string, unknown>) };
        delete record.MerchantID;
        delete record.PlatformID;
        let mac: string | undefined;
        try {
          mac = computeCheckMacValue(record as Record<string, string>, STAGE_KEYS, algorithm);
        } catch (error) {
          // Only a value that is neither a string nor a finite number (nested object, BigInt, …) is refused.
          expect(error).toBeInstanceOf(TypeError);
        }
        const candidate = { ...record, CheckMacValue: mac ?? 'F'.repeat(64) };
        expect(verifyCheckMacValue(candidate, STAGE_KEYS)).toBe(mac !== undefined);
        expect(signing.verify(candidate)).toBe(mac !== undefined);
      }),
      runs(600),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// AES
// ---------------------------------------------------------------------------------------------------------------

/** JSON values with strings over full Unicode, lone surrogates included (JSON escapes them as \udxxx). */
const jsonValue = fc.jsonValue({ stringUnit: anyUnit, maxDepth: 3 });
/** What a JSON round trip makes of `value` (notably -0 → 0). */
const throughJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('AES round trips', () => {
  it('decryptEcpayData(encryptEcpayData(x)) deep-equals x for arbitrary JSON', () => {
    fc.assert(
      fc.property(jsonValue, ecpayKeys, (value, keys) => {
        const data = encryptEcpayData(value, keys);
        expect(data).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
        expect(decryptEcpayData(data, keys)).toEqual(throughJson(value));
      }),
      runs(400),
    );
  });

  it('EcpayCryptoService.decrypt(encrypt(x)) deep-equals x, and matches the pure functions with the configured keys', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        const data = crypto.encrypt(value);
        expect(data).toBe(encryptEcpayData(value, STAGE_KEYS));
        expect(crypto.decrypt(data)).toEqual(throughJson(value));
      }),
      runs(400),
    );
  });

  it('decryptEcpayPayload(encryptEcpayPayload(text)) returns the text for arbitrary well-formed strings', () => {
    fc.assert(
      fc.property(wellFormedText, ecpayKeys, (text, keys) => {
        expect(decryptEcpayPayload(encryptEcpayPayload(text, keys), keys)).toBe(text);
      }),
      runs(600),
    );
  });

  it('a text with lone surrogates (not valid UTF-8 text) comes back with each replaced by U+FFFD', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(decryptEcpayPayload(encryptEcpayPayload(text, STAGE_KEYS), STAGE_KEYS)).toBe(text.toWellFormed());
      }),
      runs(400),
    );
  });

  it('AES-GCM: decryptEcpayPayloadGcm(encryptEcpayPayloadGcm(text)) returns the text; any flipped byte fails authentication', () => {
    fc.assert(
      fc.property(wellFormedText, keyText, fc.nat(), fc.integer({ min: 1, max: 255 }), (text, hashKey, at, flip) => {
        const data = encryptEcpayPayloadGcm(text, { hashKey });
        expect(decryptEcpayPayloadGcm(data, { hashKey })).toBe(text);
        const raw = Buffer.from(data, 'base64');
        raw[at % raw.length] ^= flip;
        let failure: unknown;
        try {
          decryptEcpayPayloadGcm(raw.toString('base64'), { hashKey });
        } catch (error) {
          failure = error;
        }
        expect(failure).toBeInstanceOf(EcpayDecryptionError);
        expect((failure as EcpayDecryptionError).reason).toBe('authentication-failed');
      }),
      runs(400),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Time (Asia/Taipei, UTC+08:00 without DST since 1980, whatever the process TZ)
// ---------------------------------------------------------------------------------------------------------------

const TAIPEI_OFFSET_MS = 8 * 3600 * 1000;
const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

describe('ECPay date-times', () => {
  it('parseEcpayDateTime(formatEcpayDateTime(d)) is d truncated to the second (1980–2100)', () => {
    const dates = fc.date({
      min: new Date('1980-01-01T00:00:00Z'),
      max: new Date('2100-12-31T23:59:59.999Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(dates, (date) => {
        const text = formatEcpayDateTime(date);
        expect(text).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/);
        expect(parseEcpayDateTime(text).getTime()).toBe(Math.floor(date.getTime() / 1000) * 1000);
      }),
      runs(1000),
    );
  });

  it('formats the Asia/Taipei wall clock: Date.UTC(y, m, d, h, mi, s) − 8 h is "y/m/d h:mi:s"', () => {
    const wallClock = fc
      .record({ year: fc.integer({ min: 1980, max: 2100 }), month: fc.integer({ min: 0, max: 11 }) })
      .chain(({ year, month }) =>
        fc.record({
          year: fc.constant(year),
          month: fc.constant(month),
          day: fc.integer({ min: 1, max: new Date(Date.UTC(year, month + 1, 0)).getUTCDate() }),
          hour: fc.integer({ min: 0, max: 23 }),
          minute: fc.integer({ min: 0, max: 59 }),
          second: fc.integer({ min: 0, max: 59 }),
          millisecond: fc.integer({ min: 0, max: 999 }),
        }),
      );
    fc.assert(
      fc.property(wallClock, ({ year, month, day, hour, minute, second, millisecond }) => {
        const instant = new Date(Date.UTC(year, month, day, hour, minute, second, millisecond) - TAIPEI_OFFSET_MS);
        const text = `${pad(year, 4)}/${pad(month + 1)}/${pad(day)} ${pad(hour)}:${pad(minute)}:${pad(second)}`;
        expect(formatEcpayDateTime(instant)).toBe(text);
        expect(formatEcpayDate(instant)).toBe(`${pad(year, 4)}-${pad(month + 1)}-${pad(day)}`);
        expect(parseEcpayDateTime(text).getTime()).toBe(
          Date.UTC(year, month, day, hour, minute, second) - TAIPEI_OFFSET_MS,
        );
        // ECPay's other spellings of the same moment.
        expect(parseEcpayDateTime(text.replace(/\//g, '-')).getTime()).toBe(
          Date.UTC(year, month, day, hour, minute, second) - TAIPEI_OFFSET_MS,
        );
      }),
      runs(1000),
    );
  });

  it('anchors: 2024-01-01T04:00:00Z is 2024/01/01 12:00:00 in Taipei; 1999-12-31T16:00:00Z is 2000/01/01 00:00:00', () => {
    expect(formatEcpayDateTime(new Date('2024-01-01T04:00:00Z'))).toBe('2024/01/01 12:00:00');
    expect(formatEcpayDateTime(new Date('1999-12-31T16:00:00Z'))).toBe('2000/01/01 00:00:00');
    expect(formatEcpayDate(new Date('1999-12-31T15:59:59Z'))).toBe('1999-12-31');
    expect(parseEcpayDateTime('2024/03/04 16:36:54').toISOString()).toBe('2024-03-04T08:36:54.000Z');
  });
});
