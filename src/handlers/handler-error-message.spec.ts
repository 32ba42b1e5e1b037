import { describe, expect, it } from '@jest/globals';
import type { EcpayEvent } from './ecpay-event.interface.js';
import { handlerErrorMessage } from './handler-error-message.js';

const event: EcpayEvent = {
  id: 'evt-1',
  name: 'payment.succeeded',
  merchantId: '3002607',
  merchantTradeNo: 'TEST0001',
  occurredAt: new Date(0),
  receivedAt: new Date(0),
  data: {
    card: { last4: '4321', holder: 'CHEN MEI-LING' },
    tags: ['vip-customer'],
    amount: 123456,
    paidAt: new Date(0),
  },
  raw: { CustomField1: 'a@b.tw', CustomField2: 'a@b.tw/extra', RtnCode: '1', Empty: '    ' },
};

describe('handlerErrorMessage', () => {
  it('keeps the message of an Error, not its name, stack or cause', () => {
    const error = new Error('ERP is down', { cause: new Error('the cause') });
    expect(handlerErrorMessage(error, event)).toBe('ERP is down');
    expect(handlerErrorMessage(new RangeError(''), event)).toBe('RangeError without a message');
  });

  it('masks every string of the payload and data of 4+ characters, longest first', () => {
    const message =
      'holder CHEN MEI-LING, card 4321, tag vip-customer, mail a@b.tw/extra and a@b.tw, code 1, amount 123456';
    expect(handlerErrorMessage(new Error(message), event)).toBe(
      'holder [redacted], card [redacted], tag [redacted], mail [redacted] and [redacted], code 1, amount 123456',
    );
  });

  it('describes a non-Error value by its type, never by its content', () => {
    expect(handlerErrorMessage('plain string a@b.tw', event)).toBe('plain string [redacted]');
    expect(handlerErrorMessage({ toString: () => 'a@b.tw' }, event)).toBe('A non-Error value was thrown (object)');
    expect(handlerErrorMessage(null, event)).toBe('A non-Error value was thrown (null)');
    expect(handlerErrorMessage(undefined, event)).toBe('A non-Error value was thrown (undefined)');
  });

  it('truncates to 500 characters without splitting a surrogate pair', () => {
    expect(handlerErrorMessage(new Error('x'.repeat(500)), event)).toHaveLength(500);
    const long = handlerErrorMessage(new Error('x'.repeat(600)), event);
    expect(long).toHaveLength(500);
    expect(long.endsWith('x…')).toBe(true);
    const emoji = handlerErrorMessage(new Error(`${'x'.repeat(498)}😀😀`), event);
    expect(emoji).toBe(`${'x'.repeat(498)}…`);
  });
});
