import { describe, expect, it } from '@jest/globals';
import { EcpayInvalidDateError } from '../errors/ecpay-invalid-date.error.js';
import { formatEcpayDate, formatEcpayDateTime, parseEcpayDateTime, toUnixSeconds } from './ecpay-time.js';

// npm test runs this suite with TZ=UTC and again with TZ=Asia/Taipei: the results must not depend on it.
describe('ECPay time (Asia/Taipei, whatever the server TZ)', () => {
  it('formats an instant as Taipei wall-clock time', () => {
    expect(formatEcpayDateTime(new Date('2023-03-12T07:30:23Z'))).toBe('2023/03/12 15:30:23');
    // 16:00 UTC is already the next day in Taipei: the day rolls over, and so do month and year.
    expect(formatEcpayDateTime(new Date('2023-12-31T16:00:00.999Z'))).toBe('2024/01/01 00:00:00');
    expect(formatEcpayDate(new Date('2024-02-29T15:59:59Z'))).toBe('2024-02-29');
    expect(formatEcpayDate(new Date('2024-02-29T16:00:00Z'))).toBe('2024-03-01');
  });

  it('parses ECPay dates as Taipei time', () => {
    expect(parseEcpayDateTime('2024/03/04 16:36:54').toISOString()).toBe('2024-03-04T08:36:54.000Z');
    expect(parseEcpayDateTime('2019-09-18 13:13:23').toISOString()).toBe('2019-09-18T05:13:23.000Z');
    expect(parseEcpayDateTime('2024/3/4 6:05').toISOString()).toBe('2024-03-03T22:05:00.000Z');
    expect(parseEcpayDateTime('2024/03/04').toISOString()).toBe('2024-03-03T16:00:00.000Z');
  });

  it('gives Unix seconds for envelope timestamps', () => {
    expect(toUnixSeconds(new Date('2024-01-01T04:00:00.999Z'))).toBe(1704081600);
  });

  it.each([
    '',
    '2024/13/01 00:00:00',
    '2024/02/30 10:00:00',
    '2023/02/29',
    '2024/01/01 24:00:00',
    '2024/01/01 10:60:00',
    '01/02/2024',
    '2024/01/01 10:00:00 extra',
  ])('rejects %j', (text) => {
    expect(() => parseEcpayDateTime(text)).toThrow(EcpayInvalidDateError);
  });

  it('rejects non-strings and invalid Dates', () => {
    expect(() => parseEcpayDateTime(20240101 as unknown as string)).toThrow(EcpayInvalidDateError);
    expect(() => formatEcpayDateTime(new Date(Number.NaN))).toThrow(EcpayInvalidDateError);
    expect(() => toUnixSeconds(new Date('nope'))).toThrow(EcpayInvalidDateError);
  });
});
