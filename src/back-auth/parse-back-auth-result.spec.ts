import { describe, expect, it } from '@jest/globals';
import { parseBackAuthResult } from './parse-back-auth-result.js';
import { parseBackAuthQueryResult } from './parse-query-trade-result.js';
import { EcpayResponseVerificationError } from '../errors/ecpay-response-verification.error.js';

/**
 * ECPay's BackAuth "not using 3DS" Data example (docs/protocol.md §7.6), made valid JSON (it lacks a comma after Amount
 * and has trailing commas).
 */
const SEED_AUTHORIZED = {
  RtnCode: 1,
  RtnMsg: 'Success',
  MerchantID: '1234567890',
  CardInfo: {
    Card6No: '123456',
    Card4No: '1234',
    IssuingBank: '中國信託商業銀行',
    'IssuingBankCode ': '822',
    AuthCode: '654123',
    Gwsr: 125,
    ProcessDate: '2022/09/18 15:39:10',
    Amount: 2,
    Eci: 1,
  },
  OrderInfo: {
    MerchantTradeNo: 'test123466',
    TradeNo: '123456789',
    PaymentDate: '2022/09/18 15:39:10',
    TradeAmt: 2,
    PaymentType: 'Credit',
    TradeDate: '2022/09/18 15:39:10',
    ChargeFee: 0,
    TradeStatus: '1',
  },
};

/** ECPay's BackAuth 3DS Data example (docs/protocol.md §7.6). */
const SEED_THREE_D = {
  RtnCode: 1,
  RtnMsg: 'Success',
  PlatformID: '1234567890',
  MerchantID: '1234567890',
  MerchantTradeNo: 'test123466',
  ThreeDURL: 'https://3durl.com.tw',
};

describe('parseBackAuthResult (docs/protocol.md §7.6 answers)', () => {
  it('reads the 3-D Secure example: the URL the browser must be sent to', () => {
    expect(parseBackAuthResult(SEED_THREE_D)).toEqual({
      status: 'three-d-secure',
      url: 'https://3durl.com.tw',
      merchantTradeNo: 'test123466',
    });
  });

  it('reads the authorization example, with ProcessDate as Asia/Taipei time', () => {
    const result = parseBackAuthResult(SEED_AUTHORIZED, { merchantTradeNo: 'test123466' });
    expect(result).toEqual({
      status: 'authorized',
      merchantTradeNo: 'test123466',
      tradeNo: '123456789',
      amount: 2,
      paymentType: 'Credit',
      tradeDate: new Date('2022-09-18T07:39:10Z'),
      paymentDate: new Date('2022-09-18T07:39:10Z'),
      chargeFee: 0,
      processFee: null,
      tradeStatus: '1',
      customField: '',
      source: 'backauth',
      card: {
        card6: '123456',
        card4: '1234',
        authCode: '654123',
        gwsr: 125,
        eci: 1,
        processDate: new Date('2022-09-18T07:39:10Z'),
        amount: 2,
        issuingBank: '中國信託商業銀行',
        issuingBankCode: '822',
        installment: null,
        redeem: null,
        period: null,
      },
    });
  });

  it('reads installments, bonus points and the periodic plan when ECPay returns them', () => {
    const data = structuredClone(SEED_AUTHORIZED) as typeof SEED_AUTHORIZED & {
      CardInfo: Record<string, unknown>;
      CustomField?: string;
    };
    Object.assign(data.CardInfo, {
      IssuingBankCode: '812',
      Stage: 3,
      Stast: 34,
      Staed: 33,
      RedDan: 100,
      RedDeAmt: 10,
      RedOkAmt: 90,
      RedYet: 5,
      PeriodType: 'M',
      Frequency: 1,
      ExecTimes: 12,
      PeriodAmount: 100,
      TotalSuccessTimes: 1,
      TotalSuccessAmount: 100,
    });
    data.CustomField = 'order-42';
    const result = parseBackAuthResult(data);
    expect(result.status).toBe('authorized');
    if (result.status !== 'authorized') return;
    expect(result.customField).toBe('order-42');
    expect(result.card.issuingBankCode).toBe('812');
    expect(result.card.installment).toEqual({ stages: 3, firstAmount: 34, eachAmount: 33 });
    expect(result.card.redeem).toEqual({ pointsUsed: 100, deductedAmount: 10, chargedAmount: 90, pointsLeft: 5 });
    expect(result.card.period).toEqual({
      periodType: 'M',
      frequency: 1,
      execTimes: 12,
      periodAmount: 100,
      totalSuccessTimes: 1,
      totalSuccessAmount: 100,
    });
  });

  it('never copies card fields beyond Card6No/Card4No, nor a "masked" number longer than it should be', () => {
    const data = structuredClone(SEED_AUTHORIZED) as typeof SEED_AUTHORIZED & { CardInfo: Record<string, unknown> };
    Object.assign(data.CardInfo, {
      CardValidMM: '12',
      CardValidYY: '30',
      CardNo: '4311952222222222',
      Card6No: '4311952222222222',
      Card4No: '2222',
    });
    const result = parseBackAuthResult(data);
    const printed = JSON.stringify(result);
    expect(printed).not.toContain('4311952222222222');
    expect(printed).not.toMatch(/CardValid|"30"|"12"/);
    expect(result.status === 'authorized' && result.card.card6).toBe('');
  });

  it.each<[string, Record<string, unknown>, number | null, string]>([
    ['a declined card', { RtnCode: 10100248, RtnMsg: '授權失敗', MerchantTradeNo: 'test123466' }, 10100248, '授權失敗'],
    [
      'RtnCode as text',
      { RtnCode: '10100050', RtnMsg: 'Parameter Error', MerchantTradeNo: 'test123466' },
      10100050,
      'Parameter Error',
    ],
    ['no RtnCode at all', { RtnMsg: 'odd', MerchantTradeNo: 'test123466' }, null, 'odd'],
  ])('reads %s as failed', (_name, data, rtnCode, rtnMsg) => {
    expect(parseBackAuthResult(data)).toEqual({ status: 'failed', merchantTradeNo: 'test123466', rtnCode, rtnMsg });
  });

  it('reports our MerchantTradeNo on a refusal that omits it', () => {
    expect(parseBackAuthResult({ RtnCode: 0, RtnMsg: 'x' }, { merchantTradeNo: 'Mine1' })).toMatchObject({
      status: 'failed',
      merchantTradeNo: 'Mine1',
    });
  });

  it.each<[string, unknown, string, string]>([
    ['a non-object', 'Success', 'test123466', 'malformed'],
    ['RtnCode 1 with nothing else', { RtnCode: 1, RtnMsg: 'Success' }, 'test123466', 'malformed'],
    ['a javascript: ThreeDURL', { ...SEED_THREE_D, ThreeDURL: 'javascript:alert(1)' }, 'test123466', 'malformed'],
    ['a relative ThreeDURL', { ...SEED_THREE_D, ThreeDURL: '/acs' }, 'test123466', 'malformed'],
    ['another MerchantTradeNo', SEED_THREE_D, 'Other1', 'mismatch'],
  ])('refuses %s (outcome unknown: query)', (_name, data, merchantTradeNo, reason) => {
    let thrown: unknown;
    try {
      parseBackAuthResult(data, { merchantTradeNo });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EcpayResponseVerificationError);
    expect((thrown as EcpayResponseVerificationError).reason).toBe(reason);
  });

  it('tolerates odd secondary fields of an authorization (money has moved: never throw on them)', () => {
    const data = structuredClone(SEED_AUTHORIZED) as unknown as {
      CardInfo: Record<string, unknown>;
      OrderInfo: Record<string, unknown>;
    };
    Object.assign(data.CardInfo, { ProcessDate: 'yesterday', Gwsr: 'abc', Eci: null });
    delete data.OrderInfo.TradeAmt;
    const result = parseBackAuthResult(data);
    expect(result).toMatchObject({
      status: 'authorized',
      amount: 2,
      card: { processDate: null, gwsr: null, eci: null },
    });
  });
});

describe('parseBackAuthQueryResult (QueryTrade after a lost answer)', () => {
  it('reads TradeStatus 1 as authorized, from the query', () => {
    expect(parseBackAuthQueryResult(SEED_AUTHORIZED, 'test123466')).toMatchObject({
      status: 'authorized',
      source: 'query',
      tradeNo: '123456789',
      card: { card6: '123456', card4: '1234', authCode: '654123' },
    });
  });

  it.each<[string, string, string]>([
    ['0 (not paid yet: bank pending or 3-D Secure not done)', '0', 'pending'],
    ['10200095 (meaning not documented in our sources)', '10200095', 'unrecognized-status'],
  ])('keeps TradeStatus %s unknown', (_name, tradeStatus, reason) => {
    const data = { ...SEED_AUTHORIZED, OrderInfo: { ...SEED_AUTHORIZED.OrderInfo, TradeStatus: tradeStatus } };
    expect(parseBackAuthQueryResult(data, 'test123466')).toEqual({
      status: 'unknown',
      merchantTradeNo: 'test123466',
      reason,
      tradeStatus,
    });
  });

  it('keeps a rejected query unknown (it says nothing about the payment)', () => {
    expect(parseBackAuthQueryResult({ RtnCode: 10200047, RtnMsg: 'not found' }, 'test123466')).toEqual({
      status: 'unknown',
      merchantTradeNo: 'test123466',
      reason: 'query-rejected',
      rtnCode: 10200047,
      rtnMsg: 'not found',
    });
  });

  it('refuses an answer about another trade or without OrderInfo', () => {
    expect(() => parseBackAuthQueryResult(SEED_AUTHORIZED, 'Other1')).toThrow(EcpayResponseVerificationError);
    expect(() => parseBackAuthQueryResult({ RtnCode: 1 }, 'test123466')).toThrow(EcpayResponseVerificationError);
  });
});
