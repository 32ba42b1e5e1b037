import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  ECPAY_MIGRATIONS,
  EcpayModule,
  EcpayNotification,
  EcpayNotificationDispatcher,
  EcpayService,
  EcpayTesting,
  EcpayTrade,
  OnEcpayEvent,
  type EcpayEvent,
} from '../../src/index.js';
import { createTestDatabase, describeEachDatabase, testDatabaseTargets, type TestDatabase } from '../support/databases.js';
import { STAGE_MERCHANT } from '../support/test-module.js';

const targets = (await testDatabaseTargets()).filter((target) => target.kind !== 'sqljs');

/** Handler runs across both instances (one process, so one array). */
const runs: { instance: string; event: EcpayEvent }[] = [];

function listenerFor(instance: string) {
  @Injectable()
  class PaymentsListener {
    @OnEcpayEvent('payment.succeeded')
    paid(event: EcpayEvent): void {
      runs.push({ instance, event });
    }
  }
  @Module({ providers: [PaymentsListener] })
  class ListenerModule {}
  return ListenerModule;
}

// Two app instances on one database, as in production behind a load balancer; ECPay (here: this test) posts the
// same notification to both, many times at once.
describeEachDatabase(targets, 'two app instances', (kind) => {

  let database: TestDatabase;
  const apps: INestApplication[] = [];
  const urls: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    for (const instance of ['a', 'b']) {
      const module = await Test.createTestingModule({
        imports: [
          TypeOrmModule.forRoot({ ...database.options(), autoLoadEntities: true, migrations: [...ECPAY_MIGRATIONS], migrationsRun: instance === 'a' } as never),
          EcpayModule.forRoot({ environment: 'stage', ...STAGE_MERCHANT, publicUrl: 'https://shop.example.com', dispatch: { pollIntervalMs: 50 } }),
          listenerFor(instance),
        ],
      }).compile();
      const app = module.createNestApplication({ rawBody: true, logger: false });
      await app.listen(0, '127.0.0.1');
      apps.push(app);
      urls.push(`http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`);
    }
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await database?.drop();
  });

  it('one notification posted 200 times concurrently makes one state change and one handler run', async () => {
    const checkout = await apps[0]!.get(EcpayService).createCheckout({
      items: [{ name: 'Oolong tea', price: 590, quantity: 1 }],
      description: 'Tea order',
      payment: { method: 'Credit' },
    });
    const testing = new EcpayTesting(STAGE_MERCHANT);
    const body = testing.form(testing.paymentSucceeded({ merchantId: '3002607', merchantTradeNo: checkout.merchantTradeNo, totalAmount: 590 }));

    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        fetch(`${urls[i % 2]}/ecpay/return`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }).then(
          async (response) => `${response.status} ${await response.text()}`,
        ),
      ),
    );
    expect(new Set(replies)).toEqual(new Set(['200 1|OK']));

    // Let both dispatchers finish (they poll every 50 ms and were kicked by the one stored copy).
    await Promise.all(apps.map((app) => app.get(EcpayNotificationDispatcher).kick()));
    const dataSource = apps[1]!.get(DataSource);
    const trade = await dataSource.getRepository(EcpayTrade).findOneByOrFail({ id: checkout.trade.id });
    expect(trade).toMatchObject({ status: 'paid', version: checkout.trade.version + 1 });
    const inbox = await dataSource.getRepository(EcpayNotification).findBy({ merchantTradeNo: checkout.merchantTradeNo });
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({ dispatchStatus: 'done', attempts: 1 });
    expect(runs.filter((run) => run.event.merchantTradeNo === checkout.merchantTradeNo)).toHaveLength(1);
  });
});
