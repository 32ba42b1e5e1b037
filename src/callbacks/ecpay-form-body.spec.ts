import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { EcpayCallbackException } from './ecpay-callback.exception.js';
import { flatFormFields, parseContentType, parseFormBody } from './ecpay-form-body.js';

const reasonOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EcpayCallbackException);
    return (error as EcpayCallbackException).reason;
  }
  return 'accepted';
};

describe('parseFormBody', () => {
  it('decodes exactly as URLSearchParams does, for any fields (property)', () => {
    const name = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 });
    const value = fc.string({ unit: 'grapheme', maxLength: 30 });
    fc.assert(
      fc.property(fc.dictionary(name, value, { maxKeys: 8 }), (fields) => {
        const entries = Object.entries(fields);
        const body = new URLSearchParams(entries).toString();
        expect(parseFormBody(Buffer.from(body))).toEqual(Object.fromEntries(entries));
        expect(Object.keys(parseFormBody(body))).toEqual(entries.map(([n]) => n));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps empty values, valueless names and order; skips empty pairs', () => {
    expect(parseFormBody('a=&b&&c=1+2%2B3')).toEqual({ a: '', b: '', c: '1 2+3' });
  });

  it.each([
    ['a repeated name', 'a=1&a=1', 'Malformed body'],
    ['a nameless field', 'a=1&=2', 'Malformed body'],
    ['a stray %', 'a=100%', 'Malformed body'],
    ['a short escape', 'a=%4', 'Malformed body'],
    ['an escape that is not UTF-8', 'a=%C3%28', 'Malformed body'],
    ['an escaped lone surrogate', 'a=%ED%A0%80', 'Malformed body'],
  ])('refuses %s', (_label, body, reason) => {
    expect(reasonOf(() => parseFormBody(body))).toBe(reason);
  });

  it('refuses bytes that are not UTF-8 and bodies over the limit', () => {
    expect(reasonOf(() => parseFormBody(Buffer.from([0x61, 0x3d, 0xff])))).toBe('Malformed body');
    expect(reasonOf(() => parseFormBody(`a=${'x'.repeat(100)}`, 64))).toBe('Body too large');
    expect(parseFormBody(`a=${'x'.repeat(62)}`, 64)).toEqual({ a: 'x'.repeat(62) });
  });

  it('keeps a field named __proto__ as an own field', () => {
    const fields = parseFormBody('__proto__=x&constructor=y');
    expect(Object.hasOwn(fields, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(fields.constructor).toBe('y');
  });
});

describe('flatFormFields', () => {
  it('accepts flat records of strings only', () => {
    expect(flatFormFields({ a: '1', b: '' })).toEqual({ a: '1', b: '' });
    expect(flatFormFields(undefined)).toEqual({});
    expect(reasonOf(() => flatFormFields({ a: ['1', '2'] }))).toBe('Malformed body');
    expect(reasonOf(() => flatFormFields({ a: { b: 'c' } }))).toBe('Malformed body');
    expect(reasonOf(() => flatFormFields(['a']))).toBe('Malformed body');
    expect(reasonOf(() => flatFormFields('a=1'))).toBe('Malformed body');
    expect(
      reasonOf(() =>
        flatFormFields(
          new (class Custom {
            a = '1';
          })(),
        ),
      ),
    ).toBe('Malformed body');
    expect(reasonOf(() => flatFormFields({ a: 'x'.repeat(100) }, 64))).toBe('Body too large');
  });
});

describe('parseContentType', () => {
  it('reads the media type and charset', () => {
    expect(parseContentType('Application/X-WWW-Form-URLEncoded; Charset="UTF-8"')).toEqual({
      mediaType: 'application/x-www-form-urlencoded',
      charset: 'utf-8',
    });
    expect(parseContentType('application/json')).toEqual({ mediaType: 'application/json', charset: undefined });
    expect(parseContentType(undefined)).toBeUndefined();
    expect(parseContentType('  ')).toBeUndefined();
  });
});
