import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, expect, it } from '@jest/globals';
import { EcpayNotification, EcpayTrade, RECONCILE_DELAYS_MS } from '../../src/index.js';
import { EcpayStub } from '../client/ecpay-stub.js';
import {
  createTestDatabase,
  describeEachDatabase,
  isSingleConnection,
  testDatabaseTargets,
  type TestDatabase,
} from '../support/databases.js';
import {
  createTrade,
  ecpayTradeNoOf,
  eventsOf,
  paymentFields,
  postReturn,
  QUERY_TRADE,
  queryReply,
  startApp,
  TestClock,
  type OperationsApp,
} from './support/operations-app.js';

const targets = await testDatabaseTargets();
const MINUTE = 60_000;

// The reconciliation job against a loopback QueryTradeInfo/V5, on every database; two instances on the servers.
describeEachDatabase(targets, 'reconciliation', (kind) => {
  let database: TestDatabase;
  let stub: EcpayStub;
  let a: OperationsApp;
  let b: OperationsApp | undefined;
  const clock = new TestClock(Date.now());
  /** What the stub answers: the trades' amounts, and TradeStatus. */
  const amounts = new Map<string, number>();
  let tradeStatus = '1';

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    stub = await EcpayStub.start();
    a = await startApp(database, stub, clock);
    // A second app instance on the same database (SQLite is one connection in this process: no second instance).
    if (!isSingleConnection(kind)) b = await startApp(database, stub, clock, {}, false);
  });

  afterAll(async () => {
    await a?.app.close();
    await b?.app.close();
    await stub?.close();
    await database?.drop();
  });

  beforeEach(() => {
    clock.set(Date.now());
    tradeStatus = '1';
    stub.on(
      QUERY_TRADE,
      queryReply(amounts, () => tradeStatus),
    );
  });

  const reload = (id: string) => a.dataSource.getRepository(EcpayTrade).findOneByOrFail({ id });
  const inbox = (merchantTradeNo: string) => a.dataSource.getRepository(EcpayNotification).findBy({ merchantTradeNo });
  const queries = (merchantTradeNo: string) =>
    stub.requests.filter((r) => r.path === QUERY_TRADE && r.form?.MerchantTradeNo === merchantTradeNo).length;
  const pending = async (choosePayment = 'Credit', paymentOptions: Record<string, number> | null = null) => {
    const trade = await createTrade(a, 590, paymentOptions, choosePayment);
    amounts.set(trade.merchantTradeNo, trade.totalAmount);
    return trade;
  };
  /** Finishes every app's dispatch. */
  const settle = async () => {
    await a.dispatcher.kick();
    await b?.dispatcher.kick();
  };

  it('is off by default: no timer, nothing queried unless a round is run', async () => {
    const trade = await pending();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(queries(trade.merchantTradeNo)).toBe(0);
    // Out of the later rounds' way.
    await a.dataSource.getRepository(EcpayTrade).update({ id: trade.id }, { status: 'cancelled' });
  });

  it('a pending card trade ends paid exactly once, with one payment.succeeded, when ReturnURL arrives in the same instant (many rounds)', async () => {
    const iterations = isSingleConnection(kind) ? 15 : 25;
    let raced = 0;
    let firstWasQuery = 0;
    for (let i = 0; i < iterations; i++) {
      const trade = await pending();
      clock.set(trade.createdAt.getTime() + RECONCILE_DELAYS_MS[0]! + 1_000);
      const target = b && i % 2 === 1 ? b : a; // on the servers, ReturnURL lands on either instance
      // ECPay answers the query and posts the late ReturnURL in the same instant: the post starts when the query
      // reaches the stub, so the query's answer and the notification are stored concurrently (odd rounds add a
      // millisecond or two of skew, so either may be first).
      // Every third round posts ReturnURL as the round starts instead (ReturnURL then usually wins).
      let returned: Promise<string> | undefined =
        i % 3 === 2 ? postReturn(target, paymentFields(trade, new Date('2026-11-22T04:05:00Z'))) : undefined;
      const answer = queryReply(amounts, () => '1');
      stub.on(QUERY_TRADE, (request) => {
        const post = () => postReturn(target, paymentFields(trade, new Date('2026-11-22T04:05:00Z')));
        returned ??= i % 2 === 0 ? post() : new Promise((resolve) => setTimeout(resolve, i % 3)).then(post);
        return answer(request);
      });
      const report = await a.ecpay.reconcile();
      const reply = await (returned ?? Promise.resolve('not posted'));
      expect(reply).toBe('200 1|OK');
      const queried = queries(trade.merchantTradeNo);
      expect(report.failed).toBe(0);
      // A round that finds the trade already paid by ReturnURL does not query it.
      expect(queried).toBe(i % 3 === 2 ? queried : 1);
      raced += queried;
      await settle();
      const stored = await reload(trade.id);
      expect(stored).toMatchObject({
        status: 'paid',
        ecpayTradeNo: ecpayTradeNoOf(trade.merchantTradeNo),
        version: trade.version + 1,
      });
      const rows = await inbox(trade.merchantTradeNo);
      // Both kept: one applied (whichever came first), one confirmation; neither flagged.
      expect(rows.map((row) => row.outcome).sort()).toEqual(queried === 1 ? ['applied', 'confirmed'] : ['applied']);
      if (rows.length === 2)
        firstWasQuery += rows.find((row) => row.outcome === 'applied')!.kind === 'reconcile' ? 1 : 0;
      expect(rows.filter((row) => row.eventName !== null).map((row) => row.eventName)).toEqual(['payment.succeeded']);
      if (eventsOf(trade.merchantTradeNo, 'payment.succeeded').length !== 1)
        console.log(
          JSON.stringify(rows.map((r) => [r.kind, r.outcome, r.dispatchStatus, r.nextAttemptAt, r.lastError])),
          clock.now(),
        );
      expect(eventsOf(trade.merchantTradeNo, 'payment.succeeded')).toHaveLength(1);
      expect(eventsOf(trade.merchantTradeNo, 'notification.rejected')).toHaveLength(0);
    }
    expect(raced).toBeGreaterThan(iterations / 2);
    // Both orders happened: the query's answer first, and ReturnURL first.
    expect(firstWasQuery).toBeGreaterThan(0);
    expect(firstWasQuery).toBeLessThan(iterations);
  });

  it("follows ECPay's delays: 10 minutes after, 10 minutes later, once more at 40, then stops", async () => {
    tradeStatus = '0';
    const trade = await pending();
    const at = (ms: number) => clock.set(trade.createdAt.getTime() + ms);
    const plan: [number, number][] = [
      [5 * MINUTE, 0],
      [10 * MINUTE + 1_000, 1],
      [15 * MINUTE, 1],
      [20 * MINUTE + 1_000, 2],
      [30 * MINUTE, 2],
      [40 * MINUTE + 1_000, 3],
      [24 * 60 * MINUTE, 3],
    ];
    for (const [offset, expected] of plan) {
      at(offset);
      await a.ecpay.reconcile();
      expect([offset, queries(trade.merchantTradeNo)]).toEqual([offset, expected]);
    }
    expect(await reload(trade.id)).toMatchObject({ status: 'pending', version: trade.version, reconcileAttempts: 3 });
    expect(await inbox(trade.merchantTradeNo)).toHaveLength(0);
  });

  it('skips offline methods (ATM, CVS, BARCODE) until their payment code expired', async () => {
    tradeStatus = '0';
    const atm = await pending('ATM', { ExpireDate: 3 });
    const cvs = await pending('CVS');
    clock.set(atm.createdAt.getTime() + 60 * MINUTE);
    const report = await a.ecpay.reconcile();
    expect(report.scheduled).toBeGreaterThanOrEqual(2);
    expect([queries(atm.merchantTradeNo), queries(cvs.merchantTradeNo)]).toEqual([0, 0]);
    clock.set(atm.createdAt.getTime() + 2 * 24 * 60 * MINUTE);
    await a.ecpay.reconcile();
    expect([queries(atm.merchantTradeNo), queries(cvs.merchantTradeNo)]).toEqual([0, 0]);
    clock.set(atm.createdAt.getTime() + 3 * 24 * 60 * MINUTE + 11 * MINUTE); // ATM expired (3 days); CVS has 7
    await a.ecpay.reconcile();
    expect([queries(atm.merchantTradeNo), queries(cvs.merchantTradeNo)]).toEqual([1, 0]);
  });

  it('a query answer with a bad CheckMacValue changes nothing', async () => {
    const trade = await pending();
    stub.on(
      QUERY_TRADE,
      queryReply(amounts, () => '1', true),
    );
    clock.set(trade.createdAt.getTime() + 11 * MINUTE);
    const report = await a.ecpay.reconcile();
    expect(report).toMatchObject({ queried: 1, failed: 1, paid: 0 });
    await settle();
    expect(await reload(trade.id)).toMatchObject({
      status: 'pending',
      version: trade.version,
      ecpayTradeNo: null,
      reconcileAttempts: 0,
    });
    expect(await inbox(trade.merchantTradeNo)).toHaveLength(0);
    expect(eventsOf(trade.merchantTradeNo)).toHaveLength(0);
  });

  it('one instance claims each trade: two services on one database query each trade once', async () => {
    if (!b) return; // SQLite: one in-process connection, there is no second instance to race
    tradeStatus = '0';
    const trades = await Promise.all(Array.from({ length: 12 }, () => pending()));
    clock.set(Math.max(...trades.map((t) => t.createdAt.getTime())) + 11 * MINUTE);
    const reports = await Promise.all([
      a.ecpay.reconcile(),
      b.ecpay.reconcile(),
      a.ecpay.reconcile(),
      b.ecpay.reconcile(),
    ]);
    expect(trades.map((t) => queries(t.merchantTradeNo))).toEqual(trades.map(() => 1));
    expect(reports.reduce((sum, r) => sum + r.queried, 0)).toBeGreaterThanOrEqual(trades.length);
    for (const trade of trades)
      expect(await reload(trade.id)).toMatchObject({
        reconcileAttempts: 1,
        reconcileLockedBy: null,
        version: trade.version,
      });
  });
});
