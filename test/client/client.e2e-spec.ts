import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import type { LoggerService } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  EcpayApiError,
  EcpayClient,
  EcpayModule,
  EcpayResponseVerificationError,
  EcpayService,
  EcpayTimeoutError,
  EcpayTransportError,
  EcpayUnsupportedEnvironmentError,
  EcpayValidationError,
  type EcpayModuleOptions,
} from '../../src/index.js';
import { STAGE_MERCHANT } from '../support/test-module.js';
import {
  EcpayStub,
  MovableClock,
  rawKeyValue,
  stubCheckMac,
  stubDecrypt,
  stubEncrypt,
  stubSign,
  type StubKeys,
  type StubRequest,
  type StubReply,
} from './ecpay-stub.js';

// 2026-11-22 12:00:00 in Taipei.
const T0 = Date.parse('2026-11-22T04:00:00Z');
const unix = (ms: number) => Math.floor(ms / 1000);

/** Everything the library logged and every error it threw in this file: checked for secrets at the end. */
const logs: string[] = [];
const thrown: unknown[] = [];
const capture: LoggerService = {
  log: (message) => void logs.push(String(message)),
  error: (message) => void logs.push(String(message)),
  warn: (message) => void logs.push(String(message)),
  debug: (message) => void logs.push(String(message)),
  verbose: (message) => void logs.push(String(message)),
  fatal: (message) => void logs.push(String(message)),
};

/** The rejection of `promise` (recorded for the secrets check); fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    thrown.push(error);
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

async function compile(options: Partial<EcpayModuleOptions> & { persistence?: boolean }): Promise<TestingModule> {
  return Test.createTestingModule({
    imports: [
      EcpayModule.forRoot({
        environment: 'sandbox',
        ...STAGE_MERCHANT,
        persistence: false,
        ...options,
      } as EcpayModuleOptions),
    ],
  })
    .setLogger(capture)
    .compile();
}

// --- ECPay's behaviour, answered by the stub with its own signer ------------------------------------------------

/** A form request as ECPay checks it: form-encoded, and the CheckMacValue right (else ECPay's `code|message`). */
function acceptForm(request: StubRequest, keys: StubKeys): Record<string, string> | StubReply {
  if (!request.contentType.startsWith('application/x-www-form-urlencoded') || !request.form)
    return { status: 400, body: 'not a form' };
  if (stubCheckMac(request.form, keys) !== request.form.CheckMacValue) return { body: '10200073|CheckMacValue Error' };
  return request.form;
}

/** Opens an AES request envelope independently, or answers TransCode 999 as ECPay would. */
function acceptEnvelope(request: StubRequest, keys: StubKeys): Record<string, unknown> | StubReply {
  const envelope = request.json as
    { MerchantID?: string; RqHeader?: { Timestamp?: number }; Data?: string } | undefined;
  if (!envelope?.Data || typeof envelope.RqHeader?.Timestamp !== 'number')
    return { body: JSON.stringify({ TransCode: 999, TransMsg: 'bad envelope' }) };
  return stubDecrypt(envelope.Data, keys) as Record<string, unknown>;
}

const isReply = (value: unknown): value is StubReply =>
  value === 'hang' || value === 'reset' || (typeof value === 'object' && value !== null && 'body' in value);

/**
 * ItemName as ECPay writes it back raw: a literal `+`, a `%` not followed by hex, spaces and Chinese (woomp v3.5.18).
 */
const RAW_ITEM_NAME = 'AI 繪圖夢工廠 + 社群玩家特典 100% 好評';

function tradeInfoFields(form: Record<string, string>, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    MerchantID: form.MerchantID!,
    MerchantTradeNo: form.MerchantTradeNo!,
    StoreID: '',
    TradeNo: '2611221200001234',
    TradeAmt: '1290',
    PaymentDate: '2026/11/22 12:01:02',
    PaymentType: 'Credit_CreditCard',
    HandlingCharge: '26',
    PaymentTypeChargeFee: '25.8',
    TradeDate: '2026/11/22 11:59:00',
    TradeStatus: '1',
    ItemName: RAW_ITEM_NAME,
    CustomField1: 'a=b',
    CustomField2: '',
    CustomField3: '',
    CustomField4: '',
    ...overrides,
  };
}

function periodInfo(form: Record<string, string>): Record<string, unknown> {
  const scalars: Record<string, string | number> = {
    MerchantID: form.MerchantID!,
    MerchantTradeNo: form.MerchantTradeNo!,
    TradeNo: '2611221200005678',
    RtnCode: 1,
    PeriodType: 'M',
    Frequency: 1,
    ExecTimes: 12,
    PeriodAmount: 300,
    amount: 300,
    gwsr: 11223344,
    process_date: '2026/10/22 12:00:00',
    auth_code: '777777',
    card4no: '2222',
    card6no: '431195',
    TotalSuccessTimes: 2,
    TotalSuccessAmount: 600,
    ExecStatus: '1',
  };
  const mac = stubCheckMac(Object.fromEntries(Object.entries(scalars).map(([k, v]) => [k, String(v)])), STAGE_MERCHANT);
  return {
    ...scalars,
    ExecLog: [
      {
        RtnCode: 1,
        RtnMsg: '成功',
        amount: 300,
        gwsr: 11223344,
        process_date: '2026/10/22 12:00:00',
        auth_code: '777777',
        TradeNo: '2610221200005678',
      },
      {
        RtnCode: 1,
        RtnMsg: '成功',
        amount: 300,
        gwsr: 11223399,
        process_date: '2026/11/22 12:00:00',
        auth_code: '777778',
        TradeNo: '2611221200005679',
      },
    ],
    CheckMacValue: mac,
  };
}

function installEcpay(stub: EcpayStub, keys: StubKeys): void {
  const form = (handler: (fields: Record<string, string>) => StubReply) => (request: StubRequest) => {
    const accepted = acceptForm(request, keys);
    return isReply(accepted) ? accepted : handler(accepted);
  };
  stub
    .on(
      '/Cashier/QueryTradeInfo/V5',
      form((f) => ({ body: rawKeyValue(stubSign(tradeInfoFields(f), keys)) })),
    )
    .on(
      '/Cashier/QueryPaymentInfo',
      form((f) => ({
        body: rawKeyValue(
          stubSign(
            {
              MerchantID: f.MerchantID!,
              MerchantTradeNo: f.MerchantTradeNo!,
              StoreID: '',
              RtnCode: '2',
              RtnMsg: 'Get VirtualAccount Succeeded',
              TradeNo: '2611221200009999',
              TradeAmt: '1500',
              PaymentType: 'ATM_TAISHIN',
              TradeDate: '2026/11/22 11:30:00',
              ExpireDate: '2026/11/25',
              BankCode: '812',
              vAccount: '9103522175887271',
              PaymentNo: '',
              Barcode1: '',
              Barcode2: '',
              Barcode3: '',
              CustomField1: '',
              CustomField2: '',
              CustomField3: '',
              CustomField4: '',
            },
            keys,
          ),
        ),
      })),
    )
    .on(
      '/Cashier/QueryCreditCardPeriodInfo',
      form((f) => ({ body: JSON.stringify(periodInfo(f)), contentType: 'application/json' })),
    )
    // DoAction's answer carries no CheckMacValue (docs/protocol.md §7.2).
    .on(
      '/CreditDetail/DoAction',
      form((f) => ({
        body: rawKeyValue({
          MerchantID: f.MerchantID!,
          MerchantTradeNo: f.MerchantTradeNo!,
          TradeNo: f.TradeNo!,
          RtnCode: '1',
          RtnMsg: '成功.',
        }),
      })),
    )
    .on(
      '/Cashier/CreditCardPeriodAction',
      form((f) => ({
        body: rawKeyValue(
          stubSign(
            { MerchantID: f.MerchantID!, MerchantTradeNo: f.MerchantTradeNo!, RtnCode: '1', RtnMsg: 'OK' },
            keys,
          ),
        ),
      })),
    )
    .on(
      '/PaymentMedia/TradeNoAio',
      form(() => ({
        body:
          '\uFEFF交易日期,特店交易編號,交易金額,商品名稱\r\n' +
          '2026/11/21 10:00:00,="0012345",1290,"咖啡豆, 250g"\r\n' +
          '2026/11/21 11:00:00,="A2",590,"He said ""hi"""\r\n\r\n',
        contentType: 'text/csv; charset=utf-8',
      })),
    )
    .on('/1.0.0/Cashier/QueryTrade', (request) => {
      const data = acceptEnvelope(request, keys);
      if (isReply(data)) return data;
      return {
        contentType: 'application/json',
        body: JSON.stringify({
          MerchantID: data.MerchantID,
          RpHeader: { Timestamp: unix(T0) },
          TransCode: 1,
          TransMsg: 'Success',
          Data: stubEncrypt(
            {
              RtnCode: 1,
              RtnMsg: 'Success',
              MerchantID: data.MerchantID,
              OrderInfo: {
                MerchantTradeNo: data.MerchantTradeNo,
                TradeNo: '2611221100000001',
                TradeAmt: 590,
                TradeDate: '2026/11/22 11:00:00',
                PaymentType: 'Credit',
                PaymentDate: '2026/11/22 11:00:30',
                ChargeFee: 11.8,
                TradeStatus: '1',
              },
              CardInfo: { Card6No: '431195', Card4No: '2222', AuthCode: '777777' },
            },
            keys,
          ),
        }),
      };
    });
}

describe('EcpayClient against a loopback ECPay', () => {
  let stub: EcpayStub;
  let clock: MovableClock;
  let module: TestingModule;
  let client: EcpayClient;

  beforeAll(async () => {
    stub = await EcpayStub.start();
    clock = new MovableClock(T0);
    module = await compile({ sandboxUrl: stub.url, clock });
    client = module.get(EcpayService).client;
  });

  beforeEach(() => {
    stub.requests.length = 0;
    installEcpay(stub, STAGE_MERCHANT);
  });

  afterAll(async () => {
    await module?.close();
    await stub?.close();
  });

  it('is the EcpayService.client and an injectable EcpayClient', () => {
    expect(client).toBeInstanceOf(EcpayClient);
    expect(module.get(EcpayClient)).toBe(client);
  });

  it('QueryTradeInfo: POSTs a signed form and returns the verified, typed answer (a raw "+" and "%" verify)', async () => {
    const info = await client.queryTradeInfo({ merchantTradeNo: 'Tea20261122A' });

    const [request] = stub.requests;
    expect(request).toMatchObject({
      path: '/Cashier/QueryTradeInfo/V5',
      form: { MerchantID: '3002607', MerchantTradeNo: 'Tea20261122A', TimeStamp: String(unix(T0)) },
    });
    expect(request!.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    // The stub checked the request's CheckMacValue with its own signer (else it would have answered 10200073).
    expect(stubCheckMac(request!.form!, STAGE_MERCHANT)).toBe(request!.form!.CheckMacValue);

    expect(info).toEqual({
      merchantId: '3002607',
      merchantTradeNo: 'Tea20261122A',
      storeId: '',
      tradeNo: '2611221200001234',
      tradeAmount: 1290,
      tradeStatus: 1,
      paymentType: 'Credit_CreditCard',
      paymentDate: new Date('2026-11-22T04:01:02Z'),
      tradeDate: new Date('2026-11-22T03:59:00Z'),
      handlingCharge: 26,
      paymentTypeChargeFee: 25.8,
      itemName: RAW_ITEM_NAME,
      customFields: ['a=b', '', '', ''],
      raw: expect.objectContaining({ ItemName: RAW_ITEM_NAME, TradeAmt: '1290' }),
    });
    expect(info.raw).not.toHaveProperty('CheckMacValue');
    // The test data is meaningful: form-decoding this body would have turned "+" into a space (and so broken the MAC).
    const body = rawKeyValue(
      stubSign(tradeInfoFields({ MerchantID: '3002607', MerchantTradeNo: 'Tea20261122A' }), STAGE_MERCHANT),
    );
    expect(new URLSearchParams(body).get('ItemName')).not.toBe(RAW_ITEM_NAME);
  });

  it('reads a fresh TimeStamp from the clock on every call (the official Node SDK caches one at load)', async () => {
    const t = clock.now().getTime();
    await client.queryTradeInfo({ merchantTradeNo: 'Fresh1' });
    clock.advance(5 * 60_000);
    await client.queryTradeInfo({ merchantTradeNo: 'Fresh1' });
    clock.advance(61_000);
    await client.queryPaymentInfo({ merchantTradeNo: 'Fresh1' });
    expect(stub.requests.map((request) => Number(request.form!.TimeStamp))).toEqual([
      unix(t),
      unix(t) + 300,
      unix(t) + 361,
    ]);
  });

  it('a k=v answer with a bad CheckMacValue is refused', async () => {
    stub.on('/Cashier/QueryTradeInfo/V5', (request) => {
      const signed = stubSign(tradeInfoFields(request.form!), STAGE_MERCHANT);
      return { body: rawKeyValue({ ...signed, TradeAmt: '1' }) }; // altered after signing
    });
    const error = await rejection(client.queryTradeInfo({ merchantTradeNo: 'Tamper1' }));
    expect(error).toBeInstanceOf(EcpayResponseVerificationError);
    expect(error).toMatchObject({ code: 'ECPAY_RESPONSE_UNVERIFIED', reason: 'bad-check-mac', api: 'queryTradeInfo' });
  });

  it('an answer signed with other keys, or not signed at all, is refused', async () => {
    stub.on('/Cashier/QueryTradeInfo/V5', (request) => ({
      body: rawKeyValue(stubSign(tradeInfoFields(request.form!), { hashKey: 'x'.repeat(16), hashIv: 'y'.repeat(16) })),
    }));
    expect(await rejection(client.queryTradeInfo({ merchantTradeNo: 'Keys1' }))).toMatchObject({
      reason: 'bad-check-mac',
    });
    stub.on('/Cashier/QueryTradeInfo/V5', (request) => ({ body: rawKeyValue(tradeInfoFields(request.form!)) }));
    expect(await rejection(client.queryTradeInfo({ merchantTradeNo: 'Keys1' }))).toMatchObject({
      reason: 'missing-check-mac',
    });
  });

  it('a form-decoded (percent-encoded) answer does not verify: the MAC covers the raw values', async () => {
    stub.on('/Cashier/QueryTradeInfo/V5', (request) => ({
      body: new URLSearchParams(stubSign(tradeInfoFields(request.form!), STAGE_MERCHANT)).toString(),
    }));
    expect(await rejection(client.queryTradeInfo({ merchantTradeNo: 'Encoded1' }))).toMatchObject({
      reason: 'bad-check-mac',
    });
  });

  it.each([
    ['HTML', '<html><body>Service Unavailable</body></html>'],
    ['empty', ''],
    ['a piece without "="', 'MerchantID=3002607&garbage'],
    ['a repeated field', 'MerchantID=3002607&MerchantID=3002608'],
  ])('a malformed k=v answer (%s) is refused', async (_label: string, body: string) => {
    stub.on('/Cashier/QueryTradeInfo/V5', () => ({ body }));
    const error = await rejection(client.queryTradeInfo({ merchantTradeNo: 'Bad1' }));
    expect(error).toBeInstanceOf(EcpayResponseVerificationError);
    expect(error).toMatchObject({ reason: 'malformed' });
  });

  it('a verified field of the wrong form is a malformed answer naming the field, not its value', async () => {
    stub.on('/Cashier/QueryTradeInfo/V5', (request) => ({
      body: rawKeyValue(stubSign(tradeInfoFields(request.form!, { TradeAmt: '12x9' }), STAGE_MERCHANT)),
    }));
    const error = await rejection(client.queryTradeInfo({ merchantTradeNo: 'Field1' }));
    expect(error).toMatchObject({ reason: 'malformed' });
    expect(error.message).toContain('TradeAmt');
    expect(error.message).not.toContain('12x9');
  });

  it('a verified answer about another trade is refused', async () => {
    stub.on('/Cashier/QueryTradeInfo/V5', (request) => ({
      body: rawKeyValue(stubSign(tradeInfoFields(request.form!, { MerchantTradeNo: 'Other1' }), STAGE_MERCHANT)),
    }));
    expect(await rejection(client.queryTradeInfo({ merchantTradeNo: 'Mine1' }))).toMatchObject({ reason: 'mismatch' });
  });

  it("ECPay's `code|message` refusal is an EcpayApiError", async () => {
    stub.on('/Cashier/QueryTradeInfo/V5', () => ({ body: '10200073|CheckMacValue Error' }));
    const error = await rejection(client.queryTradeInfo({ merchantTradeNo: 'Refused1' }));
    expect(error).toBeInstanceOf(EcpayApiError);
    expect(error).toMatchObject({
      code: 'ECPAY_API_ERROR',
      api: 'queryTradeInfo',
      rtnCode: 10200073,
      rtnMsg: 'CheckMacValue Error',
      merchantId: '3002607',
      merchantTradeNo: 'Refused1',
    });
  });

  it('QueryTrade (JSON/AES): a fresh envelope out, the verified Data back, typed', async () => {
    const result = await client.queryTrade({ merchantTradeNo: 'Json20261122' });
    const [request] = stub.requests;
    expect(request!.contentType).toMatch(/^application\/json/);
    expect(request!.json).toMatchObject({
      MerchantID: '3002607',
      RqHeader: { Timestamp: unix(clock.now().getTime()) },
    });
    expect(stubDecrypt(request!.json!.Data as string, STAGE_MERCHANT)).toEqual({
      MerchantID: '3002607',
      MerchantTradeNo: 'Json20261122',
    });
    expect(result).toMatchObject({
      merchantId: '3002607',
      merchantTradeNo: 'Json20261122',
      tradeNo: '2611221100000001',
      tradeAmount: 590,
      tradeStatus: 1,
      paymentType: 'Credit',
      tradeDate: new Date('2026-11-22T03:00:00Z'),
      paymentDate: new Date('2026-11-22T03:00:30Z'),
      chargeFee: 11.8,
      data: expect.objectContaining({ CardInfo: { Card6No: '431195', Card4No: '2222', AuthCode: '777777' } }),
    });
  });

  it('QueryTrade: TransCode ≠ 1 and RtnCode ≠ 1 are EcpayApiErrors; an envelope that will not open is refused', async () => {
    stub.on('/1.0.0/Cashier/QueryTrade', () => ({
      body: JSON.stringify({ MerchantID: '3002607', TransCode: 999, TransMsg: 'Timestamp expired' }),
    }));
    expect(await rejection(client.queryTrade({ merchantTradeNo: 'Env1' }))).toMatchObject({
      transCode: 999,
      rtnMsg: 'Timestamp expired',
      api: 'queryTrade',
    });

    stub.on('/1.0.0/Cashier/QueryTrade', () => ({
      body: JSON.stringify({
        MerchantID: '3002607',
        TransCode: 1,
        TransMsg: 'Success',
        Data: stubEncrypt({ RtnCode: 10200047, RtnMsg: '查無此訂單' }, STAGE_MERCHANT),
      }),
    }));
    const business = await rejection(client.queryTrade({ merchantTradeNo: 'Env1' }));
    expect(business).toBeInstanceOf(EcpayApiError);
    expect(business).toMatchObject({ rtnCode: 10200047, rtnMsg: '查無此訂單' });

    stub.on('/1.0.0/Cashier/QueryTrade', () => ({
      body: JSON.stringify({
        MerchantID: '3002607',
        TransCode: 1,
        Data: stubEncrypt({ RtnCode: 1 }, { hashKey: 'k'.repeat(16), hashIv: 'i'.repeat(16) }),
      }),
    }));
    expect(await rejection(client.queryTrade({ merchantTradeNo: 'Env1' }))).toMatchObject({ reason: 'bad-envelope' });

    stub.on('/1.0.0/Cashier/QueryTrade', () => ({
      body: JSON.stringify({ MerchantID: '2000132', TransCode: 1, Data: stubEncrypt({ RtnCode: 1 }, STAGE_MERCHANT) }),
    }));
    expect(await rejection(client.queryTrade({ merchantTradeNo: 'Env1' }))).toMatchObject({ reason: 'mismatch' });

    stub.on('/1.0.0/Cashier/QueryTrade', () => ({ body: 'not json' }));
    expect(await rejection(client.queryTrade({ merchantTradeNo: 'Env1' }))).toMatchObject({ reason: 'malformed' });
  });

  it('QueryCreditCardPeriodInfo: a JSON answer, its CheckMacValue verified, executions typed', async () => {
    const info = await client.queryCreditCardPeriodInfo({ merchantTradeNo: 'Period1' });
    expect(stub.requests[0]!.form).toMatchObject({
      MerchantTradeNo: 'Period1',
      TimeStamp: String(unix(clock.now().getTime())),
    });
    expect(info).toMatchObject({
      merchantTradeNo: 'Period1',
      rtnCode: 1,
      periodType: 'M',
      frequency: 1,
      execTimes: 12,
      periodAmount: 300,
      firstAuthAmount: 300,
      gwsr: 11223344,
      processDate: new Date('2026-10-22T04:00:00Z'),
      totalSuccessTimes: 2,
      totalSuccessAmount: 600,
    });
    expect(info.execLog).toEqual([
      {
        rtnCode: 1,
        rtnMsg: '成功',
        amount: 300,
        gwsr: 11223344,
        processDate: new Date('2026-10-22T04:00:00Z'),
        authCode: '777777',
        tradeNo: '2610221200005678',
      },
      {
        rtnCode: 1,
        rtnMsg: '成功',
        amount: 300,
        gwsr: 11223399,
        processDate: new Date('2026-11-22T04:00:00Z'),
        authCode: '777778',
        tradeNo: '2611221200005679',
      },
    ]);

    stub.on('/Cashier/QueryCreditCardPeriodInfo', (request) => ({
      body: JSON.stringify({ ...periodInfo(request.form!), PeriodAmount: 1 }),
    }));
    expect(await rejection(client.queryCreditCardPeriodInfo({ merchantTradeNo: 'Period1' }))).toMatchObject({
      reason: 'bad-check-mac',
    });
    stub.on('/Cashier/QueryCreditCardPeriodInfo', () => ({ body: '{"MerchantID":' }));
    expect(await rejection(client.queryCreditCardPeriodInfo({ merchantTradeNo: 'Period1' }))).toMatchObject({
      reason: 'malformed',
    });
  });

  it('QueryPaymentInfo: the issued ATM account, verified and typed', async () => {
    const info = await client.queryPaymentInfo({ merchantTradeNo: 'Atm1' });
    expect(info).toMatchObject({
      rtnCode: 2,
      tradeAmount: 1500,
      paymentType: 'ATM_TAISHIN',
      bankCode: '812',
      vAccount: '9103522175887271',
      tradeDate: new Date('2026-11-22T03:30:00Z'),
      expireDate: new Date('2026-11-24T16:00:00Z'),
      barcodes: ['', '', ''],
    });
  });

  it('DoAction: every field signed, the unsigned answer accepted, RtnCode ≠ 1 an EcpayApiError', async () => {
    const result = await client.doAction({
      merchantTradeNo: 'Cap1',
      tradeNo: '2611221200001234',
      action: 'R',
      totalAmount: 100,
    });
    expect(stub.requests[0]!.form).toMatchObject({
      MerchantID: '3002607',
      MerchantTradeNo: 'Cap1',
      TradeNo: '2611221200001234',
      Action: 'R',
      TotalAmount: '100',
    });
    expect(result).toEqual({
      merchantId: '3002607',
      merchantTradeNo: 'Cap1',
      tradeNo: '2611221200001234',
      action: 'R',
      rtnCode: 1,
      rtnMsg: '成功.',
      raw: expect.any(Object),
    });

    stub.on('/CreditDetail/DoAction', (request) => ({
      body: rawKeyValue({
        MerchantID: '3002607',
        MerchantTradeNo: request.form!.MerchantTradeNo!,
        TradeNo: request.form!.TradeNo!,
        RtnCode: '10100251',
        RtnMsg: '更新失敗.(error_amount_R)',
      }),
    }));
    const error = await rejection(
      client.doAction({ merchantTradeNo: 'Cap1', tradeNo: '2611221200001234', action: 'R', totalAmount: 100 }),
    );
    expect(error).toMatchObject({
      code: 'ECPAY_API_ERROR',
      rtnCode: 10100251,
      rtnMsg: '更新失敗.(error_amount_R)',
      api: 'doAction',
    });
  });

  it('DoAction: an answer that does carry a CheckMacValue must verify', async () => {
    stub.on('/CreditDetail/DoAction', (request) => ({
      body: rawKeyValue({
        ...stubSign(
          {
            MerchantID: '3002607',
            MerchantTradeNo: 'Cap2',
            TradeNo: request.form!.TradeNo!,
            RtnCode: '1',
            RtnMsg: 'ok',
          },
          STAGE_MERCHANT,
        ),
        RtnMsg: 'changed',
      }),
    }));
    expect(
      await rejection(
        client.doAction({ merchantTradeNo: 'Cap2', tradeNo: '2611221200001234', action: 'C', totalAmount: 100 }),
      ),
    ).toMatchObject({ reason: 'bad-check-mac' });
  });

  it('bad input is refused before anything is sent', async () => {
    const error = await rejection(
      client.doAction({ merchantTradeNo: 'has space', tradeNo: '', action: 'X' as never, totalAmount: 1.5 }),
    );
    expect(error).toBeInstanceOf(EcpayValidationError);
    expect((error as EcpayValidationError).issues.map((issue) => issue.field)).toEqual([
      'MerchantTradeNo',
      'TradeNo',
      'Action',
      'TotalAmount',
    ]);
    expect(stub.count()).toBe(0);
  });

  it('CreditCardPeriodAction: Cancel with a fresh TimeStamp, the signed answer verified', async () => {
    clock.advance(1000);
    const result = await client.creditCardPeriodAction({ merchantTradeNo: 'Period1', action: 'Cancel' });
    expect(stub.requests[0]!.form).toMatchObject({
      MerchantTradeNo: 'Period1',
      Action: 'Cancel',
      TimeStamp: String(unix(clock.now().getTime())),
    });
    expect(result).toMatchObject({ merchantTradeNo: 'Period1', action: 'Cancel', rtnCode: 1, rtnMsg: 'OK' });
  });

  it('TradeNoAio: the statement CSV comes back as rows by column (quotes, Excel ="…" cells, BOM)', async () => {
    const statement = await client.downloadStatement({
      dateType: 2,
      beginDate: new Date('2026-11-20T16:30:00Z'),
      endDate: '2026-11-21',
    });
    expect(stub.requests[0]).toMatchObject({
      path: '/PaymentMedia/TradeNoAio',
      form: { DateType: '2', BeginDate: '2026-11-21', EndDate: '2026-11-21', MediaFormated: '0' },
    });
    expect(statement.columns).toEqual(['交易日期', '特店交易編號', '交易金額', '商品名稱']);
    expect(statement.rows).toEqual([
      { 交易日期: '2026/11/21 10:00:00', 特店交易編號: '0012345', 交易金額: '1290', 商品名稱: '咖啡豆, 250g' },
      { 交易日期: '2026/11/21 11:00:00', 特店交易編號: 'A2', 交易金額: '590', 商品名稱: 'He said "hi"' },
    ]);
  });

  it('CreditDetail/QueryTrade/V2 is production-only: a clear error on the sandbox, nothing sent', async () => {
    const error = await rejection(
      client.queryCreditDetail({ creditRefundId: 13475885, creditAmount: 100, creditCheckCode: 62861749 }),
    );
    expect(error).toBeInstanceOf(EcpayUnsupportedEnvironmentError);
    expect(error).toMatchObject({ code: 'ECPAY_UNSUPPORTED_ENVIRONMENT', environment: 'sandbox' });
    expect(error.message).toMatch(/production only/);
    expect(stub.count()).toBe(0);
  });

  it('a timeout is EcpayTimeoutError (outcome unknown) and exactly one request reached ECPay: never a resend', async () => {
    stub.on('/CreditDetail/DoAction', () => 'hang');
    const started = Date.now();
    const error = await rejection(
      client.doAction(
        { merchantTradeNo: 'Slow1', tradeNo: '2611221200001234', action: 'C', totalAmount: 100 },
        { timeoutMs: 300 },
      ),
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(error).toBeInstanceOf(EcpayTimeoutError);
    expect(error).toMatchObject({
      code: 'ECPAY_TIMEOUT',
      outcomeUnknown: true,
      api: 'doAction',
      timeoutMs: 300,
      merchantTradeNo: 'Slow1',
    });
    expect(error.message).toMatch(/query the trade/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(stub.count('/CreditDetail/DoAction')).toBe(1);
  });

  it('a connection reset after the request was sent may have reached ECPay; an HTTP 500 likewise', async () => {
    stub.on('/CreditDetail/DoAction', () => 'reset');
    const reset = await rejection(
      client.doAction({ merchantTradeNo: 'Reset1', tradeNo: '2611221200001234', action: 'C', totalAmount: 100 }),
    );
    expect(reset).toBeInstanceOf(EcpayTransportError);
    expect(reset).toMatchObject({ mayHaveReachedEcpay: true });
    expect(stub.count('/CreditDetail/DoAction')).toBe(1);

    stub.on('/Cashier/QueryTradeInfo/V5', () => ({ status: 500, body: 'oops' }));
    expect(await rejection(client.queryTradeInfo({ merchantTradeNo: 'Five1' }))).toMatchObject({
      code: 'ECPAY_TRANSPORT_FAILED',
      status: 500,
      mayHaveReachedEcpay: true,
    });
  });

  it('a refused connection did not reach ECPay (safe to try again)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const other = await compile({ sandboxUrl: `http://127.0.0.1:${port}`, clock });
    try {
      const error = await rejection(other.get(EcpayClient).queryTradeInfo({ merchantTradeNo: 'Refuse1' }));
      expect(error).toBeInstanceOf(EcpayTransportError);
      expect(error).toMatchObject({ mayHaveReachedEcpay: false, reason: 'ECONNREFUSED' });
    } finally {
      await other.close();
    }
  });

  it('logs only the API, MerchantID, MerchantTradeNo, status and duration; no key or IV in any log line or error', async () => {
    await client.queryTradeInfo({ merchantTradeNo: 'LogCheck1' });
    expect(logs).toContainEqual(
      expect.stringMatching(/^queryTradeInfo merchant=3002607 MerchantTradeNo=LogCheck1 status=200 \d+ms$/),
    );
    expect(logs).toContainEqual(
      expect.stringMatching(/^doAction merchant=3002607 MerchantTradeNo=Slow1 status=timeout \d+ms$/),
    );
    expect(thrown.length).toBeGreaterThan(15);
    const secrets = [STAGE_MERCHANT.hashKey, STAGE_MERCHANT.hashIv];
    const texts = [
      ...logs,
      ...thrown.flatMap((error) => [
        String((error as Error).message),
        String((error as Error).stack),
        inspect(error, { depth: 5 }),
        JSON.stringify(error),
      ]),
    ];
    for (const secret of secrets) {
      for (const text of texts) expect(text).not.toContain(secret);
      // Nor their lowercase (the form the MAC source takes before hashing).
      for (const text of texts) expect(text).not.toContain(secret.toLowerCase());
    }
  });
});

describe('EcpayClient in production (requests rerouted to the stub)', () => {
  const PROD = { merchantId: '3999901', hashKey: 'Q1w2E3r4T5y6U7i8', hashIv: 'A9s8D7f6G5h4J3k2' } as const;
  let stub: EcpayStub;
  let module: TestingModule;
  const realFetch = globalThis.fetch;
  const urls: string[] = [];

  beforeAll(async () => {
    stub = await EcpayStub.start();
    // Only the host is swapped: the client still builds ECPay's production URL, which this records.
    globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
      urls.push(String(input));
      return realFetch(String(input).replace(/^https:\/\/payment\.ecpay\.com\.tw/, stub.url), init);
    }) as typeof fetch;
    module = await compile({ environment: 'production', ...PROD, clock: new MovableClock(T0) });
  });

  afterAll(async () => {
    globalThis.fetch = realFetch;
    await module?.close();
    await stub?.close();
  });

  it('CreditDetail/QueryTrade/V2: signed with the production keys, the JSON answer typed', async () => {
    stub.on('/CreditDetail/QueryTrade/V2', (request) => {
      const accepted = acceptForm(request, PROD);
      if (isReply(accepted)) return accepted;
      return {
        contentType: 'application/json',
        body: JSON.stringify({
          RtnMsg: '',
          RtnValue: {
            TradeID: Number(accepted.CreditRefundId),
            amount: 100,
            clsamt: 100,
            authtime: '2026/11/22 12:00:00',
            status: '已關帳',
            close_data: [{ status: '已關帳', amount: 100, sno: '1', datetime: '2026/11/22 20:15:00' }],
          },
        }),
      };
    });
    const detail = await module
      .get(EcpayClient)
      .queryCreditDetail({ creditRefundId: 13475885, creditAmount: 100, creditCheckCode: 62861749 });
    expect(urls).toEqual(['https://payment.ecpay.com.tw/CreditDetail/QueryTrade/V2']);
    expect(stub.requests[0]!.form).toMatchObject({
      MerchantID: '3999901',
      CreditRefundId: '13475885',
      CreditAmount: '100',
      CreditCheckCode: '62861749',
    });
    expect(detail).toMatchObject({
      tradeId: 13475885,
      amount: 100,
      closedAmount: 100,
      authTime: '2026/11/22 12:00:00',
      authorizedAt: new Date('2026-11-22T04:00:00Z'),
      status: '已關帳',
      closeData: [{ status: '已關帳', amount: 100, sno: '1', datetime: '2026/11/22 20:15:00' }],
    });

    stub.on('/CreditDetail/QueryTrade/V2', () => ({ body: JSON.stringify({ RtnMsg: 'error_nopay', RtnValue: null }) }));
    expect(
      await rejection(
        module.get(EcpayClient).queryCreditDetail({ creditRefundId: 1, creditAmount: 100, creditCheckCode: 1 }),
      ),
    ).toMatchObject({ rtnMsg: 'error_nopay', rtnCode: undefined });
  });

  it('on stage the same call fails before any network', async () => {
    const stage = await compile({ environment: 'stage' });
    try {
      const before = urls.length;
      const error = await rejection(
        stage.get(EcpayClient).queryCreditDetail({ creditRefundId: 1, creditAmount: 1, creditCheckCode: 1 }),
      );
      expect(error).toBeInstanceOf(EcpayUnsupportedEnvironmentError);
      expect(error).toMatchObject({ environment: 'stage', api: 'creditDetailQueryTrade' });
      expect(urls.length).toBe(before);
    } finally {
      await stage.close();
    }
  });
});
