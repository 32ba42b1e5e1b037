import { describe, expect, it } from '@jest/globals';
import { reviveEventData, STORED_EVENT_DATA, storeEventData } from './stored-event-data.js';

/** Through JSON, as the simple-json column stores it. */
const roundTrip = (data: Record<string, unknown>): unknown =>
  STORED_EVENT_DATA.from(JSON.parse(JSON.stringify(STORED_EVENT_DATA.to(data))));

describe('stored event data', () => {
  it('comes back through JSON with its Dates, NaN and ±Infinity, null, booleans and strings as they were', () => {
    const data = {
      kind: 'aio-return',
      RtnCode: Number.NaN,
      TradeAmt: 100,
      Over: Number.POSITIVE_INFINITY,
      Under: Number.NEGATIVE_INFINITY,
      PaymentDate: new Date('2026-12-01T02:05:00.123Z'),
      ExpireDate: null,
      SimulatePaid: false,
      CustomField1: '',
    };
    expect(roundTrip(data)).toStrictEqual(data);
  });

  it('leaves out undefined values, as JSON does', () => {
    expect(roundTrip({ BankCode: undefined, TradeAmt: 1 })).toStrictEqual({ TradeAmt: 1 });
  });

  it('never mistakes a value for a tag: objects are wrapped, so one shaped like a tag comes back as it was', () => {
    const data = { lookalike: { $date: '2026-12-01T02:05:00.000Z' }, list: [1, 'two'] };
    expect(storeEventData(data)).toStrictEqual({
      lookalike: { $json: { $date: '2026-12-01T02:05:00.000Z' } },
      list: { $json: [1, 'two'] },
    });
    expect(roundTrip(data)).toStrictEqual(data);
  });

  it('keeps an invalid Date invalid', () => {
    const revived = reviveEventData(JSON.parse(JSON.stringify(storeEventData({ at: new Date(Number.NaN) }))));
    expect(revived.at).toBeInstanceOf(Date);
    expect(Number.isNaN((revived.at as Date).getTime())).toBe(true);
  });

  it('a null column (a row stored before it existed) stays null', () => {
    expect(STORED_EVENT_DATA.to(null)).toBeNull();
    expect(STORED_EVENT_DATA.from(null)).toBeNull();
  });
});
