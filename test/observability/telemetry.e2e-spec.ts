import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  ECPAY_ATTRIBUTES,
  ECPAY_METRICS,
  EcpayModule,
  EcpayNotificationDispatcher,
  EcpayRateLimitedError,
  EcpayService,
  EcpayTesting,
  OnEcpayEvent,
  type EcpayEvent,
  type EcpayModuleOptions,
} from '../../src/index.js';
import { STAGE_MERCHANT, testDatabase } from '../support/test-module.js';
import { BackAuthStub } from '../back-auth/support/back-auth-stub.js';
import { EcpayStub, MovableClock, rawKeyValue, stubSign } from '../client/ecpay-stub.js';
import { InMemoryOtel } from './support/in-memory-otel.js';

const CARD_NUMBER = '4311952222222222';
const received = ECPAY_METRICS.notificationsReceived;
const KIND = ECPAY_ATTRIBUTES.notificationKind;
const OUTCOME = ECPAY_ATTRIBUTES.notificationOutcome;

@Injectable()
class FlakyFulfilment {
  @OnEcpayEvent('payment.succeeded')
  fulfil(event: EcpayEvent): void {
    if (event.merchantTradeNo.endsWith('F')) throw new Error('warehouse unreachable');
  }
}
@Module({ providers: [FlakyFulfilment] })
class ShopModule {}

// What an app with an OpenTelemetry SDK installed sees: the library's counters, histograms and spans, named by
// OpenTelemetry's conventions, carrying identifiers — never a key or card data.
describe('metrics and spans through the OpenTelemetry API', () => {
  const otel = new InMemoryOtel();
  const backAuth = new BackAuthStub();
  const testing = new EcpayTesting(STAGE_MERCHANT);
  let app: INestApplication;

  beforeAll(async () => {
    otel.install();
    const url = await backAuth.start();
    const module = await Test.createTestingModule({
      imports: [
        testDatabase(),
        EcpayModule.forRoot({
          environment: 'sandbox',
          ...STAGE_MERCHANT,
          sandboxUrl: url,
          publicUrl: 'https://shop.example.com',
          dispatch: { pollIntervalMs: 0, maxAttempts: 1 },
        } as EcpayModuleOptions),
        ShopModule,
      ],
    }).compile();
    app = module.createNestApplication({ rawBody: true, logger: false });
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    await backAuth.stop();
    await otel.uninstall();
  });

  const newTrade = async (suffix = '') => {
    const checkout = await app.get(EcpayService).createCheckout({
      items: [{ name: 'Oolong tea', price: 295, quantity: 2 }],
      description: 'Tea order',
      payment: { method: 'Credit' },
      ...(suffix ? { merchantTradeNo: `Tea${Date.now().toString(36)}${suffix}`.slice(0, 20) } : {}),
    });
    return { merchantId: '3002607', merchantTradeNo: checkout.merchantTradeNo, totalAmount: 590 };
  };
  const post = (fields: Record<string, string>) =>
    request(app.getHttpServer()).post('/ecpay/return').type('form').send(testing.form(fields));

  it('counts each notification by kind and outcome, with its verify-store-answer duration', async () => {
    const trade = await newTrade();
    const body = testing.paymentSucceeded(trade);
    await post(body).expect(200, '1|OK');
    await post(body).expect(200, '1|OK');
    await post({ ...body, TradeAmt: '1' }).expect(400);
    await post(testing.paymentSucceeded({ ...trade, merchantTradeNo: 'NoSuchTrade01' })).expect(200, '1|OK');
    await post(testing.paymentSucceeded({ ...(await newTrade()), totalAmount: 1 })).expect(200, '1|OK');

    expect(await otel.count(received, { [KIND]: 'aio-return', [OUTCOME]: 'applied' })).toBe(1);
    expect(await otel.count(received, { [KIND]: 'aio-return', [OUTCOME]: 'duplicate' })).toBe(1);
    expect(await otel.count(received, { [KIND]: 'aio-return', [OUTCOME]: 'orphan' })).toBe(1);
    expect(await otel.count(received, { [KIND]: 'aio-return', [OUTCOME]: 'amount-mismatch' })).toBe(1);
    expect(
      await otel.count(received, {
        [KIND]: 'aio-return',
        [OUTCOME]: 'rejected',
        [ECPAY_ATTRIBUTES.rejectionReason]: 'CheckMacValue invalid',
      }),
    ).toBe(1);
    // Every answered notification has its duration, in seconds.
    expect(await otel.count(ECPAY_METRICS.notificationDuration)).toBe(5);
    const [point] = await otel.points(ECPAY_METRICS.notificationDuration);
    expect((point!.value as { sum: number }).sum).toBeLessThan(60);
  });

  it('records the dispatch lag, a span per handler run with the event id, and failures by handler', async () => {
    const good = await newTrade();
    const bad = await newTrade('F');
    await post(testing.paymentSucceeded(good)).expect(200, '1|OK');
    await post(testing.paymentSucceeded(bad)).expect(200, '1|OK');
    await app.get(EcpayNotificationDispatcher).kick();

    const handler = 'FlakyFulfilment.fulfil';
    expect(await otel.count(ECPAY_METRICS.handlerFailures, { [ECPAY_ATTRIBUTES.handlerName]: handler })).toBe(1);
    expect(
      await otel.count(ECPAY_METRICS.dispatchLag, { [ECPAY_ATTRIBUTES.eventName]: 'payment.succeeded' }),
    ).toBeGreaterThanOrEqual(2);
    const spans = otel.spans(`ecpay.handler ${handler}`);
    const failed = spans.find((span) => span.attributes[ECPAY_ATTRIBUTES.merchantTradeNo] === bad.merchantTradeNo)!;
    expect(failed.status.code).toBe(2); // ERROR
    expect(failed.attributes[ECPAY_ATTRIBUTES.eventId]).toEqual(expect.any(String));
    const passed = spans.find((span) => span.attributes[ECPAY_ATTRIBUTES.merchantTradeNo] === good.merchantTradeNo)!;
    expect(passed.status.code).not.toBe(2);
  });

  it('wraps each call to ECPay in a client span and counts it by API and outcome', async () => {
    backAuth.backAuth = 'authorize';
    await app.get(EcpayService).backAuth({
      OrderInfo: { TotalAmount: 590, ItemName: 'Oolong tea', TradeDesc: 'Tea', ReturnURL: '' },
      CardInfo: { CardNo: CARD_NUMBER, CardValidMM: '12', CardValidYY: '39', CardCVV2: '222', DirectCapture: '1' },
    });
    expect(
      await otel.count(ECPAY_METRICS.clientCalls, {
        [ECPAY_ATTRIBUTES.api]: 'backAuth',
        [ECPAY_ATTRIBUTES.callOutcome]: 'ok',
      }),
    ).toBe(1);
    expect(await otel.count(ECPAY_METRICS.clientDuration, { [ECPAY_ATTRIBUTES.api]: 'backAuth' })).toBe(1);
    const [span] = otel.spans('ecpay.call backAuth');
    expect(span!.kind).toBe(2); // CLIENT
    expect(span!.attributes).toMatchObject({
      [ECPAY_ATTRIBUTES.httpMethod]: 'POST',
      [ECPAY_ATTRIBUTES.serverAddress]: '127.0.0.1',
      [ECPAY_ATTRIBUTES.httpStatus]: 200,
      [ECPAY_ATTRIBUTES.merchantId]: '3002607',
      [ECPAY_ATTRIBUTES.merchantTradeNo]: expect.any(String),
    });
  });

  it('exports neither HashKey, HashIV nor a card number, in any span or metric', async () => {
    const text = await otel.exportedText();
    expect(text).toContain('ecpay.call backAuth'); // the scan reads real output
    for (const secret of [STAGE_MERCHANT.hashKey, STAGE_MERCHANT.hashIv, CARD_NUMBER, CARD_NUMBER.slice(6)])
      expect(text).not.toContain(secret);
  });
});

describe('the 403 breaker in metrics', () => {
  const otel = new InMemoryOtel();
  let stub: EcpayStub;
  let app: INestApplication;

  beforeAll(async () => {
    otel.install();
    stub = await EcpayStub.start();
    let calls = 0;
    stub.on('/Cashier/QueryTradeInfo/V5', (call) =>
      ++calls === 1
        ? { status: 403, body: 'Forbidden' }
        : {
            body: rawKeyValue(
              stubSign(
                {
                  MerchantID: call.form!.MerchantID!,
                  MerchantTradeNo: call.form!.MerchantTradeNo!,
                  TradeStatus: '1',
                  TradeAmt: '100',
                },
                STAGE_MERCHANT,
              ),
            ),
          },
    );
    const module = await Test.createTestingModule({
      imports: [
        EcpayModule.forRoot({
          environment: 'sandbox',
          sandboxUrl: stub.url,
          ...STAGE_MERCHANT,
          clock: new MovableClock(Date.now()),
          persistence: false,
        } as EcpayModuleOptions),
      ],
    }).compile();
    app = module.createNestApplication({ logger: false });
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    await stub?.close();
    await otel.uninstall();
  });

  it('counts the opening, the 403 and the calls the open breaker refused', async () => {
    const ecpay = app.get(EcpayService);
    for (let i = 0; i < 2; i++)
      await expect(ecpay.client.queryTradeInfo({ merchantTradeNo: 'Rate1' })).rejects.toBeInstanceOf(
        EcpayRateLimitedError,
      );
    const api = { [ECPAY_ATTRIBUTES.api]: 'queryTradeInfo' };
    expect(await otel.count(ECPAY_METRICS.breakerOpenings, { [ECPAY_ATTRIBUTES.merchantId]: '3002607' })).toBe(1);
    expect(
      await otel.count(ECPAY_METRICS.clientCalls, { ...api, [ECPAY_ATTRIBUTES.callOutcome]: 'rate_limited' }),
    ).toBe(1);
    expect(
      await otel.count(ECPAY_METRICS.clientCalls, { ...api, [ECPAY_ATTRIBUTES.callOutcome]: 'breaker_open' }),
    ).toBe(1);
    expect(stub.count()).toBe(1);
  });
});
