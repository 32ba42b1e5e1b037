import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  EcpayBoundCard,
  EcpayNotification,
  EcpayNotificationDispatcher,
  EcpayReconciliationService,
  EcpayService,
  EcpayTesting,
  EcpayTrade,
  EcpayTradeStore,
  RECONCILE_DELAYS_MS,
  type EcpayModuleOptions,
} from '../../src/index.js';
import { BackAuthStub, QUERY_TRADE_PATH } from '../back-auth/support/back-auth-stub.js';
import { startAppInstances } from '../support/app-instances.js';
import {
  createTestDatabase,
  describeEachDatabase,
  testDatabaseTargets,
  type TestDatabase,
} from '../support/databases.js';
import { ecpayEventRecorder } from '../support/event-recorder.js';
import { STAGE_MERCHANT } from '../support/test-module.js';

const targets = await testDatabaseTargets();
const testing = new EcpayTesting(STAGE_MERCHANT);
const card = {
  CardNo: '4311-9522-2222-2222',
  CardValidMM: '12',
  CardValidYY: '39',
  CardCVV2: '222',
  DirectCapture: '1' as const,
};

/** The ReturnURL Data of a CreatePaymentWithCardID payment: it names the member and the saved card it charged. */
function savedCardPayment(merchantTradeNo: string, amount: number): Record<string, unknown> {
  return {
    RtnCode: 1,
    RtnMsg: 'Success',
    MerchantID: STAGE_MERCHANT.merchantId,
    MerchantMemberID: 'member-p',
    BindCardID: '3'.repeat(64),
    CardInfo: {
      Card6No: '431195',
      Card4No: '2222',
      AuthCode: '777777',
      Gwsr: 126,
      ProcessDate: '2026/12/02 12:00:00',
      Amount: amount,
    },
    OrderInfo: {
      MerchantTradeNo: merchantTradeNo,
      TradeNo: '2612021200000003',
      TradeAmt: amount,
      PaymentType: 'Credit',
      PaymentDate: '2026/12/02 12:00:00',
      TradeStatus: '1',
    },
  };
}

// What a notification is comes from what the library stored, not from the fields it carries: the library stores a
// trade for every payment it starts (checkout, BackAuth, a saved card's payment) and none for a card binding.
describeEachDatabase(targets, 'payments with a saved card', (kind) => {
  let database: TestDatabase;
  let app: INestApplication;
  const stub = new BackAuthStub();
  const recorder = ecpayEventRecorder();
  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const sandboxUrl = await stub.start();
    ({
      apps: [app!],
    } = await startAppInstances(database, [{ imports: [recorder.module] }], {
      environment: 'sandbox',
      sandboxUrl,
      clock,
      dispatch: { pollIntervalMs: 0 },
    } as Partial<EcpayModuleOptions>));
  });
  afterAll(async () => {
    await app?.close();
    await stub.stop();
    await database?.drop();
  });
  beforeEach(() => {
    recorder.events.length = 0;
    offsetMs = 0;
    stub.backAuth = 'authorize';
    stub.queryTrade = 'answer';
  });

  const http = () => request(app.getHttpServer());
  const trade = (merchantTradeNo: string) =>
    app.get(DataSource).getRepository(EcpayTrade).findOneByOrFail({ merchantTradeNo });
  const inbox = (merchantTradeNo: string) =>
    app.get(DataSource).getRepository(EcpayNotification).findBy({ merchantTradeNo });
  const dispatched = () => app.get(EcpayNotificationDispatcher).kick();
  const pendingTrade = (merchantTradeNo: string, totalAmount: number) =>
    app.get(EcpayTradeStore).createPending({
      merchantId: STAGE_MERCHANT.merchantId,
      merchantTradeNo,
      totalAmount,
      choosePayment: 'Credit',
      paymentOptions: { JsonApi: 'CreatePaymentWithCardID' },
      itemName: 'Oolong tea',
      tradeDesc: 'Repeat order',
      merchantTradeDate: '2026/12/02 12:00:00',
    });

  it('a payment with a saved card settles its trade and raises no card.bound', async () => {
    await pendingTrade('SAVEDCARD0001', 680);
    const envelope = testing.envelope(STAGE_MERCHANT.merchantId, savedCardPayment('SAVEDCARD0001', 680));
    await http()
      .post('/ecpay/ecpg/order-result')
      .type('form')
      .send({ ResultData: JSON.stringify(envelope) })
      .expect(303);
    await http().post('/ecpay/ecpg/return').send(envelope).expect(200, '1|OK');
    expect(await trade('SAVEDCARD0001')).toMatchObject({ status: 'paid', ecpayTradeNo: '2612021200000003' });
    await dispatched();
    expect(recorder.events.map((event) => event.name)).toEqual(['payment.succeeded']);
    expect(await app.get(DataSource).getRepository(EcpayBoundCard).findBy({ merchantMemberId: 'member-p' })).toEqual(
      [],
    );
    expect((await inbox('SAVEDCARD0001')).map((row) => row.kind).sort()).toEqual(['ecpg-order-result', 'ecpg-return']);
  });

  it('a charged JSON-API trade whose answer was lost is settled by reconciliation through QueryTrade', async () => {
    // BackAuth charges the card, the answer is lost, and QueryTrade does not know the order yet: the trade is pending.
    stub.backAuth = 'authorize-then-reset';
    stub.queryTrade = 'not-found';
    const result = await app.get(EcpayService).backAuth({
      OrderInfo: { TotalAmount: 590, ItemName: 'Oolong tea', TradeDesc: 'Tea', ReturnURL: '' },
      CardInfo: card,
    });
    expect(result).toMatchObject({ status: 'unknown', trade: { status: 'pending' } });
    const queries = stub.count(QUERY_TRADE_PATH);

    // ECPay catches up; the reconciliation's first query is due 10 minutes after the trade was created.
    stub.queryTrade = 'answer';
    offsetMs = RECONCILE_DELAYS_MS[0]! + 60_000;
    const report = await app.get(EcpayReconciliationService).run();
    expect(report).toMatchObject({ paid: 1, failed: 0 });
    expect(stub.count(QUERY_TRADE_PATH)).toBe(queries + 1);
    expect(await trade(result.merchantTradeNo)).toMatchObject({ status: 'paid', totalAmount: 590 });
    await dispatched();
    expect(
      recorder.events.filter((event) => event.name === 'payment.succeeded').map((event) => event.merchantTradeNo),
    ).toEqual([result.merchantTradeNo]);
  });
});
