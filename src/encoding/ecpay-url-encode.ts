/**
 * ECPay's CheckMacValue encoding: .NET Framework `HttpUtility.UrlEncode` (UTF-8) followed by lower-casing the
 * whole string (docs/protocol.md §2.1). ECPay's server is .NET, so this — not PHP's `urlencode` and not
 * `encodeURIComponent` — is the definition: `A-Z a-z 0-9 - _ . ! * ( )` stay, space becomes `+`, every other UTF-8
 * byte becomes `%xx`; a lone UTF-16 surrogate is encoded as U+FFFD, as .NET does.
 *
 * The encoder writes bytes into a reusable buffer with a lookup table, lower-casing as it goes, so signing can
 * hash the bytes directly (see docs/BENCHMARKS.md). It is synchronous, so one buffer per module is safe.
 */

// For each ASCII code: the byte it is written as, or 0 when it must be percent-encoded.
const ASCII_OUT = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[a-z0-9_.!*()-]/.test(ch)) ASCII_OUT[c] = c;
  else if (/[A-Z]/.test(ch)) ASCII_OUT[c] = c + 0x20;
  else if (c === 0x20) ASCII_OUT[c] = 0x2b; // "+"
}
const HEX = Buffer.from('0123456789abcdef', 'latin1');

/** A growable byte buffer that the encoder appends to. */
export class EncodeBuffer {
  bytes: Buffer = Buffer.allocUnsafe(2048);
  length = 0;

  reset(): this {
    this.length = 0;
    return this;
  }

  /** Appends the .NET URL encoding of `text`, lower-cased. */
  appendEncoded(text: string): void {
    // Worst case per UTF-16 unit: a BMP character is 3 UTF-8 bytes, each written as 3 characters.
    this.reserve(text.length * 9);
    const out = this.bytes;
    let at = this.length;
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      if (unit < 0x80) {
        const byte = ASCII_OUT[unit]!;
        if (byte !== 0) {
          out[at++] = byte;
        } else {
          out[at++] = 0x25;
          out[at++] = HEX[unit >> 4]!;
          out[at++] = HEX[unit & 15]!;
        }
        continue;
      }
      let point = unit;
      if (unit >= 0xd800 && unit <= 0xdfff) {
        const next = text.charCodeAt(i + 1);
        if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          point = 0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00);
          i++;
        } else {
          point = 0xfffd;
        }
      }
      if (point < 0x800) {
        at = percent(out, at, 0xc0 | (point >> 6));
      } else if (point < 0x10000) {
        at = percent(out, at, 0xe0 | (point >> 12));
        at = percent(out, at, 0x80 | ((point >> 6) & 63));
      } else {
        at = percent(out, at, 0xf0 | (point >> 18));
        at = percent(out, at, 0x80 | ((point >> 12) & 63));
        at = percent(out, at, 0x80 | ((point >> 6) & 63));
      }
      at = percent(out, at, 0x80 | (point & 63));
    }
    this.length = at;
  }

  /** Appends bytes that are already encoded (the cached `%26name%3d` pieces); a loop beats `set` at this size. */
  appendBytes(piece: Uint8Array): void {
    this.reserve(piece.length);
    const out = this.bytes;
    let at = this.length;
    for (let i = 0; i < piece.length; i++) out[at++] = piece[i]!;
    this.length = at;
  }

  /** The bytes written so far (a view, valid until the next write). */
  view(): Uint8Array {
    return new Uint8Array(this.bytes.buffer, this.bytes.byteOffset, this.length);
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + extra));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }
}

function percent(out: Buffer, at: number, byte: number): number {
  out[at] = 0x25;
  out[at + 1] = HEX[byte >> 4]!;
  out[at + 2] = HEX[byte & 15]!;
  return at + 3;
}

const shared = new EncodeBuffer();

/**
 * The .NET URL encoding of `value`, lower-cased — what ECPay hashes for CheckMacValue.
 *
 * @example ecpayUrlEncode("Items (Special)~Test") === "items+(special)%7etest"
 * @publicApi
 */
export function ecpayUrlEncode(value: string): string {
  shared.reset().appendEncoded(value);
  return shared.bytes.toString('latin1', 0, shared.length);
}
