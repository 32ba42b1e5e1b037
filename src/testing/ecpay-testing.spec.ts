import { describe, expect, it } from '@jest/globals';
import { decryptEcpayData } from '../crypto/ecpay-aes.js';
import { verifyCheckMacValue } from '../signing/check-mac-value.js';
import { EcpayTesting } from './ecpay-testing.js';

const keys = { hashKey: 'pwFHCqoQZGmho4w6', hashIv: 'EkRm7iFT261dpevs' };
const trade = { merchantId: '3002607', merchantTradeNo: 'Test20240101', totalAmount: 590 };
const testing = new EcpayTesting(keys, () => new Date('2024-01-01T04:05:00Z'));

describe('EcpayTesting', () => {
  it('builds notifications that verify with the merchant keys and not with others', () => {
    const bodies = [
      testing.paymentSucceeded(trade),
      testing.paymentFailed(trade),
      testing.paymentInfo(trade, 'ATM'),
      testing.paymentInfo(trade, 'CVS'),
      testing.periodCharged(trade, 2),
      testing.paymentSucceeded(trade, { SimulatePaid: '1' }),
    ];
    for (const body of bodies) {
      expect(verifyCheckMacValue(body, keys)).toBe(true);
      expect(verifyCheckMacValue(body, { ...keys, hashKey: 'ABCDEFGHIJKLMNOP' })).toBe(false);
    }
  });

  it('fills the fields as ECPay does, in Taipei time', () => {
    expect(testing.paymentSucceeded(trade)).toMatchObject({
      MerchantID: '3002607',
      MerchantTradeNo: 'Test20240101',
      RtnCode: '1',
      TradeAmt: '590',
      PaymentDate: '2024/01/01 12:05:00',
      SimulatePaid: '0',
    });
    expect(testing.paymentInfo(trade, 'CVS')).toMatchObject({ RtnCode: '10100073', PaymentNo: 'LLL22251222' });
    expect(testing.periodCharged(trade, 3)).toMatchObject({ TotalSuccessTimes: '3', Amount: '590' });
  });

  it('re-signs after overrides, builds form bodies and AES envelopes', () => {
    const signed = testing.sign({ ...testing.paymentSucceeded(trade), TradeAmt: '1' });
    expect(verifyCheckMacValue(signed, keys)).toBe(true);
    expect(Object.fromEntries(new URLSearchParams(testing.form(signed)))).toEqual(signed);
    const envelope = testing.envelope('3002607', {
      RtnCode: 1,
      RtnMsg: 'Success',
      OrderInfo: { MerchantTradeNo: 'Test20240101' },
    });
    expect(envelope).toMatchObject({ MerchantID: '3002607', TransCode: 1, RpHeader: { Timestamp: 1704081900 } });
    expect(decryptEcpayData(envelope.Data as string, keys)).toEqual({
      RtnCode: 1,
      RtnMsg: 'Success',
      OrderInfo: { MerchantTradeNo: 'Test20240101' },
    });
  });
});
