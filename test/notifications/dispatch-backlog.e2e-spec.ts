import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import type { DataSource, QueryRunner } from 'typeorm';
import type { EcpayEvent } from '../../src/handlers/ecpay-event.interface.js';
import { OnEcpayEvent } from '../../src/handlers/on-ecpay-event.decorator.js';
import { EcpayNotification } from '../../src/persistence/ecpay-notification.entity.js';
import type { EcpayNotificationService } from '../../src/notifications/ecpay-notification.service.js';
import { EcpayTradeStore } from '../../src/persistence/index.js';
import { describeEachDatabase, testDatabaseTargets } from '../support/databases.js';
import { openInboxFixture, type InboxFixture } from '../support/inbox-fixture.js';

const targets = await testDatabaseTargets();

/** What happened, in order: handler runs (`event:<trade>`) and outside work (`io`, `stored:<trade>`). */
const log: string[] = [];
/** While set, the handler waits for it: a backlog of slow handler work. */
let gate: Promise<void> | undefined;
/** Trades whose handler waits for the gate set for it here (the others run at once). */
const gates = new Map<string, Promise<void>>();

@Injectable()
class ShipOrders {
  @OnEcpayEvent('payment.succeeded')
  async ship(event: EcpayEvent): Promise<void> {
    log.push(`event:${event.merchantTradeNo}`);
    if (gate) await gate;
    await gates.get(event.merchantTradeNo);
  }
}

@Module({ providers: [ShipOrders] })
class ShopModule {}

let counter = 0;
const tradeNo = (): string => `B${Date.now().toString(36)}${(counter++).toString(36)}`.toUpperCase().slice(0, 20);

/** Counts (and keeps) the statements sent through `dataSource` from now on, whatever the driver. */
function countStatements(dataSource: DataSource): { readonly count: number; readonly sent: [string, unknown[]][] } {
  const counter = { count: 0, sent: [] as [string, unknown[]][] };
  const wrapped = new WeakSet<QueryRunner>();
  const create = dataSource.createQueryRunner.bind(dataSource);
  dataSource.createQueryRunner = (...args: Parameters<DataSource['createQueryRunner']>) => {
    const runner = create(...args);
    if (!wrapped.has(runner)) {
      wrapped.add(runner);
      const query = runner.query.bind(runner) as (...a: unknown[]) => Promise<unknown>;
      (runner as { query: unknown }).query = (...a: unknown[]) => {
        counter.count++;
        counter.sent.push([String(a[0]), (a[1] as unknown[] | undefined) ?? []]);
        return query(...a);
      };
    }
    return runner;
  };
  return counter;
}

// Storing and answering ECPay's notifications must never wait for dispatch: a backlog of events costs a bounded
// number of statements per event (no per-event claim round trips, no renewal while the claim's lease covers the
// handler), the dispatcher yields to the event loop between events, and a slow handler holds no lock that the
// store needs.
describeEachDatabase(targets, 'dispatching a backlog', (kind) => {
  let fixture: InboxFixture | undefined;
  let dataSource: DataSource;
  let store: EcpayTradeStore;
  let receiver: EcpayNotificationService;
  const dispatcher = (options = {}) => fixture!.dispatcher({ now: () => new Date() }, options);

  beforeAll(async () => {
    fixture = await openInboxFixture(kind, [ShopModule]);
    ({ dataSource, store, receiver } = fixture);
  });
  afterAll(() => fixture?.close());

  beforeEach(async () => {
    log.length = 0;
    gate = undefined;
    gates.clear();
    await dataSource.getRepository(EcpayNotification).createQueryBuilder().delete().execute();
  });

  /** A pending trade, and ECPay's payment result for it stored in the inbox (its event pending dispatch). */
  async function notifyPaid(no = tradeNo()): Promise<string> {
    await store.createPending({
      merchantId: '3002607',
      merchantTradeNo: no,
      totalAmount: 100,
      choosePayment: 'Credit',
      itemName: 'Tea x1',
      tradeDesc: 'Tea',
      merchantTradeDate: '2026/12/02 12:00:00',
    });
    await receiver.receive('aio-return', {
      MerchantID: '3002607',
      MerchantTradeNo: no,
      RtnCode: '1',
      RtnMsg: '交易成功',
      TradeNo: '2612021200000009',
      TradeAmt: '100',
      PaymentDate: '2026/12/02 12:05:00',
      PaymentType: 'Credit_CreditCard',
      SimulatePaid: '0',
    });
    return no;
  }

  it('dispatches a backlog in a few statements per round: one claim, the done marks together', async () => {
    const events = 20;
    for (let i = 0; i < events; i++) await notifyPaid();
    const statements = countStatements(dataSource);
    expect(await dispatcher().kick()).toBe(events);
    expect(log).toHaveLength(events);
    // One round: look up the due events, claim them, read them back, mark them done — not a statement per event.
    expect(statements.count).toBeLessThanOrEqual(6);
    const rows = await dataSource.getRepository(EcpayNotification).find();
    expect(rows.map((row) => [row.dispatchStatus, row.attempts, row.lockedBy])).toEqual(
      rows.map(() => ['done', 1, null]),
    );
  });

  it('writes a done mark within about a second, while later handlers of the round still run', async () => {
    const [first, slow, last] = [await notifyPaid(), await notifyPaid(), await notifyPaid()];
    const inbox = dataSource.getRepository(EcpayNotification);
    const status = async (no: string) => (await inbox.findOneByOrFail({ merchantTradeNo: no })).dispatchStatus;
    let releaseSlow!: () => void;
    let releaseLast!: () => void;
    gates.set(slow, new Promise<void>((resolve) => (releaseSlow = resolve)));
    gates.set(last, new Promise<void>((resolve) => (releaseLast = resolve)));
    const round = dispatcher().kick();
    while (!log.includes(`event:${slow}`)) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    releaseSlow();
    while (!log.includes(`event:${last}`)) await new Promise((resolve) => setTimeout(resolve, 10));
    // The first event's mark waited over a second: written (with the slow one's) before the last handler ran.
    const whileLastRuns = [await status(first), await status(slow), await status(last)];
    releaseLast();
    expect(await round).toBe(3);
    expect(whileLastRuns).toEqual(['done', 'done', 'pending']);
    expect([await status(first), await status(slow), await status(last)]).toEqual(['done', 'done', 'done']);
  });

  it('on shutdown, finishes the event under way and hands the rest of its round back at once', async () => {
    const [first, second, third] = [await notifyPaid(), await notifyPaid(), await notifyPaid()];
    let release!: () => void;
    gates.set(first, new Promise<void>((resolve) => (release = resolve)));
    const stopping = dispatcher();
    const round = stopping.kick();
    while (!log.includes(`event:${first}`)) await new Promise((resolve) => setTimeout(resolve, 5));
    const shutdown = stopping.onApplicationShutdown(); // a deploy stops this instance mid-round
    release();
    await shutdown;
    expect(await round).toBe(1);
    const inbox = dataSource.getRepository(EcpayNotification);
    const rows = await Promise.all([first, second, third].map((no) => inbox.findOneByOrFail({ merchantTradeNo: no })));
    expect(rows.map((row) => [row.dispatchStatus, row.lockedBy, row.attempts])).toEqual([
      ['done', null, 1],
      ['pending', null, 0],
      ['pending', null, 0],
    ]);
    // Not leased any more: another instance runs them now, not when a lease would have run out.
    expect(await dispatcher().kick()).toBe(2);
    expect(log.filter((entry) => entry.startsWith('event:'))).toEqual(
      [first, second, third].map((no) => `event:${no}`),
    );
  });

  it('drains a backlog larger than one batch in one kick, not one batch per poll interval', async () => {
    for (let i = 0; i < 12; i++) await notifyPaid();
    expect(await dispatcher({ batchSize: 5 }).kick()).toBe(12);
    expect(log).toHaveLength(12);
    const pending = await dataSource.getRepository(EcpayNotification).countBy({ dispatchStatus: 'pending' });
    expect(pending).toBe(0);
  });

  it('yields to the event loop between events, even when the driver answers synchronously', async () => {
    for (let i = 0; i < 5; i++) await notifyPaid();
    const round = dispatcher().kick();
    const io = new Promise<void>((resolve) => setImmediate(() => resolve(void log.push('io'))));
    await round;
    const events = log.filter((entry) => entry.startsWith('event:'));
    const ranBeforeTheEnd = log.includes('io');
    await io;
    // Work that was waiting for the event loop (an HTTP request, say) ran before the backlog was through.
    expect(events).toHaveLength(5);
    expect(ranBeforeTheEnd).toBe(true);
    expect(log.indexOf('io')).toBeLessThan(log.length - 1);
  });

  it('stores and answers new notifications while a slow handler holds up the backlog', async () => {
    const backlog = [await notifyPaid(), await notifyPaid(), await notifyPaid()];
    let release!: () => void;
    gate = new Promise<void>((resolve) => (release = resolve));
    const round = dispatcher().kick();
    while (log.length === 0) await new Promise((resolve) => setImmediate(resolve));
    // The first handler is stuck; ECPay's next notifications are stored meanwhile.
    const arrivals = [await notifyPaid(), await notifyPaid()];
    log.push(...arrivals.map((no) => `stored:${no}`));
    release();
    gate = undefined;
    await round;
    expect(log.slice(0, 3)).toEqual([`event:${backlog[0]}`, ...arrivals.map((no) => `stored:${no}`)]);
    // Everything is delivered: the rest of the backlog, then the arrivals (a later round of the same kick, or the
    // next).
    await dispatcher().kick();
    expect(log.filter((entry) => entry.startsWith('event:')).sort()).toEqual(
      [...backlog, ...arrivals].map((no) => `event:${no}`).sort(),
    );
  });
});

// SQLite (the embedded default) answers on the event loop: a look-up that reads and sorts the whole backlog each
// round holds up ECPay's notifications for as long as the backlog is big (about 50 ms a round with 20,000 events).
describeEachDatabase(
  targets.filter(({ kind }) => kind === 'sqljs' || kind === 'better-sqlite3'),
  'looking up due events',
  (kind) => {
    let fixture: InboxFixture | undefined;
    beforeAll(async () => {
      fixture = await openInboxFixture(kind, [ShopModule]);
    });
    afterAll(() => fixture?.close());

    it('reads the dispatch index in order and stops at the batch: no pass over the backlog, no sort of it', async () => {
      const { dataSource } = fixture!;
      const statements = countStatements(dataSource);
      await fixture!.dispatcher({ now: () => new Date() }).kick();
      const [sql, parameters] = statements.sent.find(([text]) => /^\s*SELECT/i.test(text))!;
      const plan = (await dataSource.query(`EXPLAIN QUERY PLAN ${sql}`, parameters)) as { detail: string }[];
      const steps = plan.map((step) => step.detail);
      expect(steps).toEqual([expect.stringMatching(/^SEARCH .* USING INDEX idx_ecpay_notification_dispatch/)]);
    });
  },
);
