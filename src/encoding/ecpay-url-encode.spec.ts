import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ecpayUrlEncode } from './ecpay-url-encode.js';

/**
 * An independent statement of the same definition (docs/protocol.md §2.1), built on the platform's encoder instead of
 * our byte table: encodeURIComponent agrees with .NET except for `'`, `~` and space; lone surrogates become U+FFFD.
 */
function oracle(value: string): string {
  return encodeURIComponent(value.toWellFormed())
    .replace(/%20/g, '+')
    .replace(/'/g, '%27')
    .replace(/~/g, '%7E')
    .toLowerCase();
}

describe('ecpayUrlEncode matches the encodeURIComponent-based definition', () => {
  it('for every ASCII character', () => {
    for (let c = 0; c < 128; c++) expect(ecpayUrlEncode(String.fromCharCode(c))).toBe(oracle(String.fromCharCode(c)));
  });

  it('for arbitrary UTF-16 strings, including astral characters and lone surrogates', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (value) => ecpayUrlEncode(value) === oracle(value)),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 64 }),
        (value) => ecpayUrlEncode(value) === oracle(value),
      ),
      {
        numRuns: 2000,
      },
    );
  });

  it('grows its buffer for long inputs', () => {
    const long = '測'.repeat(5000) + ' ~';
    expect(ecpayUrlEncode(long)).toBe(oracle(long));
    expect(ecpayUrlEncode('short')).toBe('short');
  });
});
