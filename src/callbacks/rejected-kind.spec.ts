import { describe, expect, it } from '@jest/globals';
import { rejectedKindOf } from './rejected-kind.js';

describe('rejectedKindOf', () => {
  it('names the kind of the route a refused request was posted to, under any prefix', () => {
    expect(rejectedKindOf({ originalUrl: '/ecpay/return' })).toBe('aio-return');
    expect(rejectedKindOf({ url: '/shop/payments/period-return?x=1' })).toBe('period-return');
    expect(rejectedKindOf({ url: '/ecpay/payment-info/' })).toBe('payment-info');
  });

  it('prefers the longest route: ecpg/return is not return', () => {
    expect(rejectedKindOf({ url: '/ecpay/ecpg/return' })).toBe('ecpg-return');
    expect(rejectedKindOf({ url: '/ecpay/ecpg/order-result' })).toBe('ecpg-order-result');
    expect(rejectedKindOf({ url: '/ecpay/ecticket/refund-notify' })).toBe('ecticket-refund');
  });

  it("is 'unknown' for an app's own route, keeping the attribute bounded", () => {
    expect(rejectedKindOf({ url: '/payments/callback' })).toBe('unknown');
    expect(rejectedKindOf({})).toBe('unknown');
  });
});
