import 'reflect-metadata';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  EcpayBoundCard,
  EcpayBoundCardStore,
  EcpayNotification,
  EcpayTesting,
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
const testing = new EcpayTesting(STAGE_MERCHANT);

function bindingData(merchantTradeNo: string, memberId: string, bindCardId: string): Record<string, unknown> {
  return {
    RtnCode: 1,
    RtnMsg: 'Success',
    MerchantID: STAGE_MERCHANT.merchantId,
    MerchantMemberID: memberId,
    BindCardID: bindCardId,
    IsSameCard: false,
    CardInfo: { Card6No: '431195', Card4No: '2222', CardValidYY: '39', CardValidMM: '12' },
    OrderInfo: {
      MerchantTradeNo: merchantTradeNo,
      TradeNo: '2612021200000002',
      TradeAmt: 1,
      PaymentType: 'Credit',
      PaymentDate: '2026/12/02 12:00:00',
    },
  };
}

// The browser keeps the binding's ResultData; posting it again (or ECPay retrying its ReturnURL) must change nothing.
// The bound card is written in the inbox's transaction, after the duplicate check, never before it.
describeEachDatabase(targets, 'binding results and the bound card rows', (kind) => {
  let database: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    ({
      apps: [app!],
    } = await startAppInstances(database, [{}], { dispatch: { pollIntervalMs: 0 } } as Partial<EcpayModuleOptions>));
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  const http = () => request(app.getHttpServer());
  const card = (bindCardId: string) =>
    app.get(DataSource).getRepository(EcpayBoundCard).findOneByOrFail({ bindCardId });

  it('a replayed binding result never resurrects a deleted card', async () => {
    const bindCardId = '1'.repeat(64);
    const envelope = testing.envelope(STAGE_MERCHANT.merchantId, bindingData('REPLAY0000001', 'member-r', bindCardId));
    await http().post('/ecpay/ecpg/return').send(envelope).expect(200, '1|OK');
    expect((await card(bindCardId)).status).toBe('active');

    // The member deletes the card (deleteBoundCard marks the row so once ECPay forgot it).
    expect(await app.get(EcpayBoundCardStore).markDeleted(STAGE_MERCHANT.merchantId, 'member-r', bindCardId)).toBe(
      true,
    );

    await http()
      .post('/ecpay/ecpg/order-result')
      .type('form')
      .send({ ResultData: JSON.stringify(envelope) })
      .expect(303);
    await http().post('/ecpay/ecpg/return').send(envelope).expect(200, '1|OK');
    expect((await card(bindCardId)).status).toBe('deleted');
    expect(
      await app.get(DataSource).getRepository(EcpayNotification).findBy({ merchantTradeNo: 'REPLAY0000001' }),
    ).toHaveLength(1);
  });

  it('a new binding of the same card (a new order) does make it active again', async () => {
    const bindCardId = '2'.repeat(64);
    await http()
      .post('/ecpay/ecpg/return')
      .send(testing.envelope(STAGE_MERCHANT.merchantId, bindingData('REBIND0000001', 'member-s', bindCardId)))
      .expect(200, '1|OK');
    await app.get(EcpayBoundCardStore).markDeleted(STAGE_MERCHANT.merchantId, 'member-s', bindCardId);
    await http()
      .post('/ecpay/ecpg/return')
      .send(testing.envelope(STAGE_MERCHANT.merchantId, bindingData('REBIND0000002', 'member-s', bindCardId)))
      .expect(200, '1|OK');
    expect((await card(bindCardId)).status).toBe('active');
  });
});
