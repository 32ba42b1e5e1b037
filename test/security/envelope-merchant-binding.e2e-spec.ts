import 'reflect-metadata';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  EcpayBoundCard,
  EcpayNotification,
  EcpayService,
  EcpayTesting,
  EcpayTrade,
  type EcpayModuleOptions,
} from '../../src/index.js';
import { startAppInstances } from '../support/app-instances.js';
import {
  createTestDatabase,
  describeEachDatabase,
  testDatabaseTargets,
  type TestDatabase,
} from '../support/databases.js';
import { STAGE_MERCHANT } from '../support/test-module.js';

const targets = await testDatabaseTargets();

/** Merchant B: its own keys, unknown to merchant A. */
const SHOP_B = { merchantId: 'B000000001', hashKey: 'Bb1Bb2Bb3Bb4Bb5B', hashIv: 'Bi1Bi2Bi3Bi4Bi5B' } as const;
/** A member of merchant A's platform: it trades with A's keys. */
const MEMBER = { merchantId: 'M000000001', platformId: STAGE_MERCHANT.merchantId } as const;

const merchantA = new EcpayTesting(STAGE_MERCHANT);
const merchantB = new EcpayTesting(SHOP_B);

function paid(
  merchantId: string,
  merchantTradeNo: string,
  amount: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    RtnCode: 1,
    RtnMsg: 'Success',
    MerchantID: merchantId,
    OrderInfo: {
      MerchantTradeNo: merchantTradeNo,
      TradeNo: '2612021200000001',
      TradeAmt: amount,
      PaymentType: 'Credit',
      PaymentDate: '2026/12/02 12:00:00',
      TradeStatus: '1',
    },
    ...extra,
  };
}

// The JSON+AES routes trust a payload because it opened with a configured merchant's keys. Those keys vouch for that
// merchant (and, for a platform, its members) only: the decrypted MerchantID must be one of them, as on the form
// routes.
describeEachDatabase(targets, 'an envelope is bound to the merchant whose keys opened it', (kind) => {
  let database: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    ({
      apps: [app!],
    } = await startAppInstances(database, [{}], {
      merchants: { shopB: SHOP_B, member: MEMBER },
      dispatch: { pollIntervalMs: 0 },
    } as Partial<EcpayModuleOptions>));
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  const http = () => request(app.getHttpServer());
  const trade = (id: string) => app.get(DataSource).getRepository(EcpayTrade).findOneByOrFail({ id });
  const inbox = (merchantTradeNo: string) =>
    app.get(DataSource).getRepository(EcpayNotification).findBy({ merchantTradeNo });
  const checkout = (merchant: string, price: number) =>
    app.get(EcpayService).createCheckout({
      merchant,
      items: [{ name: 'Oolong tea', price, quantity: 1 }],
      description: 'Tea',
      payment: { method: 'Credit' },
    });

  it("an envelope opened with merchant A's keys cannot settle merchant B's trade", async () => {
    const order = await checkout('shopB', 590);
    const forged = merchantA.envelope(STAGE_MERCHANT.merchantId, paid(SHOP_B.merchantId, order.merchantTradeNo, 590));
    await http().post('/ecpay/ecpg/return').send(forged).expect(400);
    await http()
      .post('/ecpay/ecpg/order-result')
      .type('form')
      .send({ ResultData: JSON.stringify(forged) })
      .expect(400);
    expect((await trade(order.trade.id)).status).toBe('pending');
    expect(await inbox(order.merchantTradeNo)).toEqual([]);
  });

  it("an envelope opened with merchant A's keys cannot record a bound card for merchant B's member", async () => {
    const binding = paid(SHOP_B.merchantId, 'BINDB00000001', 1, {
      MerchantMemberID: 'b-member',
      BindCardID: 'f'.repeat(64),
      CardInfo: { Card6No: '431195', Card4No: '2222' },
    });
    const forged = merchantA.envelope(STAGE_MERCHANT.merchantId, binding);
    await http().post('/ecpay/ecpg/return').send(forged).expect(400);
    await http()
      .post('/ecpay/ecpg/order-result')
      .type('form')
      .send({ ResultData: JSON.stringify(forged) })
      .expect(400);
    expect(await app.get(DataSource).getRepository(EcpayBoundCard).findBy({ merchantMemberId: 'b-member' })).toEqual(
      [],
    );
    expect(await inbox('BINDB00000001')).toEqual([]);
  });

  it("merchant B's own keys still settle merchant B's trade", async () => {
    const order = await checkout('shopB', 480);
    await http()
      .post('/ecpay/ecpg/return')
      .send(merchantB.envelope(SHOP_B.merchantId, paid(SHOP_B.merchantId, order.merchantTradeNo, 480)))
      .expect(200, '1|OK');
    expect((await trade(order.trade.id)).status).toBe('paid');
  });

  it("a platform's keys still speak for its own member", async () => {
    const order = await checkout('member', 350);
    await http()
      .post('/ecpay/ecpg/return')
      .send(merchantA.envelope(STAGE_MERCHANT.merchantId, paid(MEMBER.merchantId, order.merchantTradeNo, 350)))
      .expect(200, '1|OK');
    expect((await trade(order.trade.id)).status).toBe('paid');
  });
});
