import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  EcpayModule,
  EcpayNotification,
  EcpayNotificationDispatcher,
  EcpayService,
  EcpayTesting,
  EcpayTrade,
  EcpayValidationError,
  type EcpayModuleOptions,
} from '../../src/index.js';
import { STAGE_MERCHANT, testDatabase } from '../support/test-module.js';
import { BACK_AUTH_PATH, BackAuthStub, QUERY_TRADE_PATH } from './support/back-auth-stub.js';
import { ecpayEventRecorder } from '../support/event-recorder.js';

const { module: ListenerModule, events } = ecpayEventRecorder();

const card = (CardNo = '4311-9522-2222-2222') => ({
  CardNo,
  CardValidMM: '12',
  CardValidYY: '39',
  CardCVV2: '222',
  DirectCapture: '1' as const,
});

// EcpayService.backAuth as an app calls it: the trade stored before sending, the definite answers applied through the
// notification state machine (and the ReturnURL that repeats them only confirming), 3-D Secure left to its return.
describe('EcpayService.backAuth with persistence', () => {
  const stub = new BackAuthStub();
  let app: INestApplication;
  let ecpay: EcpayService;

  beforeAll(async () => {
    const url = await stub.start();
    const module = await Test.createTestingModule({
      imports: [
        testDatabase(),
        EcpayModule.forRoot({
          environment: 'sandbox',
          ...STAGE_MERCHANT,
          sandboxUrl: url,
          publicUrl: 'https://shop.example.com',
          dispatch: { pollIntervalMs: 0 },
        } as EcpayModuleOptions),
        ListenerModule,
      ],
    }).compile();
    app = module.createNestApplication({ rawBody: true, logger: false });
    await app.init();
    ecpay = app.get(EcpayService);
  });
  afterAll(async () => {
    await app?.close();
    await stub.stop();
  });
  beforeEach(() => {
    events.length = 0;
  });

  const trade = (merchantTradeNo: string) =>
    app.get(DataSource).getRepository(EcpayTrade).findOneByOrFail({ merchantTradeNo });
  const inbox = (merchantTradeNo: string) =>
    app.get(DataSource).getRepository(EcpayNotification).findBy({ merchantTradeNo });

  it("authorized: the trade is stored, then paid, with one payment.succeeded; ECPay's ReturnURL only confirms it", async () => {
    stub.backAuth = 'authorize';
    const result = await ecpay.backAuth({
      OrderInfo: { TotalAmount: 590, ItemName: 'Oolong tea', TradeDesc: 'Tea', ReturnURL: '' },
      CardInfo: card(),
    });
    expect(result).toMatchObject({ status: 'authorized', trade: { status: 'paid', totalAmount: 590 } });
    if (result.status !== 'authorized') throw new Error('not authorized');
    // The library's callback routes went into the request.
    const sent = stub.calls.filter((call) => call.path === BACK_AUTH_PATH).at(-1)!.data as {
      OrderInfo: Record<string, unknown>;
      CardInfo: Record<string, unknown>;
    };
    expect(sent.OrderInfo.ReturnURL).toBe('https://shop.example.com/ecpay/ecpg/return');
    expect(sent.CardInfo.OrderResultURL).toBe('https://shop.example.com/ecpay/ecpg/order-result');

    const returnUrl = new EcpayTesting(STAGE_MERCHANT).envelope('3002607', {
      RtnCode: 1,
      RtnMsg: 'Success',
      MerchantID: '3002607',
      OrderInfo: {
        MerchantTradeNo: result.merchantTradeNo,
        TradeNo: result.tradeNo,
        TradeAmt: 590,
        PaymentType: 'Credit',
        PaymentDate: '2026/11/22 10:00:00',
        TradeStatus: '1',
      },
    });
    await request(app.getHttpServer()).post('/ecpay/ecpg/return').send(returnUrl).expect(200, '1|OK');
    expect((await inbox(result.merchantTradeNo)).map((row) => [row.kind, row.outcome]).sort()).toEqual([
      ['back-auth', 'applied'],
      ['ecpg-return', 'confirmed'],
    ]);
    await app.get(EcpayNotificationDispatcher).kick();
    expect(
      events.filter((event) => event.merchantTradeNo === result.merchantTradeNo).map((event) => event.name),
    ).toEqual(['payment.succeeded']);
  });

  it('declined: the trade is failed, with payment.failed', async () => {
    stub.backAuth = 'decline';
    const result = await ecpay.backAuth({
      OrderInfo: { TotalAmount: 590, ItemName: 'Oolong tea', TradeDesc: 'Tea', ReturnURL: '' },
      CardInfo: card(),
    });
    expect(result).toMatchObject({ status: 'failed', trade: { status: 'failed' } });
    expect((await trade(result.merchantTradeNo)).status).toBe('failed');
  });

  it('3-D Secure: the URL for the browser, the trade pending until the verified return settles it', async () => {
    stub.backAuth = 'three-d-secure';
    const result = await ecpay.backAuth({
      OrderInfo: { TotalAmount: 590, ItemName: 'Oolong tea', TradeDesc: 'Tea', ReturnURL: '' },
      CardInfo: card(),
    });
    expect(result).toMatchObject({ status: 'three-d-secure', trade: { status: 'pending' } });
    if (result.status !== 'three-d-secure') throw new Error('no 3-D Secure');
    expect(result.url).toMatch(/^https?:\/\//);
    const back = new EcpayTesting(STAGE_MERCHANT).envelope('3002607', {
      RtnCode: 1,
      RtnMsg: 'Success',
      MerchantID: '3002607',
      OrderInfo: {
        MerchantTradeNo: result.merchantTradeNo,
        TradeNo: '2611221000000099',
        TradeAmt: 590,
        PaymentType: 'Credit',
        PaymentDate: '2026/11/22 10:00:00',
        TradeStatus: '1',
      },
    });
    await request(app.getHttpServer())
      .post('/ecpay/ecpg/order-result')
      .type('form')
      .send({ ResultData: JSON.stringify(back) })
      .expect(303);
    expect((await trade(result.merchantTradeNo)).status).toBe('paid');
  });

  it('a lost answer: QueryTrade is asked, BackAuth is not sent again', async () => {
    stub.backAuth = 'authorize-then-reset';
    const before = stub.count(BACK_AUTH_PATH);
    const result = await ecpay.backAuth({
      OrderInfo: { TotalAmount: 590, ItemName: 'Oolong tea', TradeDesc: 'Tea', ReturnURL: '' },
      CardInfo: card(),
    });
    expect(stub.count(BACK_AUTH_PATH) - before).toBe(1);
    expect(stub.calls.at(-1)!.path).toBe(QUERY_TRADE_PATH);
    expect(result).toMatchObject({ status: 'authorized', source: 'query', trade: { status: 'paid' } });
  });

  it('bad input is refused before a trade is stored or anything sent, naming every field and never the card', async () => {
    const sentBefore = stub.calls.length;
    const failure = await ecpay
      .backAuth({
        OrderInfo: { TotalAmount: 1.5, ItemName: '', TradeDesc: 'Tea', ReturnURL: '' },
        CardInfo: { ...card('4311-9522-2222-2223'), CardValidYY: '20', CardCVV2: '2x' },
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EcpayValidationError);
    const fields = (failure as EcpayValidationError).issues.map((issue) => issue.field);
    expect(fields).toEqual(expect.arrayContaining(['OrderInfo.TotalAmount', 'CardInfo.CardNo', 'CardInfo.CardCVV2']));
    expect(String((failure as Error).message)).not.toMatch(/4311|2223/);
    expect(stub.calls.length).toBe(sentBefore);
    expect(
      await app
        .get(DataSource)
        .getRepository(EcpayTrade)
        .countBy({ totalAmount: 1.5 as never }),
    ).toBe(0);
  });
});
