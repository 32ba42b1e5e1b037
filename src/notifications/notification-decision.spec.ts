import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ECPAY_TRADE_STATUSES } from '../persistence/ecpay-trade-status.js';
import type { EcpayNotificationKind } from '../persistence/ecpay-notification.entity.js';
import { decideNotification, dedupeKeyOf, expectedTrade } from './notification-decision.js';

const KINDS: readonly EcpayNotificationKind[] = [
  'aio-return',
  'period-return',
  'payment-info',
  'ecpg-return',
  'reconcile',
  'operation',
];

/** Notification fields drawn from the values that steer the state machine, plus some that must not. */
const fieldsArbitrary = fc.record(
  {
    RtnCode: fc.constantFrom('1', '2', '10100073', '10100050', '0', 'x'),
    TradeStatus: fc.constantFrom('1', '0', '10200095'),
    TradeAmt: fc.constantFrom('590', '591', '0', '', '1.5', 'abc'),
    Amount: fc.constantFrom('590', '100'),
    SimulatePaid: fc.constantFrom('0', '1'),
    TradeNo: fc.constantFrom('2401011234567890', ''),
    PaymentType: fc.constantFrom('Credit_CreditCard', 'ATM_TAISHIN', ''),
    PaymentDate: fc.constantFrom('2024/01/01 12:05:00', '', 'not a date'),
  },
  { requiredKeys: ['RtnCode'] },
);

describe('expectedTrade (the one-statement guess of the notification path)', () => {
  it('whenever its guard holds, the guessed decision is exactly what decideNotification decides', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KINDS),
        fieldsArbitrary,
        fc.constantFrom(...ECPAY_TRADE_STATUSES),
        fc.constantFrom(590, 591, 100),
        // The guard does not look at the stored TradeNo: the guessed decision must not depend on it.
        fc.constantFrom(null, '2401011234567890', '2401019999999999'),
        (kind, fields, status, totalAmount, ecpayTradeNo) => {
          const expected = expectedTrade(kind, fields);
          if (!expected) return;
          const guardHolds =
            expected.statuses.includes(status) &&
            (expected.totalAmount === undefined || expected.totalAmount === totalAmount);
          if (!guardHolds) return;
          expect(decideNotification(kind, fields, { status, totalAmount, ecpayTradeNo })).toEqual(expected.decision);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('guesses only applied decisions, and covers every state that applies them', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KINDS), fieldsArbitrary, (kind, fields) => {
        const expected = expectedTrade(kind, fields);
        if (!expected) return;
        expect(expected.decision.outcome).toBe('applied');
        const amount = expected.totalAmount ?? 590;
        const applying = ECPAY_TRADE_STATUSES.filter(
          (status) => decideNotification(kind, fields, { status, totalAmount: amount }).outcome === 'applied',
        );
        expect([...expected.statuses].sort()).toEqual([...applying].sort());
      }),
      { numRuns: 1_000 },
    );
  });

  it('a payment result guesses an open trade with its amount; a simulated one or a non-integer amount guesses nothing', () => {
    const paid = expectedTrade('aio-return', {
      RtnCode: '1',
      TradeAmt: '590',
      SimulatePaid: '0',
      PaymentDate: '2024/01/01 12:05:00',
    });
    expect(paid).toMatchObject({
      statuses: ['pending', 'code-issued', 'failed'],
      totalAmount: 590,
      decision: { event: 'payment.succeeded' },
    });
    expect(paid?.decision.changes).toMatchObject({ status: 'paid', paidAt: new Date('2024-01-01T04:05:00.000Z') });
    expect(expectedTrade('period-return', { RtnCode: '1', Amount: '100' })).toMatchObject({
      statuses: ['paid'],
      totalAmount: 100,
    });
    expect(expectedTrade('aio-return', { RtnCode: '1', TradeAmt: '590', SimulatePaid: '1' })).toBeUndefined();
    expect(expectedTrade('aio-return', { RtnCode: '1', TradeAmt: '1.5' })).toBeUndefined();
  });
});

describe('a payment heard twice: ReturnURL and the reconciliation query (in either order)', () => {
  const returnUrl = {
    MerchantID: '3002607',
    MerchantTradeNo: 'T1',
    RtnCode: '1',
    TradeNo: '2401011234567890',
    TradeAmt: '590',
    PaymentDate: '2024/01/01 12:05:00',
    SimulatePaid: '0',
  };
  const query = {
    MerchantID: '3002607',
    MerchantTradeNo: 'T1',
    TradeStatus: '1',
    TradeNo: '2401011234567890',
    TradeAmt: '590',
    PaymentDate: '2024/01/01 12:05:00',
  };

  it('the first to arrive pays the trade with one payment.succeeded; the second confirms it, without event or alarm', () => {
    for (const [first, second] of [
      [
        ['aio-return', returnUrl],
        ['reconcile', query],
      ],
      [
        ['reconcile', query],
        ['aio-return', returnUrl],
      ],
    ] as const) {
      const pending = decideNotification(first[0], first[1], {
        status: 'pending',
        totalAmount: 590,
        ecpayTradeNo: null,
      });
      expect(pending).toMatchObject({
        outcome: 'applied',
        event: 'payment.succeeded',
        changes: { status: 'paid', ecpayTradeNo: '2401011234567890' },
      });
      const paid = { status: 'paid' as const, totalAmount: 590, ecpayTradeNo: pending.changes!.ecpayTradeNo! };
      expect(decideNotification(second[0], second[1], paid)).toEqual({
        outcome: 'confirmed',
        event: undefined,
        changes: undefined,
      });
    }
  });

  it('a success with another TradeNo for a paid trade, or for a trade cancelled before payment, is still flagged', () => {
    expect(
      decideNotification(
        'reconcile',
        { ...query, TradeNo: '2401019999999999' },
        { status: 'paid', totalAmount: 590, ecpayTradeNo: '2401011234567890' },
      ).outcome,
    ).toBe('invalid-transition');
    expect(
      decideNotification('aio-return', returnUrl, {
        status: 'cancelled',
        totalAmount: 590,
        ecpayTradeNo: '2401011234567890',
      }).outcome,
    ).toBe('invalid-transition');
    expect(
      decideNotification('aio-return', returnUrl, { status: 'paid', totalAmount: 590, ecpayTradeNo: null }).outcome,
    ).toBe('invalid-transition');
  });

  it('a query that reports no payment yet changes nothing and raises nothing; a wrong amount is a tamper alarm', () => {
    expect(
      decideNotification('reconcile', { ...query, TradeStatus: '0' }, { status: 'pending', totalAmount: 590 }),
    ).toEqual({ outcome: 'unchanged', event: undefined, changes: undefined });
    expect(
      decideNotification('reconcile', { ...query, TradeStatus: '0' }, { status: 'paid', totalAmount: 590 }).outcome,
    ).toBe('unchanged');
    expect(
      decideNotification('reconcile', { ...query, TradeAmt: '59' }, { status: 'pending', totalAmount: 590 }).outcome,
    ).toBe('amount-mismatch');
    expect(expectedTrade('reconcile', query)).toMatchObject({
      statuses: ['pending', 'code-issued', 'failed'],
      totalAmount: 590,
    });
    expect(expectedTrade('reconcile', { ...query, TradeStatus: '0' })).toBeUndefined();
  });

  it('the two are stored under different keys (both kept), and repeated queries under one', () => {
    expect(dedupeKeyOf('reconcile', query)).not.toBe(dedupeKeyOf('aio-return', returnUrl));
    expect(dedupeKeyOf('reconcile', query)).toBe(dedupeKeyOf('reconcile', { ...query }));
    expect(dedupeKeyOf('operation', { MerchantID: '3002607', MerchantTradeNo: 'T1', OperationId: 'a' })).not.toBe(
      dedupeKeyOf('operation', { MerchantID: '3002607', MerchantTradeNo: 'T1', OperationId: 'b' }),
    );
  });
});
