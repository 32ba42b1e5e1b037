import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EcpayEvent } from '../../src/handlers/ecpay-event.interface.js';
import { OnEcpayEvent } from '../../src/handlers/on-ecpay-event.decorator.js';
import { EcpayNotification } from '../../src/persistence/ecpay-notification.entity.js';
import { EcpayNotificationService } from '../../src/notifications/ecpay-notification.service.js';
import { EcpayTradeStore } from '../../src/persistence/index.js';
import { describeEachDatabase, testDatabaseTargets } from '../support/databases.js';
import { openInboxFixture, type InboxFixture } from '../support/inbox-fixture.js';

const targets = await testDatabaseTargets();

/** What the handlers saw, and whether the flaky one should fail. */
const seen = { audit: [] as EcpayEvent[], fulfil: [] as EcpayEvent[], fulfilFails: false, all: [] as string[] };

@Injectable()
class AuditHandler {
  @OnEcpayEvent('payment.succeeded')
  record(event: EcpayEvent): void {
    seen.audit.push(event);
  }
}

@Injectable()
class FulfilmentHandler {
  @OnEcpayEvent('payment.succeeded')
  async ship(event: EcpayEvent): Promise<void> {
    seen.fulfil.push(event);
    if (seen.fulfilFails) throw new Error('warehouse unreachable');
  }

  @OnEcpayEvent('*')
  any(event: EcpayEvent): void {
    seen.all.push(event.name);
  }
}

@Module({ providers: [AuditHandler, FulfilmentHandler] })
class ShopModule {}

let counter = 0;
const tradeNo = (): string => `D${Date.now().toString(36)}${(counter++).toString(36)}`.toUpperCase().slice(0, 20);

describeEachDatabase(targets, 'dispatching the inbox', (kind) => {
  let fixture: InboxFixture | undefined;
  let dataSource: DataSource;
  let store: EcpayTradeStore;
  let receiver: EcpayNotificationService;
  let now: Date;
  const clock = { now: () => now };
  const dispatcher = (options = {}) => fixture!.dispatcher(clock, options);

  beforeAll(async () => {
    fixture = await openInboxFixture(kind, [ShopModule]);
    ({ dataSource, store, receiver } = fixture);
  });
  afterAll(() => fixture?.close());

  beforeEach(() => {
    seen.audit = [];
    seen.fulfil = [];
    seen.all = [];
    seen.fulfilFails = false;
    now = new Date();
  });

  /** A paid trade whose payment.succeeded event waits in the inbox. */
  async function paidTrade(): Promise<EcpayNotification> {
    const trade = await store.createPending({
      merchantId: '3002607',
      merchantTradeNo: tradeNo(),
      totalAmount: 100,
      choosePayment: 'Credit',
      itemName: 'Tea x1',
      tradeDesc: 'Tea',
      merchantTradeDate: '2024/01/01 12:00:00',
    });
    const receipt = await receiver.receive(
      'aio-return',
      {
        MerchantID: '3002607',
        MerchantTradeNo: trade.merchantTradeNo,
        RtnCode: '1',
        RtnMsg: '交易成功',
        TradeNo: '2401010000000001',
        TradeAmt: '100',
        PaymentDate: '2024/01/01 12:05:00',
        PaymentType: 'Credit_CreditCard',
        SimulatePaid: '0',
      },
      now,
    );
    return receipt.notification;
  }
  const row = (id: string) => dataSource.getRepository(EcpayNotification).findOneByOrFail({ id });

  it("delivers an event once to each handler, with the row's id and the verified payload, then marks it done", async () => {
    const notification = await paidTrade();
    expect(await dispatcher().kick()).toBeGreaterThanOrEqual(1);
    expect(seen.audit.map((event) => event.id)).toEqual([notification.id]);
    expect(seen.audit[0]).toMatchObject({
      name: 'payment.succeeded',
      merchantId: '3002607',
      merchantTradeNo: notification.merchantTradeNo,
      tradeId: notification.tradeId,
      data: { kind: 'aio-return', outcome: 'applied', RtnCode: 1, TradeAmt: 100 },
      raw: notification.payload,
    });
    expect(seen.audit[0]!.occurredAt.toISOString()).toBe('2024-01-01T04:05:00.000Z');
    expect(seen.all).toEqual(['payment.succeeded']);
    expect(await row(notification.id)).toMatchObject({
      dispatchStatus: 'done',
      attempts: 1,
      lastError: null,
      lockedBy: null,
    });
    expect(await dispatcher().kick()).toBe(0); // nothing left to do
    expect(seen.audit).toHaveLength(1);
  });

  it('retries only the failing handler, with backoff, until it recovers', async () => {
    const notification = await paidTrade();
    seen.fulfilFails = true;
    const first = dispatcher({ backoffMs: 60_000 });
    await first.kick();
    expect(await row(notification.id)).toMatchObject({
      dispatchStatus: 'pending',
      attempts: 1,
      lastError: 'FulfilmentHandler.ship: warehouse unreachable',
      completedHandlers: expect.arrayContaining(['AuditHandler.record', 'FulfilmentHandler.any']),
    });
    await first.kick(); // not due yet: the backoff holds it
    expect(seen.fulfil).toHaveLength(1);

    seen.fulfilFails = false;
    now = new Date(now.getTime() + 61_000);
    await first.kick();
    expect(seen.fulfil).toHaveLength(2);
    expect(seen.audit).toHaveLength(1); // the handler that succeeded the first time is not run again
    expect(await row(notification.id)).toMatchObject({ dispatchStatus: 'done', attempts: 2, lastError: null });
  });

  it('parks an event after maxAttempts, visible with its last error, and redrive delivers it', async () => {
    const notification = await paidTrade();
    seen.fulfilFails = true;
    const instance = dispatcher({ maxAttempts: 2, backoffMs: 1 });
    await instance.kick();
    now = new Date(now.getTime() + 1_000);
    await instance.kick();
    expect(await row(notification.id)).toMatchObject({ dispatchStatus: 'failed', attempts: 2, nextAttemptAt: null });
    now = new Date(now.getTime() + 10_000);
    await instance.kick();
    expect(seen.fulfil).toHaveLength(2); // parked: no more runs

    seen.fulfilFails = false;
    expect(await instance.redrive(notification.id)).toBe(true);
    expect(await row(notification.id)).toMatchObject({ dispatchStatus: 'done' });
    expect(seen.fulfil).toHaveLength(3);
    expect(await instance.redrive('no-such-id')).toBe(false);
  });

  it('after a crash between store and dispatch, a restarted instance delivers the event', async () => {
    const notification = await paidTrade(); // stored, never dispatched: the process "died" here
    const restarted = dispatcher();
    restarted.onApplicationBootstrap(); // as Nest does on start-up
    await restarted.kick();
    await restarted.onApplicationShutdown();
    expect(seen.audit.map((event) => event.id)).toContain(notification.id);
    expect((await row(notification.id)).dispatchStatus).toBe('done');
  });

  it('takes over an event whose claiming instance died (lease expired)', async () => {
    const notification = await paidTrade();
    await dataSource
      .getRepository(EcpayNotification)
      .update({ id: notification.id }, { lockedBy: 'dead-instance', lockedUntil: new Date(now.getTime() + 5_000) });
    await dispatcher().kick();
    expect(seen.audit).toHaveLength(0); // still leased
    now = new Date(now.getTime() + 6_000);
    await dispatcher().kick();
    expect(seen.audit.map((event) => event.id)).toEqual([notification.id]);
  });

  it('two instances dispatching at once deliver each event exactly once', async () => {
    const notifications = await Promise.all(Array.from({ length: 6 }, () => paidTrade()));
    const a = dispatcher();
    const b = dispatcher();
    await Promise.all([a.kick(), b.kick(), a.kick(), b.kick()]);
    const delivered = seen.audit.map((event) => event.id).sort();
    expect(delivered).toEqual(notifications.map((notification) => notification.id).sort());
  });
});
