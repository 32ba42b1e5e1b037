import { isAscii } from 'node:buffer';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { formUrlDecodeToBytes, phpUrlEncode } from '../encoding/php-url-encode.js';
import { phpJsonEncode } from '../encoding/php-json-encode.js';
import { EcpayDecryptionError } from '../errors/ecpay-decryption.error.js';
import type { EcpayKeys } from '../signing/check-mac-value.js';

/**
 * ECPay's AES for the JSON APIs (docs/protocol.md §3.1, §3.4): `Data = base64(AES-128-CBC/PKCS7(urlencode(json)))` with
 * the 16 ASCII bytes of HashKey as key and of HashIV as IV; and AES-128-GCM (e-receipts) with a random 12-byte IV sent
 * in front of the ciphertext and the 16-byte tag behind it.
 */

const keyBytes = (text: string): Buffer => Buffer.from(text, 'latin1');
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Encrypts a JSON text as it is (no re-serialisation): URL-encode the PHP way, AES-128-CBC, base64.
 *
 * @publicApi
 */
export function encryptEcpayPayload(jsonText: string, keys: EcpayKeys): string {
  const cipher = createCipheriv('aes-128-cbc', keyBytes(keys.hashKey), keyBytes(keys.hashIv));
  return Buffer.concat([cipher.update(phpUrlEncode(jsonText), 'latin1'), cipher.final()]).toString('base64');
}

/**
 * Encrypts a value the way ECPay's official PHP SDK does (`json_encode` + `urlencode` + AES-128-CBC + base64),
 * byte for byte.
 *
 * @publicApi
 */
export function encryptEcpayData(value: unknown, keys: EcpayKeys): string {
  return encryptEcpayPayload(phpJsonEncode(value), keys);
}

/**
 * Decrypts `Data` into its JSON text: base64 → AES-128-CBC → PKCS7 → URL-decode with form semantics (`+` and
 * `%20` are spaces, either hex case) → UTF-8. Throws {@link EcpayDecryptionError} naming the failed step.
 *
 * @publicApi
 */
export function decryptEcpayPayload(data: string, keys: EcpayKeys): string {
  const cipherText = decodeBase64(data);
  if (cipherText.length === 0 || cipherText.length % 16 !== 0) {
    throw new EcpayDecryptionError('invalid-length');
  }
  const decipher = createDecipheriv('aes-128-cbc', keyBytes(keys.hashKey), keyBytes(keys.hashIv));
  decipher.setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(cipherText), decipher.final()]);
  // No padding oracle: the text is URL-decoded whether or not the PKCS7 padding holds, and the padding is checked
  // without an early exit, so altered ciphertext takes as long to refuse with a bad padding as with a bad text.
  // (Failing fast on the padding made the difference measurable: a CBC padding oracle recovers and forges Data.)
  const padding = pkcs7PaddingLength(padded);
  let text: string | undefined;
  let failure: unknown;
  try {
    text = urlDecodedText(padded.subarray(0, padded.length - (padding || 16)));
  } catch (error) {
    failure = error;
  }
  if (padding === 0) throw new EcpayDecryptionError('bad-padding');
  if (failure !== undefined) throw failure;
  return text!;
}

/** The PKCS7 padding length of a decrypted buffer (1–16), or 0 when the padding is not valid; no early exit. */
function pkcs7PaddingLength(plain: Buffer): number {
  const last = plain[plain.length - 1]!;
  let invalid = last === 0 || last > 16 ? 1 : 0;
  for (let i = 1; i <= 16; i++) {
    const inPadding = i <= last ? 1 : 0;
    invalid |= inPadding & (plain[plain.length - i] === last ? 0 : 1);
  }
  return invalid ? 0 : last;
}

/**
 * Decrypts `Data` and parses it: PHP's `\/` and `\uXXXX` escapes are ordinary JSON and come back as `/` and the
 * character. Throws {@link EcpayDecryptionError} on every failure, never a bare `SyntaxError`.
 *
 * @publicApi
 */
export function decryptEcpayData<T = unknown>(data: string, keys: EcpayKeys): T {
  return parseJson<T>(decryptEcpayPayload(data, keys));
}

/**
 * Encrypts a JSON text with AES-128-GCM as ECPay's e-receipt APIs expect: `base64(iv(12) ‖ ciphertext ‖ tag(16))`.
 * The IV is random unless given (only tests should give one: a repeated IV breaks GCM).
 *
 * @publicApi
 */
export function encryptEcpayPayloadGcm(
  jsonText: string,
  keys: Pick<EcpayKeys, 'hashKey'>,
  iv: Buffer = randomBytes(12),
): string {
  if (iv.length !== 12) throw new RangeError('The AES-GCM IV must be 12 bytes.');
  const cipher = createCipheriv('aes-128-gcm', keyBytes(keys.hashKey), iv);
  const body = Buffer.concat([cipher.update(phpUrlEncode(jsonText), 'latin1'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
}

/**
 * Opens an AES-128-GCM payload (`iv ‖ ciphertext ‖ tag`), checking the tag, and URL-decodes it to JSON text.
 *
 * @publicApi
 */
export function decryptEcpayPayloadGcm(data: string, keys: Pick<EcpayKeys, 'hashKey'>): string {
  const raw = decodeBase64(data);
  if (raw.length < 12 + 16) throw new EcpayDecryptionError('invalid-length');
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-128-gcm', keyBytes(keys.hashKey), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    plain = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
  } catch (error) {
    throw new EcpayDecryptionError('authentication-failed', undefined, { cause: sanitize(error) });
  }
  return urlDecodedText(plain);
}

function decodeBase64(data: string): Buffer {
  if (typeof data !== 'string')
    throw new EcpayDecryptionError('invalid-base64', `expected a string, got ${typeof data}`);
  let text = data;
  if (/[\s]/.test(text)) {
    // Line breaks are harmless; a space is almost always a "+" that went through form decoding once too often.
    text = text.replace(/[\r\n\t]/g, '').replaceAll(' ', '+');
  }
  // Node's decoder skips characters outside the alphabet instead of failing, so any such character shows up as a
  // decoded length short of what the text's length promises; that check is exact and far cheaper than a regex.
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = Buffer.from(text, 'base64');
  if (text.length % 4 !== 0 || bytes.length !== (text.length / 4) * 3 - padding)
    throw new EcpayDecryptionError('invalid-base64');
  return bytes;
}

function urlDecodedText(plain: Buffer): string {
  const text = plain.toString('latin1');
  // A URL-encoded JSON never contains a raw "{" or "["; if the sender skipped the encoding, form-decoding would
  // turn a literal "+" into a space, so take the text as it is.
  if (/^\s*[[{]/.test(text)) return utf8(plain);
  // Form semantics: "+" is a space, then percent-decoding (so "%2B" stays "+"). The native decoder handles the
  // well-formed case; it throws on stray "%" or invalid UTF-8, which the tolerant byte decoder then sorts out.
  if (isAscii(plain)) {
    try {
      return decodeURIComponent(text.includes('+') ? text.replaceAll('+', ' ') : text);
    } catch {
      // fall through
    }
  }
  return utf8(formUrlDecodeToBytes(text));
}

function utf8(bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new EcpayDecryptionError('invalid-utf8');
  }
}

/** Parses decrypted JSON, turning a `SyntaxError` (whose message quotes the plaintext) into a clean error. */
export function parseJson<T>(text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new EcpayDecryptionError('invalid-json');
  }
}

/** OpenSSL errors carry no plaintext, but keep only their code so nothing unexpected rides along in `cause`. */
const sanitize = (error: unknown): Error =>
  new Error(
    typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'crypto error',
  );
