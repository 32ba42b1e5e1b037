import 'reflect-metadata';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { EcpayConfigError } from '../../src/errors/ecpay-config.error.js';
import type { EcpayEvent } from '../../src/handlers/ecpay-event.interface.js';
import { OnEcpayEvent } from '../../src/handlers/on-ecpay-event.decorator.js';
import type { EcpayDispatchOptions } from '../../src/notifications/ecpay-notification.dispatcher.js';
import { EcpayModule, EcpayNotification, EcpayTrade, EcpayTradeStore } from '../../src/index.js';
import { STAGE_MERCHANT } from '../support/test-module.js';
import { describeEachDatabase, testDatabaseTargets } from '../support/databases.js';
import { inboxServiceOn } from '../support/migrated-data-source.js';
import { openInboxFixture, type InboxFixture } from '../support/inbox-fixture.js';

const targets = await testDatabaseTargets();

/** Every run of the slow handler: which event, and whether another run of the same event was in flight. */
const runs: { id: string; overlapped: boolean }[] = [];
const inFlight = new Set<string>();
const HANDLER_MS = 300;

@Injectable()
class SlowFulfilment {
  @OnEcpayEvent('payment.succeeded')
  async ship(event: EcpayEvent): Promise<void> {
    runs.push({ id: event.id, overlapped: inFlight.has(event.id) });
    inFlight.add(event.id);
    await new Promise((resolve) => setTimeout(resolve, HANDLER_MS));
    inFlight.delete(event.id);
  }

  @OnEcpayEvent('payment.succeeded')
  async invoice(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, HANDLER_MS));
  }
}

@Module({ providers: [SlowFulfilment] })
class SlowShopModule {}

let counter = 0;
const tradeNo = (): string => `L${Date.now().toString(36)}${(counter++).toString(36)}`.toUpperCase().slice(0, 20);

// The dispatcher's promise: at-least-once delivery, and never two concurrent runs of one event, whatever the number
// of instances. An event's lease must outlive whatever runs under it, and an event is marked done as it completes.
describeEachDatabase(targets, 'dispatcher leases', (kind) => {
  let fixture: InboxFixture | undefined;
  let dataSource: DataSource;
  const clock = { now: () => new Date() };
  const dispatcher = (options: EcpayDispatchOptions) => fixture!.dispatcher(clock, options);

  beforeAll(async () => {
    fixture = await openInboxFixture(kind, [SlowShopModule]);
    ({ dataSource } = fixture);
  });
  afterAll(() => fixture?.close());

  it('one event never runs twice at once, even when a batch outlasts the lease', async () => {
    runs.length = 0;
    const store = new EcpayTradeStore(dataSource.getRepository(EcpayTrade));
    const receiver = inboxServiceOn(dataSource);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const trade = await store.createPending({
        merchantId: '3002607',
        merchantTradeNo: tradeNo(),
        totalAmount: 100,
        choosePayment: 'Credit',
        itemName: 'Tea x1',
        tradeDesc: 'Tea',
        merchantTradeDate: '2026/12/02 12:00:00',
      });
      const receipt = await receiver.receive('aio-return', {
        MerchantID: '3002607',
        MerchantTradeNo: trade.merchantTradeNo,
        RtnCode: '1',
        RtnMsg: '交易成功',
        TradeNo: '2612021200000009',
        TradeAmt: '100',
        PaymentDate: '2026/12/02 12:05:00',
        PaymentType: 'Credit_CreditCard',
        SimulatePaid: '0',
      });
      ids.push(receipt.notification.id);
    }
    // Each event takes two handlers × 300 ms; the whole batch of four takes ~2.4 s, far beyond a 1 s lease. Each
    // handler's own time limit (500 ms) stays well within the lease.
    const options = { leaseMs: 1_000, handlerTimeoutMs: 500 };
    const a = dispatcher(options);
    const b = dispatcher(options);
    const first = a.kick();
    // A second instance polls while the first works through its batch.
    const polls: Promise<number>[] = [];
    for (let t = 0; t < 12; t++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      polls.push(b.kick());
    }
    await Promise.all([first, ...polls]);
    await b.kick();
    expect(runs.filter((run) => run.overlapped)).toEqual([]);
    expect(runs.map((run) => run.id).sort()).toEqual([...ids].sort());
    const rows = await dataSource.getRepository(EcpayNotification).findBy({ eventName: 'payment.succeeded' });
    expect(rows.map((row) => [row.dispatchStatus, row.attempts])).toEqual(ids.map(() => ['done', 1]));
  }, 20_000);

  it("refuses a lease that does not outlive the handlers' timeout, naming the option", () => {
    expect(() => dispatcher({ leaseMs: 30_000 })).toThrow(EcpayConfigError);
    expect(() => dispatcher({ leaseMs: 30_000 })).toThrow(/dispatch\.leaseMs/);
    expect(() => dispatcher({ leaseMs: 1_000, handlerTimeoutMs: 900 })).toThrow(/dispatch\.leaseMs/);
    expect(() => dispatcher({ leaseMs: 1_000, handlerTimeoutMs: 500 })).not.toThrow();
  });
});

it("the module refuses dispatch.leaseMs shorter than the handlers' timeout with its margin", async () => {
  const compile = (dispatch: Record<string, number>) =>
    Test.createTestingModule({
      imports: [
        EcpayModule.forRoot({ environment: 'stage', ...STAGE_MERCHANT, persistence: false, dispatch } as never),
      ],
    }).compile();
  const error = await compile({ leaseMs: 30_000 }).catch((thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(EcpayConfigError);
  expect((error as EcpayConfigError).issues).toEqual([
    expect.objectContaining({ option: 'dispatch.leaseMs', message: expect.stringMatching(/at least 37500 ms/) }),
  ]);
  const short = await compile({ leaseMs: 1_000, handlerTimeoutMs: 500 });
  await short.close();
});
