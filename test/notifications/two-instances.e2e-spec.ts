import 'reflect-metadata';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  EcpayNotification,
  EcpayNotificationDispatcher,
  EcpayService,
  EcpayTesting,
  EcpayTrade,
} from '../../src/index.js';
import {
  createTestDatabase,
  describeEachDatabase,
  isSingleConnection,
  testDatabaseTargets,
  type TestDatabase,
} from '../support/databases.js';
import { STAGE_MERCHANT } from '../support/test-module.js';
import { startAppInstances } from '../support/app-instances.js';
import { ecpayEventRecorder } from '../support/event-recorder.js';

const targets = (await testDatabaseTargets()).filter((target) => !isSingleConnection(target.kind));

// Two app instances on one database, as in production behind a load balancer; ECPay (here: this test) posts the
// same notification to both, many times at once.
describeEachDatabase(targets, 'two app instances', (kind) => {
  let database: TestDatabase;
  let apps: INestApplication[] = [];
  let urls: string[] = [];
  const recorders = [ecpayEventRecorder('payment.succeeded'), ecpayEventRecorder('payment.succeeded')];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    ({ apps, urls } = await startAppInstances(
      database,
      recorders.map((recorder) => ({ imports: [recorder.module] })),
      { dispatch: { pollIntervalMs: 50 } },
    ));
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await database?.drop();
  });

  // 200 posts through two instances: generous time for a loaded 2-core machine (correctness, not speed, is tested).
  it('one notification posted 200 times concurrently makes one state change and one handler run', async () => {
    const checkout = await apps[0]!.get(EcpayService).createCheckout({
      items: [{ name: 'Oolong tea', price: 590, quantity: 1 }],
      description: 'Tea order',
      payment: { method: 'Credit' },
    });
    const testing = new EcpayTesting(STAGE_MERCHANT);
    const body = testing.form(
      testing.paymentSucceeded({ merchantId: '3002607', merchantTradeNo: checkout.merchantTradeNo, totalAmount: 590 }),
    );

    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        fetch(`${urls[i % 2]}/ecpay/return`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
        }).then(async (response) => `${response.status} ${await response.text()}`),
      ),
    );
    expect(new Set(replies)).toEqual(new Set(['200 1|OK']));

    // Let both dispatchers finish (they poll every 50 ms and were kicked by the one stored copy).
    await Promise.all(apps.map((app) => app.get(EcpayNotificationDispatcher).kick()));
    const dataSource = apps[1]!.get(DataSource);
    const trade = await dataSource.getRepository(EcpayTrade).findOneByOrFail({ id: checkout.trade.id });
    expect(trade).toMatchObject({ status: 'paid', version: checkout.trade.version + 1 });
    const inbox = await dataSource
      .getRepository(EcpayNotification)
      .findBy({ merchantTradeNo: checkout.merchantTradeNo });
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({ dispatchStatus: 'done', attempts: 1 });
    expect(
      recorders
        .flatMap((recorder) => recorder.events)
        .filter((event) => event.merchantTradeNo === checkout.merchantTradeNo),
    ).toHaveLength(1);
  }, 60_000);
});
