import { createHash, timingSafeEqual } from 'node:crypto';
import { ecpayUrlEncode } from '../encoding/ecpay-url-encode.js';
import { phpUrlEncode } from '../encoding/php-url-encode.js';

/** The two hashes ECPay uses for CheckMacValue: SHA256 (AIO, `EncryptType=1`) and MD5 (logistics, some e-invoice). @publicApi */
export type CheckMacAlgorithm = 'sha256' | 'md5';

/** A merchant's secret pair. Never log it. @publicApi */
export interface EcpayKeys {
  readonly hashKey: string;
  readonly hashIv: string;
}

/** Field values as ECPay signs them: strings, or numbers that are written out in decimal. @publicApi */
export type EcpayParamValue = string | number;

/** A flat set of ECPay parameters. `undefined` and `null` values are left out (they are not sent either). @publicApi */
export type EcpayParams = Readonly<Record<string, EcpayParamValue | null | undefined>>;

const HEX_LENGTH: Record<CheckMacAlgorithm, number> = { sha256: 64, md5: 32 };

/**
 * Orders keys as ECPay's PHP SDK does (`uksort` + `strcasecmp`): ASCII case-insensitive, then by code point.
 * Not `localeCompare`, which is culture-sensitive and differs on `_` versus digits.
 */
function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0x41 && x <= 0x5a) x += 0x20;
    if (y >= 0x41 && y <= 0x5a) y += 0x20;
    if (x === y) continue;
    // UTF-16 puts surrogates (astral code points) below U+E000–U+FFFF; code point (UTF-8 byte) order puts them above.
    return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

const codePointRank = (unit: number): number => (unit >= 0xd800 ? (unit >= 0xe000 ? unit - 0x800 : unit + 0x2000) : unit);

/**
 * Builds the exact string ECPay hashes: `HashKey=…&k=v&…&HashIV=…` over every field but CheckMacValue (empty
 * values kept), URL-encoded the .NET way and lower-cased (PROTOCOL.md §1.1 steps 1–4). Throws a `TypeError`
 * naming the field when a value is neither a string nor a finite number.
 *
 * @publicApi
 */
export function checkMacValueSource(params: EcpayParams, keys: EcpayKeys): string {
  const names = Object.keys(params).filter((name) => name !== 'CheckMacValue' && params[name] != null);
  names.sort(compareKeys);
  let raw = `HashKey=${keys.hashKey}`;
  for (const name of names) {
    raw += `&${name}=${fieldText(name, params[name])}`;
  }
  return ecpayUrlEncode(`${raw}&HashIV=${keys.hashIv}`);
}

function fieldText(name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new TypeError(`ECPay parameter "${name}" must be a string or a finite number (got ${describe(value)}).`);
}

const describe = (value: unknown): string => (Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value);

/**
 * Computes ECPay's CheckMacValue (upper-case hex) over `params`.
 *
 * @example computeCheckMacValue({ MerchantID: '3002607', … }, { hashKey, hashIv }) // 'ABC…' (64 hex)
 * @publicApi
 */
export function computeCheckMacValue(params: EcpayParams, keys: EcpayKeys, algorithm: CheckMacAlgorithm = 'sha256'): string {
  return createHash(algorithm).update(checkMacValueSource(params, keys)).digest('hex').toUpperCase();
}

/** How {@link verifyCheckMacValue} picks the hash: forced, or by the received value's length (64 → SHA256, 32 → MD5). @publicApi */
export type CheckMacVerifyAlgorithm = CheckMacAlgorithm | 'auto';

/**
 * Verifies the `CheckMacValue` field of `params` (the fields exactly as received) in constant time. Never throws:
 * anything malformed — not an object, a nested or array value, a missing or non-hex CheckMacValue — is `false`.
 *
 * @publicApi
 */
export function verifyCheckMacValue(params: unknown, keys: EcpayKeys, algorithm: CheckMacVerifyAlgorithm = 'auto'): boolean {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return false;
  const received = (params as Record<string, unknown>).CheckMacValue;
  if (typeof received !== 'string') return false;
  const chosen = algorithm !== 'auto' ? algorithm : received.length === 64 ? 'sha256' : received.length === 32 ? 'md5' : undefined;
  if (!chosen || received.length !== HEX_LENGTH[chosen]) return false;
  let expected: string;
  try {
    expected = computeCheckMacValue(params as EcpayParams, keys, chosen);
  } catch {
    return false;
  }
  // Both sides are ASCII of equal length here, so the byte buffers are equal length too.
  return timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(received.toUpperCase(), 'latin1'));
}

/**
 * The CheckMacValue of ECPay's ticketing JSON APIs (PROTOCOL.md §1.5): SHA256 over the lower-cased URL encoding
 * of `HashKey + plaintextJson + HashIV` — no field sorting, no `HashKey=` prefix. ECPay's own vector notes say
 * this MAC uses the plain (PHP) URL encoding without the .NET replacements of the form MAC, so `!*()` stay encoded.
 *
 * @publicApi
 */
export function computeJsonCheckMacValue(plaintextJson: string, keys: EcpayKeys): string {
  return createHash('sha256').update(phpUrlEncode(keys.hashKey + plaintextJson + keys.hashIv).toLowerCase()).digest('hex').toUpperCase();
}

/** Constant-time check of a §1.5 JSON CheckMacValue. Never throws. @publicApi */
export function verifyJsonCheckMacValue(plaintextJson: unknown, checkMacValue: unknown, keys: EcpayKeys): boolean {
  if (typeof plaintextJson !== 'string' || typeof checkMacValue !== 'string' || checkMacValue.length !== 64) return false;
  const expected = computeJsonCheckMacValue(plaintextJson, keys);
  return timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(checkMacValue.toUpperCase(), 'latin1'));
}
