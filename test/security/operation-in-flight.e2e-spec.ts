import 'reflect-metadata';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { EcpayOperationsService, EcpayValidationError } from '../../src/index.js';
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
  paidTrade,
  startApp,
  taipei,
  TestClock,
  type OperationsApp,
} from '../operations/support/operations-app.js';

const targets = await testDatabaseTargets();

// resolveAction refuses to settle a `pending` action while its call may still be in flight. That window must cover
// every call an operation can make: a call allowed to wait longer than the window could be resolved away, and a
// second refund sent, while the first is still on its way to ECPay.
describeEachDatabase(targets, 'an action in flight', (kind) => {
  let database: TestDatabase;
  let stub: EcpayStub;
  let app: OperationsApp;
  const clock = new TestClock(taipei('2026-11-22T12:00:00').getTime());

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    stub = await EcpayStub.start();
    app = await startApp(database, stub, clock);
  });
  afterAll(async () => {
    await app?.app.close();
    await stub?.close();
    await database?.drop();
  });

  it('a refund still in flight can never be resolved away, so no second refund is sent beside it', async () => {
    const trade = await paidTrade(app, clock, taipei('2026-11-20T10:00:00'));
    const no = trade.merchantTradeNo;
    stub.on(DO_ACTION, () => 'hang');
    // A caller allows ECPay two minutes for the refund.
    let settled = false;
    const first = app.ecpay.refund(no, 100, { timeoutMs: 120_000 }).then(
      (result) => ((settled = true), result),
      (error: unknown) => ((settled = true), error),
    );
    for (let i = 0; i < 100 && !settled && doActionsFor(stub, no).length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));

    // 61 s later the call is still waiting for ECPay; someone tries to free the trade and refund again.
    clock.advance(61_000);
    const operations = app.app.get(EcpayOperationsService);
    for (const action of (await operations.unresolvedActions()).filter((action) => action.merchantTradeNo === no)) {
      await expect(app.ecpay.resolveAction(action.id, 'failed')).rejects.toMatchObject({ reason: 'in-progress' });
    }
    stub.on(DO_ACTION, doActionReply());
    await app.ecpay.refund(no, 100).catch(() => undefined);
    expect(doActionsFor(stub, no)).toHaveLength(1);
    // The two-minute call is refused up front, naming the option: nothing was sent for it.
    expect(
      await Promise.race([first, new Promise((resolve) => setTimeout(() => resolve('still in flight'), 50))]),
    ).toBeInstanceOf(EcpayValidationError);
  });
});
