import 'reflect-metadata';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Injectable, Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import {
  EcpayModule,
  EcpayNotification,
  EcpayNotificationDispatcher,
  EcpaySandboxModule,
  EcpaySandboxNotifier,
  EcpaySandboxStore,
  EcpayService,
  EcpayTrade,
  OnEcpayEvent,
  type EcpayEvent,
} from '../../src/index.js';
import type { CuttableProxy } from '../support/cuttable-proxy.js';
import { cuttablePostgres } from '../support/cuttable-database.js';
import { describeEachDatabase, testDatabaseTargets, type TestDatabase } from '../support/databases.js';
import { STAGE_MERCHANT } from '../support/test-module.js';
import { payByCard } from '../sandbox/support/sandbox-flow.js';
import { absolute, postForm, waitFor } from '../sandbox/support/sandbox-http.js';
import { freePort } from '../support/free-port.js';

const targets = (await testDatabaseTargets()).filter((target) => target.kind === 'postgres');
const handled: EcpayEvent[] = [];

@Injectable()
class PaymentsListener {
  @OnEcpayEvent('payment.succeeded')
  paid(event: EcpayEvent): void {
    handled.push(event);
  }
}
@Module({ providers: [PaymentsListener] })
class ListenerModule {}

// The database goes away while ECPay (the sandbox) posts the payment result: the app must not answer 1|OK for what
// it could not store, and ECPay's retry, once the database is back, must land — the payment applied and its handler
// run exactly once. The app reaches PostgreSQL through a proxy the test cuts (connections reset, new ones refused).
describeEachDatabase(targets, 'the database down during a notification', () => {
  let database: TestDatabase;
  let proxy: CuttableProxy;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    let typeOrm: DynamicModule;
    ({ database, proxy, typeOrm } = await cuttablePostgres());
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const module = await Test.createTestingModule({
      imports: [
        typeOrm,
        EcpayModule.forRoot({
          environment: 'sandbox',
          ...STAGE_MERCHANT,
          publicUrl: base,
          sandboxUrl: `${base}/ecpay-sandbox`,
          dispatch: { pollIntervalMs: 100, backoffMs: 50 },
        }),
        EcpaySandboxModule.forRoot({
          prefix: '/ecpay-sandbox',
          merchants: [STAGE_MERCHANT],
          retrySchedule: [400, 400, 400, 400],
        }),
        ListenerModule,
      ],
    }).compile();
    app = module.createNestApplication({ rawBody: true, logger: false });
    await app.listen(port, '127.0.0.1');
  }, 60_000);

  afterAll(async () => {
    proxy?.restore();
    await app?.close();
    await proxy?.close();
    await database?.drop();
  });

  it("answers no 1|OK while the database is down, and ECPay's retry is applied once it is back", async () => {
    const checkout = await app.get(EcpayService).createCheckout({
      items: [{ name: 'Oolong tea', price: 590, quantity: 1 }],
      description: 'Tea order',
      payment: { method: 'Credit' },
    });
    const accepted = await postForm(checkout.action, { ...checkout.fields });
    expect(accepted.status).toBe(302);

    proxy.cut();
    await payByCard(absolute(checkout.action, accepted.headers.get('location')!), '4311-9522-2222-2222');
    const store = app.get(EcpaySandboxStore);
    const attempts = () => store.trade(checkout.merchantTradeNo)?.notifications[0]?.attempts ?? [];
    await waitFor(() => attempts().length >= 1, 10_000);
    expect(attempts()[0]).toMatchObject({ status: 503, acknowledged: false });
    expect(attempts()[0]!.body).not.toContain('1|OK');
    proxy.restore();

    await app.get(EcpaySandboxNotifier).settled();
    const notification = store.trade(checkout.merchantTradeNo)!.notifications[0]!;
    expect(notification.status).toBe('delivered');
    expect(notification.attempts.at(-1)).toMatchObject({ status: 200, body: '1|OK', acknowledged: true });

    const dataSource = app.get(DataSource);
    expect(await dataSource.getRepository(EcpayTrade).findOneByOrFail({ id: checkout.trade.id })).toMatchObject({
      status: 'paid',
    });
    expect(
      await dataSource.getRepository(EcpayNotification).countBy({ merchantTradeNo: checkout.merchantTradeNo }),
    ).toBe(1);
    await waitFor(async () => {
      await app.get(EcpayNotificationDispatcher).kick();
      return handled.some((event) => event.merchantTradeNo === checkout.merchantTradeNo);
    }, 10_000);
    expect(handled.filter((event) => event.merchantTradeNo === checkout.merchantTradeNo)).toHaveLength(1);
  }, 60_000);
});
