import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { ecpayUrlEncode } from '../encoding/ecpay-url-encode.js';
import { checkMacValueSource, computeCheckMacValue, verifyCheckMacValue } from './check-mac-value.js';

const keys = { hashKey: 'pwFHCqoQZGmho4w6', hashIv: 'EkRm7iFT261dpevs' };
const params = { MerchantID: '3002607', MerchantTradeNo: 'Test1234567890', TotalAmount: '100' };
const mac = computeCheckMacValue(params, keys);

describe('ecpayUrlEncode (.NET HttpUtility.UrlEncode + lower-case)', () => {
  it.each([
    ['-_.!*()', '-_.!*()'],
    [" ~'", '+%7e%27'],
    ['@#$%^&=+;?/\\><`[]{}:",|', '%40%23%24%25%5e%26%3d%2b%3b%3f%2f%5c%3e%3c%60%5b%5d%7b%7d%3a%22%2c%7c'],
    ['\n\t', '%0a%09'],
    ['É', '%c3%89'],
    ['😀', '%f0%9f%98%80'],
    // A lone surrogate cannot be UTF-8: .NET substitutes U+FFFD, and so do we, instead of throwing.
    ['a\ud800b', 'a%ef%bf%bdb'],
  ])('%j → %s', (input, expected) => {
    expect(ecpayUrlEncode(input)).toBe(expected);
  });
});

describe('checkMacValueSource', () => {
  it('orders keys ASCII case-insensitively like strcasecmp, not like localeCompare', () => {
    // Ordinal: "card4no" < "card_x" (digit 0x34 < underscore 0x5f); culture order would put "_" first.
    const source = checkMacValueSource({ card_x: '1', Card4no: '2', amount: '3', Amount: '4' }, keys);
    expect(source).toBe(
      'hashkey%3dpwfhcqoqzgmho4w6%26amount%3d3%26amount%3d4%26card4no%3d2%26card_x%3d1%26hashiv%3dekrm7ift261dpevs',
    );
  });

  it('keeps empty values and writes numbers in decimal, leaves out null and undefined', () => {
    expect(checkMacValueSource({ B: '', A: 100, C: undefined, D: null }, keys)).toBe(
      'hashkey%3dpwfhcqoqzgmho4w6%26a%3d100%26b%3d%26hashiv%3dekrm7ift261dpevs',
    );
  });

  it('never signs the CheckMacValue field itself', () => {
    expect(computeCheckMacValue({ ...params, CheckMacValue: 'anything' }, keys)).toBe(mac);
  });

  it.each([
    [{ Items: ['a'] }, 'an array'],
    [{ Items: { a: 1 } }, 'object'],
    [{ Paid: true }, 'boolean'],
    [{ Amount: Number.NaN }, 'number'],
  ])('refuses %j, naming the field', (bad, kind) => {
    const field = Object.keys(bad)[0]!;
    expect(() => computeCheckMacValue(bad as never, keys)).toThrow(
      new RegExp(`"${field}" must be a string or a finite number \\(got ${kind}\\)`),
    );
  });

  it('is the SHA-256 of the source, upper-case', () => {
    expect(mac).toBe(createHash('sha256').update(checkMacValueSource(params, keys)).digest('hex').toUpperCase());
  });
});

describe('verifyCheckMacValue never throws and accepts only the exact MAC', () => {
  it('accepts the MAC in either hex case', () => {
    expect(verifyCheckMacValue({ ...params, CheckMacValue: mac }, keys)).toBe(true);
    expect(verifyCheckMacValue({ ...params, CheckMacValue: mac.toLowerCase() }, keys)).toBe(true);
  });

  it('picks MD5 by length, or as forced', () => {
    const md5 = computeCheckMacValue(params, keys, 'md5');
    expect(verifyCheckMacValue({ ...params, CheckMacValue: md5 }, keys)).toBe(true);
    expect(verifyCheckMacValue({ ...params, CheckMacValue: md5 }, keys, 'sha256')).toBe(false);
    expect(verifyCheckMacValue({ ...params, CheckMacValue: mac }, keys, 'md5')).toBe(false);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'MerchantID=3002607&CheckMacValue=x'],
    ['an array', [params]],
    ['no CheckMacValue', params],
    ['a numeric CheckMacValue', { ...params, CheckMacValue: 1 }],
    ['a CheckMacValue array (repeated field)', { ...params, CheckMacValue: [mac, mac] }],
    ['a 63-character MAC', { ...params, CheckMacValue: mac.slice(1) }],
    ['a 64-character non-hex MAC', { ...params, CheckMacValue: 'Z'.repeat(64) }],
    ['a 64-character non-Latin MAC', { ...params, CheckMacValue: '測'.repeat(64) }],
    ['a nested field (a[b]=c)', { ...params, a: { b: 'c' }, CheckMacValue: mac }],
    ['a repeated field', { ...params, TotalAmount: ['100', '100'], CheckMacValue: mac }],
    ['an extra field', { ...params, Extra: '', CheckMacValue: mac }],
    ['a missing field', { MerchantID: '3002607', TotalAmount: '100', CheckMacValue: mac }],
    ['another value', { ...params, TotalAmount: '1000', CheckMacValue: mac }],
  ])('%s → false', (_label, input) => {
    expect(verifyCheckMacValue(input, keys)).toBe(false);
  });

  it('other keys → false', () => {
    expect(verifyCheckMacValue({ ...params, CheckMacValue: mac }, { ...keys, hashIv: 'EkRm7iFT261dpevt' })).toBe(false);
  });

  it('is blind to ASCII letter case, of the keys as of the values (the whole string is lower-cased: docs/protocol.md §1.1 step 5)', () => {
    expect(verifyCheckMacValue({ ...params, CheckMacValue: mac }, { ...keys, hashIv: 'EKRM7IFT261DPEVS' })).toBe(true);
    expect(verifyCheckMacValue({ ...params, MerchantTradeNo: 'TEST1234567890', CheckMacValue: mac }, keys)).toBe(true);
  });
});
