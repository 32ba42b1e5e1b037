import { describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { EcpayBackAuthRequest } from './back-auth-request.js';
import { buildBackAuthData } from './build-back-auth-data.js';
import { decodeMerchantTradeNoTime } from '../checkout/merchant-trade-no.js';
import { EcpayValidationError } from '../errors/ecpay-validation.error.js';
import { fullInput, minimalInput, NOW } from '../../test/back-auth/support/fixtures.js';

describe('buildBackAuthData (docs/protocol.md §7.6 Data)', () => {
  it('builds the nested structure of docs/protocol.md §7.6 with every field, in the order of its parameter table', () => {
    const input = fullInput();
    input.CardInfo.CreditInstallment = '3,6,12';
    const data = buildBackAuthData(input, '3002607', NOW);
    expect(data).toEqual({
      MerchantID: '3002607',
      OrderInfo: {
        MerchantTradeNo: 'Test20250312A',
        MerchantTradeDate: '2025/03/12 15:30:23',
        TotalAmount: 500,
        ItemName: 'item1#item2',
        TradeDesc: '',
        ReturnURL: 'https://shop.example.com/ecpay/return',
      },
      ChoosePayment: 'Credit',
      CardInfo: {
        CardNo: '4311952222222222',
        CardValidMM: '12',
        CardValidYY: '30',
        CardCVV2: '222',
        DirectCapture: '0',
        Redeem: '0',
        CreditInstallment: '3,6,12',
        PeriodAmount: 500,
        PeriodType: 'M',
        Frequency: 1,
        ExecTimes: 12,
        PeriodReturnURL: 'https://shop.example.com/ecpay/period-return',
        OrderResultURL: 'https://shop.example.com/checkout/result',
      },
      ConsumerInfo: {
        MerchantMemberID: 'test123456',
        Email: 'customer@email.com',
        Phone: '0912345678',
        Name: 'Test',
        CountryCode: '158',
        Address: '台北市南港區三重路19-2號',
      },
      CustomField: 'order-42',
    });
    // toEqual ignores order; the wire JSON does not.
    expect(Object.keys(data)).toEqual([
      'MerchantID',
      'OrderInfo',
      'ChoosePayment',
      'CardInfo',
      'ConsumerInfo',
      'CustomField',
    ]);
    expect(Object.keys(data.OrderInfo)).toEqual([
      'MerchantTradeNo',
      'MerchantTradeDate',
      'TotalAmount',
      'ItemName',
      'TradeDesc',
      'ReturnURL',
    ]);
    expect(Object.keys(data.CardInfo)).toEqual([
      'CardNo',
      'CardValidMM',
      'CardValidYY',
      'CardCVV2',
      'DirectCapture',
      'Redeem',
      'CreditInstallment',
      'PeriodAmount',
      'PeriodType',
      'Frequency',
      'ExecTimes',
      'PeriodReturnURL',
      'OrderResultURL',
    ]);
    expect(Object.keys(data.ConsumerInfo!)).toEqual([
      'MerchantMemberID',
      'Email',
      'Phone',
      'Name',
      'CountryCode',
      'Address',
    ]);
  });

  it("matches the shape of ECPay's BackAuth Data example (docs/protocol.md §7.6) (Int as JSON numbers, ChoosePayment a plain string)", () => {
    const seedExample = {
      MerchantID: '3002607',
      OrderInfo: {
        MerchantTradeDate: '2022/05/23 14:10:00',
        MerchantTradeNo: '1234567890',
        TotalAmount: 500,
        TradeDesc: '',
        ItemName: 'item1#item2',
        ReturnURL: 'https://yourReturnURL.com',
      },
      ChoosePayment: 'Credit',
      CardInfo: { OrderResultURL: 'https://yourOrderResultURL.com', CreditInstallment: '3,6,12' },
      ConsumerInfo: {
        MerchantMemberID: 'test123456',
        Email: 'customer@email.com',
        Phone: '0912345678',
        Name: 'Test',
        CountryCode: '158',
      },
    };
    const data = buildBackAuthData(
      {
        OrderInfo: {
          MerchantTradeNo: '1234567890',
          TotalAmount: 500,
          TradeDesc: '',
          ItemName: 'item1#item2',
          ReturnURL: 'https://yourReturnURL.com',
        },
        CardInfo: {
          ...minimalInput().CardInfo,
          OrderResultURL: 'https://yourOrderResultURL.com',
          CreditInstallment: '3,6,12',
        },
        ConsumerInfo: {
          MerchantMemberID: 'test123456',
          Email: 'customer@email.com',
          Phone: '0912345678',
          Name: 'Test',
          CountryCode: '158',
        },
      },
      '3002607',
      new Date('2022-05-23T06:10:00Z'),
    );
    const typesOf = (value: unknown): unknown =>
      typeof value === 'object' && value !== null
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typesOf(v)]))
        : typeof value;
    // Every field of the example is there, with the example's JSON type and, outside CardInfo, the example's value.
    expect(typesOf(data)).toMatchObject(typesOf(seedExample) as object);
    expect(data).toMatchObject(seedExample);
  });

  it('leaves out what is not given and fills in what the library owns', () => {
    const data = buildBackAuthData(minimalInput(), '3002607', NOW);
    expect(Object.keys(data)).toEqual(['MerchantID', 'OrderInfo', 'ChoosePayment', 'CardInfo']);
    expect(Object.keys(data.CardInfo)).toEqual(['CardNo', 'CardValidMM', 'CardValidYY', 'CardCVV2', 'DirectCapture']);
    expect(data.OrderInfo.MerchantTradeDate).toBe('2025/03/12 15:30:23');
    // Generated from the same clock: time-sortable, decodable, within ECPay's 20 letters and digits.
    expect(data.OrderInfo.MerchantTradeNo).toMatch(/^[0-9A-Z]{18}$/);
    expect(decodeMerchantTradeNoTime(data.OrderInfo.MerchantTradeNo).getTime()).toBeGreaterThanOrEqual(NOW.getTime());
    expect(buildBackAuthData(minimalInput(), '3002607', NOW).OrderInfo.MerchantTradeNo).not.toBe(
      data.OrderInfo.MerchantTradeNo,
    );
  });

  it('drops an empty ConsumerInfo and strips card number separators', () => {
    const input = minimalInput();
    input.CardInfo.CardNo = '4311 9522-2222 2222';
    input.ConsumerInfo = { Email: undefined };
    const data = buildBackAuthData(input, '3002607', NOW);
    expect(data.CardInfo.CardNo).toBe('4311952222222222');
    expect('ConsumerInfo' in data).toBe(false);
  });

  it('writes ItemName from items as "name xQUANTITY" joined by #', () => {
    const input = minimalInput();
    delete input.OrderInfo.ItemName;
    input.OrderInfo.items = [
      { name: ' Tea ', price: 200, quantity: 2 },
      { name: 'Cake', price: 100, quantity: 1 },
    ];
    expect(buildBackAuthData(input, '3002607', NOW).OrderInfo.ItemName).toBe('Tea x2#Cake x1');
  });

  it('accepts the redacting wrapper and still sends the real card', () => {
    const data = buildBackAuthData(new EcpayBackAuthRequest(minimalInput()), '3002607', NOW);
    expect(JSON.parse(JSON.stringify(data)).CardInfo.CardNo).toBe('4311952222222222');
  });

  it('prints redacted under util.inspect (console.log, Logger) but keeps the wire JSON intact', () => {
    const data = buildBackAuthData(minimalInput(), '3002607', NOW);
    for (const printed of [inspect(data), inspect(data.CardInfo), inspect({ wrapped: data }, { depth: 5 })]) {
      expect(printed).toContain('[REDACTED]');
      expect(printed).not.toContain('4311952222222222');
      expect(printed).not.toMatch(/'(12|30|222)'/);
    }
    expect(inspect(data)).toContain('2025/03/12 15:30:23');
    expect(JSON.stringify(data)).toContain('"CardCVV2":"222"');
  });

  it('validates first: nothing is built from an invalid input or MerchantID', () => {
    const input = minimalInput();
    input.CardInfo.CardValidYY = '24';
    expect(() => buildBackAuthData(input, '3002607', NOW)).toThrow(EcpayValidationError);
    expect(() => buildBackAuthData(minimalInput(), '', NOW)).toThrow(EcpayValidationError);
  });
});
