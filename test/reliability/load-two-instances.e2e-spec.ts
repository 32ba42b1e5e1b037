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
  type EcpayEvent,
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

const TRADES = 100;
const COPIES = 6; // each distinct notification is posted this many times: 175 distinct × 6 = 1,050 posts
const IN_FLIGHT = 32;

/** A small seeded PRNG (mulberry32), so the interleaving of a failing run can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function shuffled<T>(items: readonly T[], next: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

// The load test: 1,000+ notifications over 100 trades of four kinds, each posted six times in a random
// order, concurrently, alternating between two app instances on one database. Two waves keep ECPay's own order
// between a trade's notifications (a code before its payment, the first charge before later ones); inside a wave
// everything — copies included — races.
describeEachDatabase(targets, 'load: 1,000+ notifications through two app instances', (kind) => {
  let database: TestDatabase;
  let apps: INestApplication[] = [];
  let urls: string[] = [];
  /** Each instance's handler runs. */
  let recorders: { instance: string; events: EcpayEvent[] }[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const [a, b] = [ecpayEventRecorder(), ecpayEventRecorder()];
    recorders = [
      { instance: 'a', events: a.events },
      { instance: 'b', events: b.events },
    ];
    ({ apps, urls } = await startAppInstances(database, [{ imports: [a.module] }, { imports: [b.module] }], {
      dispatch: { pollIntervalMs: 100 },
    }));
  }, 60_000);

  afterAll(async () => {
    for (const app of apps) await app.close();
    await database?.drop();
  });

  it("ends every trade in its right state, stores each notification once and runs each event's handler once", async () => {
    const ecpay = apps[0]!.get(EcpayService);
    const testing = new EcpayTesting(STAGE_MERCHANT);
    type Kind = 'atm' | 'credit' | 'declined' | 'periodic';
    const trades: { kind: Kind; merchantTradeNo: string; totalAmount: number; expected: string }[] = [];
    for (let i = 0; i < TRADES; i++) {
      const kind = (['atm', 'credit', 'declined', 'periodic'] as const)[i % 4]!;
      const checkout = await ecpay.createCheckout({
        items: [{ name: `Tea ${i}`, price: 100 + i, quantity: 1 }],
        description: 'load test',
        payment:
          kind === 'atm'
            ? { method: 'ATM' }
            : kind === 'periodic'
              ? { method: 'Credit', periodic: { periodType: 'M', frequency: 1, execTimes: 12 } }
              : { method: 'Credit' },
      });
      trades.push({
        kind,
        merchantTradeNo: checkout.merchantTradeNo,
        totalAmount: checkout.trade.totalAmount,
        expected: kind === 'declined' ? 'failed' : 'paid',
      });
    }

    const form = (fields: Record<string, string>) => ({ route: '', body: testing.form(fields) });
    const first: { route: string; body: string }[] = [];
    const second: { route: string; body: string }[] = [];
    for (const t of trades) {
      const trade = {
        merchantId: STAGE_MERCHANT.merchantId,
        merchantTradeNo: t.merchantTradeNo,
        totalAmount: t.totalAmount,
      };
      if (t.kind === 'atm') {
        first.push({ ...form(testing.paymentInfo(trade, 'ATM')), route: '/ecpay/payment-info' });
        second.push({
          ...form(testing.paymentSucceeded(trade, { PaymentType: 'ATM_TAISHIN' })),
          route: '/ecpay/return',
        });
      } else if (t.kind === 'declined') {
        first.push({ ...form(testing.paymentFailed(trade)), route: '/ecpay/return' });
      } else {
        first.push({ ...form(testing.paymentSucceeded(trade)), route: '/ecpay/return' });
      }
      if (t.kind === 'periodic') {
        for (const times of [2, 3]) {
          const charge = testing.sign({
            MerchantID: trade.merchantId,
            MerchantTradeNo: trade.merchantTradeNo,
            StoreID: '',
            RtnCode: '1',
            RtnMsg: '授權成功',
            PeriodType: 'M',
            Frequency: '1',
            ExecTimes: '12',
            Amount: String(trade.totalAmount),
            Gwsr: `${9_000_000 + times}${trades.indexOf(t)}`,
            ProcessDate: `2026/0${times}/01 10:00:00`,
            AuthCode: '777777',
            FirstAuthAmount: String(trade.totalAmount),
            TotalSuccessTimes: String(times),
            SimulatePaid: '0',
            CustomField1: '',
            CustomField2: '',
            CustomField3: '',
            CustomField4: '',
          });
          second.push({ route: '/ecpay/period-return', body: testing.form(charge) });
        }
      }
    }
    const distinct = first.length + second.length;
    const next = random(20_261_122);
    let posted = 0;
    const replies = new Map<string, number>();
    for (const wave of [first, second]) {
      const posts = shuffled(
        wave.flatMap((n) => Array.from({ length: COPIES }, () => n)),
        next,
      );
      let cursor = 0;
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (cursor < posts.length) {
            const post = posts[cursor]!;
            const url = urls[cursor++ % 2]!;
            const response = await fetch(url + post.route, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: post.body,
            });
            const reply = `${response.status} ${await response.text()}`;
            replies.set(reply, (replies.get(reply) ?? 0) + 1);
            posted++;
          }
        }),
      );
    }
    expect(posted).toBe(distinct * COPIES);
    expect(posted).toBeGreaterThanOrEqual(1_000);
    expect(Object.fromEntries(replies)).toEqual({ '200 1|OK': posted });

    // Drain both dispatchers: kick until no event is pending (each round claims, runs and records a batch).
    const dataSource = apps[1]!.get(DataSource);
    const inbox = dataSource.getRepository(EcpayNotification);
    for (let round = 0; round < 200 && (await inbox.countBy({ dispatchStatus: 'pending' })) > 0; round++) {
      await Promise.all(apps.map((app) => app.get(EcpayNotificationDispatcher).kick()));
    }

    const stored = await dataSource.getRepository(EcpayTrade).find();
    const byNo = new Map(stored.map((trade) => [trade.merchantTradeNo, trade]));
    expect(trades.filter((t) => byNo.get(t.merchantTradeNo)?.status !== t.expected)).toEqual([]);
    const rows = await inbox.find();
    expect(rows).toHaveLength(distinct);
    expect(rows.filter((row) => row.outcome !== 'applied')).toEqual([]);
    expect(rows.filter((row) => row.dispatchStatus !== 'done')).toEqual([]);
    // Each event exactly once, whichever instance ran it.
    const perEvent = new Map<string, number>();
    const runs = recorders.flatMap(({ instance, events }) => events.map((event) => ({ instance, event })));
    for (const run of runs) perEvent.set(run.event.id, (perEvent.get(run.event.id) ?? 0) + 1);
    expect(perEvent.size).toBe(distinct);
    expect([...perEvent.values()].filter((count) => count !== 1)).toEqual([]);
    expect(new Set(rows.map((row) => row.id))).toEqual(new Set(perEvent.keys()));
    const events = rows.reduce<Record<string, number>>(
      (counts, row) => ({ ...counts, [row.eventName!]: (counts[row.eventName!] ?? 0) + 1 }),
      {},
    );
    expect(events).toEqual({
      'payment-info.issued': 25,
      'payment.succeeded': 75,
      'payment.failed': 25,
      'period.charged': 50,
    });
    process.stdout.write(
      `load (${kind}): ${posted} posts of ${distinct} notifications over ${TRADES} trades; handler runs ${runs.length} (instance a ${runs.filter((r) => r.instance === 'a').length}, b ${runs.filter((r) => r.instance === 'b').length})\n`,
    );
  }, 180_000);
});
