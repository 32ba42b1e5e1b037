import { beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { EcpayBackAuthRequest } from '../../src/back-auth/back-auth-request.js';
import { EcpayBackAuthService } from '../../src/back-auth/ecpay-back-auth.service.js';
import { ECPAY_BACK_AUTH_OPTIONS } from '../../src/back-auth/ecpay-back-auth-options.interface.js';
import { EcpayCardDataWithheldError } from '../../src/errors/ecpay-card-data-withheld.error.js';
import {
  ECPAY_JSON_TRANSPORT,
  type EcpayJsonApi,
  type EcpayJsonTransport,
} from '../../src/back-auth/ecpay-json-transport.interface.js';
import { EcpayApiError } from '../../src/errors/ecpay-api.error.js';
import { EcpayValidationError } from '../../src/errors/ecpay-validation.error.js';
import { ECPAY_CLOCK } from '../../src/time/ecpay-clock.js';
import { fixedClock, minimalInput, NOW } from './support/fixtures.js';

type Handler = (data: Record<string, unknown>) => object | Promise<object>;

/** Records every call (a deep copy: the service drops the card from its own Data afterwards) and answers per API. */
class FakeTransport implements EcpayJsonTransport {
  readonly calls: { api: EcpayJsonApi; data: Record<string, unknown>; timeoutMs: number }[] = [];
  readonly originals: object[] = [];

  constructor(private readonly handlers: Partial<Record<EcpayJsonApi, Handler>>) {}

  async post(api: EcpayJsonApi, data: object, options: { timeoutMs: number }): Promise<object> {
    this.calls.push({ api, data: structuredClone(data) as Record<string, unknown>, timeoutMs: options.timeoutMs });
    this.originals.push(data);
    const handler = this.handlers[api];
    if (!handler) throw new Error(`unexpected ${api}`);
    return handler(data as Record<string, unknown>);
  }

  apis(): EcpayJsonApi[] {
    return this.calls.map((call) => call.api);
  }
}

const lost = (): never => {
  throw Object.assign(new Error('socket hang up'), {
    name: 'FakeTimeout',
    outcomeUnknown: true as const,
    code: 'ETIMEDOUT',
  });
};

const orderNo = (data: Record<string, unknown>): string =>
  String((data.OrderInfo as Record<string, unknown>).MerchantTradeNo);

const authorizedData = (merchantTradeNo: string): object => ({
  RtnCode: 1,
  RtnMsg: 'Success',
  MerchantID: '3002607',
  OrderInfo: {
    MerchantTradeNo: merchantTradeNo,
    TradeNo: '2503121530000001',
    TradeAmt: 500,
    TradeStatus: '1',
    PaymentType: 'Credit',
  },
  CardInfo: {
    Card6No: '431195',
    Card4No: '2222',
    AuthCode: '777777',
    Gwsr: 1,
    ProcessDate: '2025/03/12 15:30:25',
    Amount: 500,
    Eci: 5,
  },
});

const service = (
  transport: EcpayJsonTransport,
  options: { timeoutMs?: number; queryTimeoutMs?: number } = {},
): EcpayBackAuthService => new EcpayBackAuthService(transport, { merchantId: '3002607', ...options }, fixedClock);

describe('EcpayBackAuthService', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it('validates, builds and sends BackAuth once with the 30 s default timeout', async () => {
    const transport = new FakeTransport({ backAuth: (data) => authorizedData(orderNo(data)) });
    const result = await service(transport).backAuth(minimalInput());
    expect(transport.apis()).toEqual(['backAuth']);
    expect(transport.calls[0]!.timeoutMs).toBe(30_000);
    expect(transport.calls[0]!.data).toMatchObject({
      MerchantID: '3002607',
      OrderInfo: { MerchantTradeDate: '2025/03/12 15:30:23', TotalAmount: 500 },
      ChoosePayment: 'Credit',
      CardInfo: { CardNo: '4311952222222222', CardCVV2: '222' },
    });
    expect(result).toMatchObject({
      status: 'authorized',
      source: 'backauth',
      amount: 500,
      card: { card6: '431195', card4: '2222', eci: 5 },
    });
  });

  it('takes the timeout from the options, and per call', async () => {
    const transport = new FakeTransport({ backAuth: (data) => authorizedData(orderNo(data)) });
    await service(transport, { timeoutMs: 45_000 }).backAuth(minimalInput());
    await service(transport, { timeoutMs: 45_000 }).backAuth(minimalInput(), { timeoutMs: 60_000 });
    expect(transport.calls.map((call) => call.timeoutMs)).toEqual([45_000, 60_000]);
    expect(() => service(transport, { timeoutMs: 0 })).toThrow(RangeError);
  });

  it('sends nothing when the input breaks a rule', async () => {
    const transport = new FakeTransport({});
    const input = minimalInput();
    input.CardInfo.CardCVV2 = '1';
    await expect(service(transport).backAuth(input)).rejects.toBeInstanceOf(EcpayValidationError);
    expect(transport.calls).toHaveLength(0);
  });

  it('maps a 3-D Secure answer and a refusal', async () => {
    const threeD = new FakeTransport({
      backAuth: (data) => ({ RtnCode: 1, MerchantTradeNo: orderNo(data), ThreeDURL: 'https://3d.example.test/acs' }),
    });
    await expect(service(threeD).backAuth(minimalInput())).resolves.toMatchObject({
      status: 'three-d-secure',
      url: 'https://3d.example.test/acs',
    });
    const declined = new FakeTransport({ backAuth: () => ({ RtnCode: 10100248, RtnMsg: 'declined' }) });
    await expect(service(declined).backAuth(minimalInput())).resolves.toMatchObject({
      status: 'failed',
      rtnCode: 10100248,
      rtnMsg: 'declined',
    });
    expect(declined.apis()).toEqual(['backAuth']);
  });

  it('on a lost answer asks QueryTrade for the same MerchantTradeNo and never resends BackAuth', async () => {
    const transport = new FakeTransport({
      backAuth: lost,
      queryTrade: (data) => authorizedData(String(data.MerchantTradeNo)),
    });
    const input = minimalInput();
    input.OrderInfo.MerchantTradeNo = 'Lost20250312';
    const result = await service(transport, { queryTimeoutMs: 5_000 }).backAuth(input);
    expect(transport.apis()).toEqual(['backAuth', 'queryTrade']);
    expect(transport.calls[1]).toEqual({
      api: 'queryTrade',
      data: { MerchantID: '3002607', MerchantTradeNo: 'Lost20250312' },
      timeoutMs: 5_000,
    });
    expect(result).toMatchObject({ status: 'authorized', source: 'query', merchantTradeNo: 'Lost20250312' });
  });

  it.each<[string, Handler, object]>([
    ['the query is lost too', lost, { status: 'unknown', reason: 'query-failed' }],
    [
      'the query is refused',
      () => ({ RtnCode: 10200047, RtnMsg: 'no such trade' }),
      { status: 'unknown', reason: 'query-rejected', rtnCode: 10200047 },
    ],
    [
      'the client throws on the refused query',
      () => {
        throw new EcpayApiError({ api: 'queryTrade', rtnCode: 10200047, rtnMsg: 'no such trade' });
      },
      { status: 'unknown', reason: 'query-rejected', rtnCode: 10200047 },
    ],
    [
      'the trade is not paid yet',
      (data) => ({ RtnCode: 1, OrderInfo: { MerchantTradeNo: data.MerchantTradeNo, TradeStatus: '0' } }),
      { status: 'unknown', reason: 'pending', tradeStatus: '0' },
    ],
    [
      'the query is about another trade',
      () => authorizedData('SomeoneElse'),
      { status: 'unknown', reason: 'query-failed' },
    ],
  ])('is unknown when %s', async (_name, query, expected) => {
    const transport = new FakeTransport({ backAuth: lost, queryTrade: query });
    await expect(service(transport).backAuth(minimalInput())).resolves.toMatchObject(expected);
    expect(transport.apis()).toEqual(['backAuth', 'queryTrade']);
  });

  it('queries when the answer cannot be trusted (another MerchantTradeNo, RtnCode 1 without a result)', async () => {
    for (const answer of [authorizedData('SomeoneElse'), { RtnCode: 1, RtnMsg: 'Success' }]) {
      const transport = new FakeTransport({
        backAuth: () => answer,
        queryTrade: (data) => authorizedData(String(data.MerchantTradeNo)),
      });
      await expect(service(transport).backAuth(minimalInput())).resolves.toMatchObject({
        status: 'authorized',
        source: 'query',
      });
      expect(transport.apis()).toEqual(['backAuth', 'queryTrade']);
    }
  });

  it('reads a client that throws on RtnCode ≠ 1 as the refusal it carries', async () => {
    const transport = new FakeTransport({
      backAuth: () => {
        throw new EcpayApiError({ api: 'backAuth', rtnCode: 10100248, rtnMsg: 'declined' });
      },
    });
    await expect(service(transport).backAuth(minimalInput())).resolves.toMatchObject({
      status: 'failed',
      rtnCode: 10100248,
    });
  });

  it('passes on an error that leaves the outcome known (TransCode ≠ 1) without querying', async () => {
    const error = new EcpayApiError({ api: 'backAuth', transCode: 999, rtnMsg: 'Fail' });
    const transport = new FakeTransport({
      backAuth: () => {
        throw error;
      },
    });
    await expect(service(transport).backAuth(minimalInput())).rejects.toBe(error);
    expect(transport.apis()).toEqual(['backAuth']);
  });

  it('withholds a transport error that echoes the card', async () => {
    const transport = new FakeTransport({
      backAuth: (data) => {
        throw new TypeError(`cannot send ${JSON.stringify(data)}`);
      },
    });
    const rejection = service(transport).backAuth(minimalInput());
    await expect(rejection).rejects.toBeInstanceOf(EcpayCardDataWithheldError);
    await expect(rejection).rejects.toMatchObject({
      originalName: 'TypeError',
      message: expect.not.stringContaining('4311952222222222'),
    });
  });

  it('drops its references to the card once the request is out', async () => {
    const transport = new FakeTransport({ backAuth: (data) => authorizedData(orderNo(data)) });
    await service(transport).backAuth(new EcpayBackAuthRequest(minimalInput()));
    const sent = transport.originals[0] as { CardInfo: Record<string, unknown> };
    expect(Object.keys(sent.CardInfo)).toEqual(['DirectCapture']);
  });

  it('is injectable: transport, options and the module clock come from Nest', async () => {
    const transport = new FakeTransport({ backAuth: (data) => authorizedData(orderNo(data)) });
    const moduleRef = await Test.createTestingModule({
      providers: [
        EcpayBackAuthService,
        { provide: ECPAY_JSON_TRANSPORT, useValue: transport },
        { provide: ECPAY_BACK_AUTH_OPTIONS, useValue: { merchantId: '3002607' } },
        { provide: ECPAY_CLOCK, useValue: fixedClock },
      ],
    }).compile();
    await moduleRef.get(EcpayBackAuthService).backAuth(minimalInput());
    expect((transport.calls[0]!.data.OrderInfo as Record<string, unknown>).MerchantTradeDate).toBe(
      '2025/03/12 15:30:23',
    );
    await moduleRef.close();
    expect(NOW.toISOString()).toBe('2025-03-12T07:30:23.000Z');
  });
});
