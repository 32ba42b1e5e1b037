/**
 * PHP's `urlencode` (what ECPay's official SDK applies to JSON before AES): keeps `A-Z a-z 0-9 - _ .`, writes space
 * as `+` and every other UTF-8 byte as upper-case `%XX`. `encodeURIComponent` differs only in leaving
 * `! ~ * ' ( )` alone and writing space as `%20`, so those are patched after the native call.
 *
 * @example phpUrlEncode("Tom's Shop!") === 'Tom%27s+Shop%21'
 * @publicApi
 */
export function phpUrlEncode(value: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch {
    encoded = encodeURIComponent(value.toWellFormed());
  }
  // Native includes/replaceAll per character: cheaper than a regex with a callback, and most are absent.
  for (const [from, to] of PHP_ESCAPES) {
    if (encoded.includes(from)) encoded = encoded.replaceAll(from, to);
  }
  return encoded;
}

const PHP_ESCAPES: readonly (readonly [string, string])[] = [
  ['%20', '+'],
  ['!', '%21'],
  ['~', '%7E'],
  ['*', '%2A'],
  ["'", '%27'],
  ['(', '%28'],
  [')', '%29'],
];

/**
 * PHP's `urldecode` (form semantics): `+` is a space and `%XX` is a byte, in either hex case; a `%` not followed
 * by two hex digits is kept as it is. Returns the bytes, so the caller decides how to treat invalid UTF-8.
 * `decodeURIComponent` alone is wrong here: it leaves `+` in place (the trap docs/protocol.md §2.3 describes).
 *
 * @publicApi
 */
export function formUrlDecodeToBytes(value: string): Buffer {
  const bytes = Buffer.allocUnsafe(Buffer.byteLength(value, 'utf8'));
  let length = 0;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit === 0x2b) {
      bytes[length++] = 0x20;
    } else if (
      unit === 0x25 &&
      i + 2 < value.length &&
      isHex(value.charCodeAt(i + 1)) &&
      isHex(value.charCodeAt(i + 2))
    ) {
      bytes[length++] = parseInt(value.substr(i + 1, 2), 16);
      i += 2;
    } else if (unit < 0x80) {
      bytes[length++] = unit;
    } else {
      // Raw non-ASCII text (not produced by urlencode, but tolerated): copy its UTF-8 bytes.
      const end = unit >= 0xd800 && unit <= 0xdbff ? i + 2 : i + 1;
      length += bytes.write(value.slice(i, end), length, 'utf8');
      i = end - 1;
    }
  }
  return bytes.subarray(0, length);
}

const isHex = (unit: number): boolean =>
  (unit >= 0x30 && unit <= 0x39) || (unit >= 0x41 && unit <= 0x46) || (unit >= 0x61 && unit <= 0x66);
