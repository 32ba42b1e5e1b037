import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ECPAY_TRADE_STATUSES } from '../persistence/ecpay-trade-status.js';
import type { EcpayNotificationKind } from './ecpay-notification.entity.js';
import { decideNotification, expectedTrade } from './notification-decision.js';

const KINDS: readonly EcpayNotificationKind[] = ['aio-return', 'period-return', 'payment-info', 'ecpg-return'];

/** Notification fields drawn from the values that steer the state machine, plus some that must not. */
const fieldsArbitrary = fc.record(
  {
    RtnCode: fc.constantFrom('1', '2', '10100073', '10100050', '0', 'x'),
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
      fc.property(fc.constantFrom(...KINDS), fieldsArbitrary, fc.constantFrom(...ECPAY_TRADE_STATUSES), fc.constantFrom(590, 591, 100), (kind, fields, status, totalAmount) => {
        const expected = expectedTrade(kind, fields);
        if (!expected) return;
        const guardHolds = expected.statuses.includes(status) && (expected.totalAmount === undefined || expected.totalAmount === totalAmount);
        if (!guardHolds) return;
        expect(decideNotification(kind, fields, { status, totalAmount })).toEqual(expected.decision);
      }),
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
        const applying = ECPAY_TRADE_STATUSES.filter((status) => decideNotification(kind, fields, { status, totalAmount: amount }).outcome === 'applied');
        expect([...expected.statuses].sort()).toEqual([...applying].sort());
      }),
      { numRuns: 1_000 },
    );
  });

  it('a payment result guesses an open trade with its amount; a simulated one or a non-integer amount guesses nothing', () => {
    const paid = expectedTrade('aio-return', { RtnCode: '1', TradeAmt: '590', SimulatePaid: '0', PaymentDate: '2024/01/01 12:05:00' });
    expect(paid).toMatchObject({ statuses: ['pending', 'code-issued', 'failed'], totalAmount: 590, decision: { event: 'payment.succeeded' } });
    expect(paid?.decision.changes).toMatchObject({ status: 'paid', paidAt: new Date('2024-01-01T04:05:00.000Z') });
    expect(expectedTrade('period-return', { RtnCode: '1', Amount: '100' })).toMatchObject({ statuses: ['paid'], totalAmount: 100 });
    expect(expectedTrade('aio-return', { RtnCode: '1', TradeAmt: '590', SimulatePaid: '1' })).toBeUndefined();
    expect(expectedTrade('aio-return', { RtnCode: '1', TradeAmt: '1.5' })).toBeUndefined();
  });
});
