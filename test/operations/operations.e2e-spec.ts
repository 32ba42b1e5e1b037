import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  EcpayApiError,
  EcpayOperationError,
  EcpayOperationsService,
  EcpayTrade,
  EcpayTradeAction,
  EcpayNotification,
  type EcpayOperationResult,
} from '../../src/index.js';
import { EcpayStub } from '../client/ecpay-stub.js';
import {
  createTestDatabase,
  describeEachDatabase,
  testDatabaseTargets,
  type TestDatabase,
} from '../support/databases.js';
import {
  DO_ACTION,
  doActionReply,
  doActionsFor,
  eventsOf,
  PERIOD_ACTION,
  periodActionReply,
  paidTrade,
  startApp,
  taipei,
  TestClock,
  type OperationsApp,
} from './support/operations-app.js';

const targets = await testDatabaseTargets();

/** The reason of an operation's refusal (or 'ok'). */
async function outcome(operation: Promise<unknown>): Promise<string> {
  try {
    await operation;
    return 'ok';
  } catch (error) {
    if (error instanceof EcpayOperationError) return error.reason;
    throw error;
  }
}

// Capture, refund, void and period actions over real HTTP against a loopback ECPay, on every database.
describeEachDatabase(targets, 'operations', (kind) => {
  let database: TestDatabase;
  let stub: EcpayStub;
  // Auto-close merchant (the default) and a merchant that closes by hand, on the same database.
  let auto: OperationsApp;
  let manual: OperationsApp;
  const clock = new TestClock(taipei('2026-11-22T12:00:00').getTime());

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    stub = await EcpayStub.start();
    auto = await startApp(database, stub, clock);
    manual = await startApp(database, stub, clock, { autoClose: false }, kind === 'sqljs');
  });

  afterAll(async () => {
    await auto?.app.close();
    await manual?.app.close();
    await stub?.close();
    await database?.drop();
  });

  beforeEach(() => {
    clock.set(taipei('2026-11-22T12:00:00'));
    stub.on(DO_ACTION, doActionReply()).on(PERIOD_ACTION, periodActionReply());
  });

  const reload = (app: OperationsApp, id: string) => app.dataSource.getRepository(EcpayTrade).findOneByOrFail({ id });
  const actions = (app: OperationsApp, tradeId: string) =>
    app.dataSource
      .getRepository(EcpayTradeAction)
      .find({ where: { tradeId }, order: { requestedAt: 'ASC', createdAt: 'ASC' } });
  const dispatched = async (app: OperationsApp) => {
    await app.dispatcher.kick();
  };

  describe('refund recipes (docs/protocol.md §7.2)', () => {
    it('authorized (no auto-close, not captured): a full refund voids it with N', async () => {
      const trade = await paidTrade(manual, clock, taipei('2026-11-22T10:00:00'));
      const result = await manual.ecpay.refund(trade.merchantTradeNo);
      expect(doActionsFor(stub, trade.merchantTradeNo)).toEqual(['N:1000']);
      expect(result).toMatchObject({
        operation: 'refund',
        amount: 1000,
        trade: { status: 'refunded', refundedAmount: 1000, pendingActionId: null },
      });
      await dispatched(manual);
      expect(eventsOf(trade.merchantTradeNo, 'refund.succeeded')).toHaveLength(1);
      expect(eventsOf(trade.merchantTradeNo, 'refund.succeeded')[0]!.data).toMatchObject({
        kind: 'operation',
        Amount: 1000,
      });
    });

    it('authorized: a partial refund is refused (ECPay voids in full only) and nothing is sent', async () => {
      const trade = await paidTrade(manual, clock, taipei('2026-11-22T10:00:00'));
      expect(await outcome(manual.ecpay.refund(trade.merchantTradeNo, 300))).toBe('partial-not-allowed');
      expect(doActionsFor(stub, trade.merchantTradeNo)).toEqual([]);
    });

    it("to be closed (auto-close, paid before today's 20:15): full refund is E then N", async () => {
      const trade = await paidTrade(auto, clock, taipei('2026-11-22T10:00:00'));
      const result = await auto.ecpay.refund(trade.merchantTradeNo);
      expect(doActionsFor(stub, trade.merchantTradeNo)).toEqual(['E:1000', 'N:1000']);
      expect(result.actions.map((a) => `${a.action}:${a.status}`)).toEqual(['E:succeeded', 'N:succeeded']);
      expect(await reload(auto, trade.id)).toMatchObject({
        status: 'refunded',
        refundedAmount: 1000,
        closeState: 'authorized',
        pendingActionId: null,
      });
      const recorded = await actions(auto, trade.id);
      expect(recorded.map((a) => [a.action, a.status, a.rtnCode, a.operationId])).toEqual([
        ['E', 'succeeded', 1, result.operationId],
        ['N', 'succeeded', 1, result.operationId],
      ]);
      await dispatched(auto);
      expect(eventsOf(trade.merchantTradeNo, 'refund.succeeded')).toHaveLength(1);
    });

    it('to be closed: a partial refund is R, and the rest can be refunded later', async () => {
      const trade = await paidTrade(auto, clock, taipei('2026-11-22T10:00:00'));
      await auto.ecpay.refund(trade.merchantTradeNo, 300);
      expect(await reload(auto, trade.id)).toMatchObject({ status: 'partially-refunded', refundedAmount: 300 });
      await auto.ecpay.refund(trade.merchantTradeNo);
      expect(doActionsFor(stub, trade.merchantTradeNo)).toEqual(['R:300', 'R:700']);
      expect(await reload(auto, trade.id)).toMatchObject({ status: 'refunded', refundedAmount: 1000 });
      await dispatched(auto);
      expect(eventsOf(trade.merchantTradeNo, 'refund.succeeded').map((e) => e.data.Amount)).toEqual([300, 700]);
    });

    it('closed (auto-closed at the 20:15 batch after payment): full and partial refunds are R', async () => {
      const full = await paidTrade(auto, clock, taipei('2026-11-21T10:00:00'));
      const part = await paidTrade(auto, clock, taipei('2026-11-21T20:40:00')); // after yesterday's batch: closed today at 20:15
      clock.set(taipei('2026-11-22T21:00:00'));
      await auto.ecpay.refund(full.merchantTradeNo);
      await auto.ecpay.refund(part.merchantTradeNo, 1);
      expect(doActionsFor(stub, full.merchantTradeNo)).toEqual(['R:1000']);
      expect(doActionsFor(stub, part.merchantTradeNo)).toEqual(['R:1']);
      expect(await reload(auto, full.id)).toMatchObject({ status: 'refunded', refundedAmount: 1000 });
      expect(await reload(auto, part.id)).toMatchObject({ status: 'partially-refunded', refundedAmount: 1 });
    });

    it('capture (C) of an authorized trade, then refunds follow the captured amount: E+N that day, R after the batch', async () => {
      const trade = await paidTrade(manual, clock, taipei('2026-11-22T10:00:00'));
      const captured = await manual.ecpay.capture(trade.merchantTradeNo, 800);
      expect(captured.trade).toMatchObject({ capturedAmount: 800, closeState: 'close-requested' });
      expect(await outcome(manual.ecpay.capture(trade.merchantTradeNo))).toBe('not-capturable');
      expect(await outcome(manual.ecpay.refund(trade.merchantTradeNo, 801))).toBe('exceeds-remaining');
      clock.set(taipei('2026-11-23T09:00:00')); // closed by last night's batch
      await manual.ecpay.refund(trade.merchantTradeNo, 800);
      expect(doActionsFor(stub, trade.merchantTradeNo)).toEqual(['C:800', 'R:800']);
      expect(await reload(manual, trade.id)).toMatchObject({ status: 'refunded', refundedAmount: 800 });
      await dispatched(manual);
      expect(eventsOf(trade.merchantTradeNo, 'trade.captured')).toHaveLength(1);
      expect(eventsOf(trade.merchantTradeNo, 'refund.succeeded')).toHaveLength(1);
    });

    it('cancel voids: N when authorized, E then N when waiting for the close, refused once closed', async () => {
      const authorized = await paidTrade(manual, clock, taipei('2026-11-22T10:00:00'));
      const closing = await paidTrade(auto, clock, taipei('2026-11-22T10:00:00'));
      const closed = await paidTrade(auto, clock, taipei('2026-11-20T10:00:00'));
      await manual.ecpay.cancel(authorized.merchantTradeNo);
      await auto.ecpay.cancel(closing.merchantTradeNo);
      expect(await outcome(auto.ecpay.cancel(closed.merchantTradeNo))).toBe('not-cancellable');
      expect(doActionsFor(stub, authorized.merchantTradeNo)).toEqual(['N:1000']);
      expect(doActionsFor(stub, closing.merchantTradeNo)).toEqual(['E:1000', 'N:1000']);
      expect(doActionsFor(stub, closed.merchantTradeNo)).toEqual([]);
      expect((await reload(manual, authorized.id)).status).toBe('cancelled');
      await dispatched(manual);
      await dispatched(auto);
      expect(eventsOf(authorized.merchantTradeNo, 'trade.cancelled')).toHaveLength(1);
      expect(eventsOf(closing.merchantTradeNo, 'trade.cancelled')).toHaveLength(1);
    });

    it('periodic orders: cancelPeriod and reAuthPeriod call CreditCardPeriodAction and raise their events', async () => {
      const trade = await paidTrade(auto, clock, taipei('2026-11-22T10:00:00'), 100, {
        PeriodAmount: 100,
        PeriodType: 'M',
        Frequency: 1,
        ExecTimes: 12,
      });
      await auto.ecpay.reAuthPeriod(trade.merchantTradeNo);
      await auto.ecpay.cancelPeriod(trade.merchantTradeNo);
      const sent = stub.requests
        .filter((r) => r.path === PERIOD_ACTION && r.form?.MerchantTradeNo === trade.merchantTradeNo)
        .map((r) => r.form!.Action);
      expect(sent).toEqual(['ReAuth', 'Cancel']);
      const plain = await paidTrade(auto, clock, taipei('2026-11-22T10:00:00'));
      expect(await outcome(auto.ecpay.cancelPeriod(plain.merchantTradeNo))).toBe('not-periodic');
      await dispatched(auto);
      expect(
        eventsOf(trade.merchantTradeNo)
          .map((e) => e.name)
          .filter((n) => n.startsWith('period.')),
      ).toEqual(['period.reauthorized', 'period.cancelled']);
    });
  });

  describe('refusals, before anything is sent', () => {
    it('partial refunds of installment and Redeem trades; over what is left; not whole TWD', async () => {
      const installment = await paidTrade(auto, clock, taipei('2026-11-20T10:00:00'), 1000, {
        CreditInstallment: '3,6',
      });
      const redeem = await paidTrade(auto, clock, taipei('2026-11-20T10:00:00'), 1000, { Redeem: 'Y' });
      const plain = await paidTrade(auto, clock, taipei('2026-11-20T10:00:00'));
      expect(await outcome(auto.ecpay.refund(installment.merchantTradeNo, 500))).toBe('partial-not-allowed');
      expect(await outcome(auto.ecpay.refund(redeem.merchantTradeNo, 500))).toBe('partial-not-allowed');
      expect(await outcome(auto.ecpay.refund(plain.merchantTradeNo, 1001))).toBe('exceeds-remaining');
      for (const bad of [12.5, 0, -1, Number.NaN, '100' as unknown as number]) {
        expect(await outcome(auto.ecpay.refund(plain.merchantTradeNo, bad))).toBe('invalid-amount');
      }
      expect([installment, redeem, plain].flatMap((t) => doActionsFor(stub, t.merchantTradeNo))).toEqual([]);
      // In full they are fine (R, since they are closed).
      await auto.ecpay.refund(installment.merchantTradeNo);
      await auto.ecpay.refund(redeem.merchantTradeNo, 1000);
      expect(doActionsFor(stub, installment.merchantTradeNo)).toEqual(['R:1000']);
      expect(doActionsFor(stub, redeem.merchantTradeNo)).toEqual(['R:1000']);
      expect(await outcome(auto.ecpay.refund(plain.merchantTradeNo, 1000))).toBe('ok');
      expect(await outcome(auto.ecpay.refund(plain.merchantTradeNo, 1))).toBe('not-refundable');
    });

    it('20:15–20:30 Asia/Taipei (the auto-close batch) refuses every DoAction with a clear error', async () => {
      const trade = await paidTrade(auto, clock, taipei('2026-11-20T10:00:00'));
      for (const at of ['2026-11-22T20:15:00', '2026-11-22T20:22:30', '2026-11-22T20:29:59']) {
        clock.set(taipei(at));
        const error = await auto.ecpay.refund(trade.merchantTradeNo).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(EcpayOperationError);
        expect(error).toMatchObject({ reason: 'closing-window', message: expect.stringContaining('20:15–20:30') });
        expect(await outcome(auto.ecpay.cancel(trade.merchantTradeNo))).toBe('not-cancellable'); // closed anyway
      }
      expect(doActionsFor(stub, trade.merchantTradeNo)).toEqual([]);
      clock.set(taipei('2026-11-22T20:30:00'));
      await auto.ecpay.refund(trade.merchantTradeNo, 10);
      expect(doActionsFor(stub, trade.merchantTradeNo)).toEqual(['R:10']);
    });

    it("ECPay's refusal (RtnCode ≠ 1) is recorded as failed and frees the trade", async () => {
      const trade = await paidTrade(auto, clock, taipei('2026-11-20T10:00:00'));
      stub.on(DO_ACTION, doActionReply('10200050'));
      await expect(auto.ecpay.refund(trade.merchantTradeNo, 100)).rejects.toBeInstanceOf(EcpayApiError);
      expect((await actions(auto, trade.id)).map((a) => [a.action, a.status, a.rtnCode])).toEqual([
        ['R', 'failed', 10200050],
      ]);
      expect(await reload(auto, trade.id)).toMatchObject({ status: 'paid', refundedAmount: 0, pendingActionId: null });
      stub.on(DO_ACTION, doActionReply());
      await auto.ecpay.refund(trade.merchantTradeNo, 100);
      expect((await reload(auto, trade.id)).refundedAmount).toBe(100);
    });
  });

  it('a timed-out call is recorded as unknown, never resent, and resolved after a query', async () => {
    const trade = await paidTrade(auto, clock, taipei('2026-11-20T10:00:00'));
    stub.on(DO_ACTION, () => 'hang');
    const error = await auto.ecpay.refund(trade.merchantTradeNo, 400, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'outcome-unknown' });
    const actionId = (error as EcpayOperationError).actionId!;
    expect((await actions(auto, trade.id)).map((a) => [a.id, a.action, a.amount, a.status])).toEqual([
      [actionId, 'R', 400, 'unknown'],
    ]);
    expect(await reload(auto, trade.id)).toMatchObject({
      status: 'paid',
      refundedAmount: 0,
      pendingActionId: actionId,
    });

    // Not sent again, whatever is asked, until resolved.
    stub.on(DO_ACTION, doActionReply());
    for (const retry of [
      auto.ecpay.refund(trade.merchantTradeNo, 400),
      auto.ecpay.refund(trade.merchantTradeNo),
      auto.ecpay.cancel(trade.merchantTradeNo),
    ]) {
      expect(await outcome(retry)).toBe('outcome-unknown');
    }
    expect(doActionsFor(stub, trade.merchantTradeNo)).toEqual(['R:400']);
    expect((await auto.app.get(EcpayOperationsService).unresolvedActions()).map((a) => a.id)).toContain(actionId);
    expect((await auto.ecpay.listUnresolvedActions()).map((a) => [a.id, a.status])).toContainEqual([
      actionId,
      'unknown',
    ]);

    // The query (back office / CreditDetail) says it went through: applied once, one event.
    const resolved: EcpayOperationResult = await auto.ecpay.resolveAction(actionId, 'succeeded');
    expect(resolved.trade).toMatchObject({ status: 'partially-refunded', refundedAmount: 400, pendingActionId: null });
    expect(await outcome(auto.ecpay.resolveAction(actionId, 'failed'))).toBe('already-resolved');
    await dispatched(auto);
    expect(eventsOf(trade.merchantTradeNo, 'refund.succeeded')).toHaveLength(1);
    expect(doActionsFor(stub, trade.merchantTradeNo)).toEqual(['R:400']);

    // A timed-out call resolved as failed frees the trade without a change.
    stub.on(DO_ACTION, () => 'hang');
    const second = (await auto.ecpay
      .refund(trade.merchantTradeNo, 100, { timeoutMs: 200 })
      .catch((e: unknown) => e)) as EcpayOperationError;
    expect(second.reason).toBe('outcome-unknown');
    await auto.ecpay.resolveAction(second.actionId!, 'failed');
    expect(await reload(auto, trade.id)).toMatchObject({ refundedAmount: 400, pendingActionId: null });
    expect(eventsOf(trade.merchantTradeNo, 'refund.succeeded')).toHaveLength(1);
  });

  it('concurrent refunds: only one passes the "what is left" check; one DoAction, one event', async () => {
    const trade = await paidTrade(auto, clock, taipei('2026-11-20T10:00:00'));
    const attempts = 8;
    const results = await Promise.all(
      Array.from({ length: attempts }, () => outcome(auto.ecpay.refund(trade.merchantTradeNo, 600))),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r !== 'ok').every((r) => r === 'in-progress' || r === 'exceeds-remaining')).toBe(true);
    expect(doActionsFor(stub, trade.merchantTradeNo)).toEqual(['R:600']);
    expect(await reload(auto, trade.id)).toMatchObject({
      status: 'partially-refunded',
      refundedAmount: 600,
      pendingActionId: null,
    });
    await dispatched(auto);
    expect(eventsOf(trade.merchantTradeNo, 'refund.succeeded')).toHaveLength(1);
    const inbox = await auto.dataSource
      .getRepository(EcpayNotification)
      .findBy({ merchantTradeNo: trade.merchantTradeNo, kind: 'operation' });
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({ dispatchStatus: 'done', eventName: 'refund.succeeded' });
  });
});
