import { hash, timingSafeEqual } from 'node:crypto';
import { EncodeBuffer, ecpayUrlEncode } from '../encoding/ecpay-url-encode.js';
import { phpUrlEncode } from '../encoding/php-url-encode.js';
import type { EcpayKeys } from '../config/ecpay-merchant.js';
export type { EcpayKeys } from '../config/ecpay-merchant.js';

/**
 * The two hashes ECPay uses for CheckMacValue: SHA256 (AIO, `EncryptType=1`) and MD5 (logistics, some e-invoice).
 *
 * @publicApi
 */
export type CheckMacAlgorithm = 'sha256' | 'md5';

/** Field values as ECPay signs them: strings, or numbers that are written out in decimal. @publicApi */
export type EcpayParamValue = string | number;

/** A flat set of ECPay parameters. `undefined` and `null` values are left out (they are not sent either). @publicApi */
export type EcpayParams = Readonly<Record<string, EcpayParamValue | null | undefined>>;

const HEX_LENGTH: Record<CheckMacAlgorithm, number> = { sha256: 64, md5: 32 };

/**
 * Orders keys as ECPay's PHP SDK does (`uksort` + `strcasecmp`): ASCII case-insensitive, then by code point.
 * Not `localeCompare`, which is culture-sensitive and differs on `_` versus digits. Names equal but for ASCII case
 * (`amount`, `Amount`) keep their given order, as PHP's stable sort does; ECPay defines no such pair.
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

const codePointRank = (unit: number): number =>
  unit >= 0xd800 ? (unit >= 0xe000 ? unit - 0x800 : unit + 0x2000) : unit;

/**
 * Builds the exact string ECPay hashes: `HashKey=…&k=v&…&HashIV=…` over every field but CheckMacValue (empty
 * values kept), URL-encoded the .NET way and lower-cased (docs/protocol.md §1.1 steps 1–5, §2.1). Throws a `TypeError`
 * naming the field when a value is neither a string nor a finite number.
 *
 * @publicApi
 */
export function checkMacValueSource(params: EcpayParams, keys: EcpayKeys): string {
  const source = writeSource(params, keys);
  return source.bytes.toString('latin1', 0, source.length);
}

/**
 * URL encoding maps each character on its own, so `enc(a + b) === enc(a) + enc(b)`: the source is written piece by
 * piece — the keys' `&name=` pieces cached per key set, the values encoded straight into a reused byte buffer —
 * and hashed as bytes, instead of building, encoding and re-encoding one long string on every call.
 */
function writeSource(params: EcpayParams, keys: EcpayKeys): EncodeBuffer {
  const layout = layoutOf(Object.keys(params));
  const out = scratch.reset();
  out.appendBytes(HASH_KEY_PIECE);
  out.appendEncoded(keys.hashKey);
  for (let i = 0; i < layout.names.length; i++) {
    const name = layout.names[i]!;
    const value = params[name];
    if (value == null) continue;
    out.appendBytes(layout.prefixes[i]!);
    out.appendEncoded(typeof value === 'string' ? value : fieldText(name, value));
  }
  out.appendBytes(HASH_IV_PIECE);
  out.appendEncoded(keys.hashIv);
  return out;
}

const scratch = new EncodeBuffer();
const HASH_KEY_PIECE = Buffer.from('hashkey%3d', 'latin1');
const HASH_IV_PIECE = Buffer.from('%26hashiv%3d', 'latin1');

function fieldText(name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new TypeError(`ECPay parameter "${name}" must be a string or a finite number (got ${describe(value)}).`);
}

const describe = (value: unknown): string =>
  Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value;

/** The signed field names of one key set in ECPay's order, each with its encoded `&name=` piece. */
interface KeyLayout {
  readonly keys: readonly string[];
  readonly names: readonly string[];
  readonly prefixes: readonly Uint8Array[];
}

// A few recent key sets. Apps sign a handful of shapes (checkout, query, DoAction, each callback), and V8 interns
// property names, so matching a cached set is a short run of pointer comparisons.
const LAYOUT_CACHE_SIZE = 32;
const layoutCache: KeyLayout[] = [];
let layoutCursor = 0;

function layoutOf(keys: string[]): KeyLayout {
  search: for (const layout of layoutCache) {
    if (layout.keys.length !== keys.length) continue;
    for (let i = 0; i < keys.length; i++) if (layout.keys[i] !== keys[i]) continue search;
    return layout;
  }
  const names = keys.filter((name) => name !== 'CheckMacValue').sort(compareKeys);
  const layout: KeyLayout = {
    keys,
    names,
    prefixes: names.map((name) => Buffer.from(`%26${ecpayUrlEncode(name)}%3d`, 'latin1')),
  };
  layoutCache[layoutCursor] = layout;
  layoutCursor = (layoutCursor + 1) % LAYOUT_CACHE_SIZE;
  return layout;
}

/**
 * Computes ECPay's CheckMacValue (upper-case hex) over `params`.
 *
 * @example computeCheckMacValue({ MerchantID: '3002607', … }, { hashKey, hashIv }) // 'ABC…' (64 hex)
 * @publicApi
 */
export function computeCheckMacValue(
  params: EcpayParams,
  keys: EcpayKeys,
  algorithm: CheckMacAlgorithm = 'sha256',
): string {
  // One-shot crypto.hash (Node ≥ 20.12) costs half of createHash().update().digest() on strings this short.
  return hash(algorithm, writeSource(params, keys).view(), 'hex').toUpperCase();
}

/**
 * How {@link verifyCheckMacValue} picks the hash: forced, or by the received value's length (64 → SHA256, 32 → MD5).
 *
 * @publicApi
 */
export type CheckMacVerifyAlgorithm = CheckMacAlgorithm | 'auto';

/**
 * Verifies the `CheckMacValue` field of `params` (the fields exactly as received) in constant time. Never throws:
 * anything malformed — not an object, a nested or array value, a missing or non-hex CheckMacValue — is `false`.
 *
 * @publicApi
 */
export function verifyCheckMacValue(
  params: unknown,
  keys: EcpayKeys,
  algorithm: CheckMacVerifyAlgorithm = 'auto',
): boolean {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return false;
  const received = (params as Record<string, unknown>).CheckMacValue;
  if (typeof received !== 'string') return false;
  const chosen =
    algorithm !== 'auto' ? algorithm : received.length === 64 ? 'sha256' : received.length === 32 ? 'md5' : undefined;
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
 * The CheckMacValue of ECPay's ticketing JSON APIs (docs/protocol.md §1.6): SHA256 over the lower-cased URL encoding
 * of `HashKey + plaintextJson + HashIV` — no field sorting, no `HashKey=` prefix. ECPay's own vector notes say
 * this MAC uses the plain (PHP) URL encoding without the .NET replacements of the form MAC, so `!*()` stay encoded.
 *
 * @publicApi
 */
export function computeJsonCheckMacValue(plaintextJson: string, keys: EcpayKeys): string {
  return hash('sha256', phpUrlEncode(keys.hashKey + plaintextJson + keys.hashIv).toLowerCase(), 'hex').toUpperCase();
}

/** Constant-time check of a §1.6 JSON CheckMacValue. Never throws. @publicApi */
export function verifyJsonCheckMacValue(plaintextJson: unknown, checkMacValue: unknown, keys: EcpayKeys): boolean {
  if (typeof plaintextJson !== 'string' || typeof checkMacValue !== 'string' || checkMacValue.length !== 64)
    return false;
  const expected = computeJsonCheckMacValue(plaintextJson, keys);
  return timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(checkMacValue.toUpperCase(), 'latin1'));
}
