import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startEcpaySandbox, type EcpaySandboxServer } from '../../src/sandbox/index.js';
import { checkout, order, payByCard } from './support/sandbox-flow.js';
import { parseKeyValues, postForm, Receiver, signed } from './support/sandbox-http.js';

// Faults: set at forRoot, at runtime through POST /__sandbox/faults, and through the store API.
describe('sandbox faults', () => {
  let sandbox: EcpaySandboxServer;
  const shop = new Receiver();

  beforeAll(async () => {
    await shop.start();
    // Rate-limited from the start, as configured in forRoot.
    sandbox = await startEcpaySandbox({ retrySchedule: [20], faults: { rateLimit: true } });
  });
  afterAll(async () => {
    await sandbox.close();
    await shop.close();
  });
  afterEach(async () => {
    await sandbox.notifier.settled();
    sandbox.store.clearFaults();
    shop.received.length = 0;
  });

  const query = (no = 'SbxFault0') =>
    postForm(
      `${sandbox.url}/Cashier/QueryTradeInfo/V5`,
      signed({ MerchantID: '3002607', MerchantTradeNo: no, TimeStamp: String(Math.floor(Date.now() / 1000)) }),
    );
  const setFaults = (body: Record<string, unknown>, asForm = false) =>
    fetch(
      `${sandbox.url}/__sandbox/faults`,
      asForm
        ? { method: 'POST', body: new URLSearchParams(body as Record<string, string>) }
        : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) },
    );
  const pay = async (no: string) =>
    payByCard(await checkout(sandbox.url, order(no, `${shop.url}/ecpay/return`)), '4311952222222222');

  it('rateLimit (from forRoot): the server APIs answer a bare 403, creating orders still works', async () => {
    const response = await query();
    expect(response.status).toBe(403);
    expect(await response.text()).toBe('Forbidden');
    expect((await postForm(`${sandbox.url}/CreditDetail/DoAction`, {})).status).toBe(403);
    expect((await postForm(`${sandbox.url}/Cashier/QueryCreditCardPeriodInfo`, {})).status).toBe(403);
    await checkout(sandbox.url, order('SbxFault1', `${shop.url}/ecpay/return`));
    // Cleared at runtime, the same request is answered.
    expect(await (await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'DELETE' })).json()).toEqual({});
    expect(parseKeyValues(await (await query('SbxFault1')).text()).TradeStatus).toBe('0');
  });

  it('serverError (runtime, JSON): the server APIs answer 500', async () => {
    // afterEach cleared the forRoot rate limit: only the new fault is in force.
    expect(await (await setFaults({ serverError: true })).json()).toEqual({ serverError: true });
    expect((await query()).status).toBe(500);
    expect((await postForm(`${sandbox.url}/Cashier/CreditCardPeriodAction`, {})).status).toBe(500);
  });

  it('delayMs (store API): the server APIs answer late', async () => {
    sandbox.store.setFaults({ delayMs: 300 });
    const started = Date.now();
    const response = await query();
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(response.status).toBe(200);
  });

  it('dropNotifications (runtime, form): the next N notifications are never sent, the ones after are', async () => {
    expect((await setFaults({ dropNotifications: '1' }, true)).status).toBe(200);
    await pay('SbxDrop1');
    await pay('SbxDrop2');
    await sandbox.notifier.settled();
    expect(shop.received.map((post) => post.fields.MerchantTradeNo)).toEqual(['SbxDrop2']);
    expect(sandbox.store.trade('SbxDrop1')!.notifications[0]).toMatchObject({ status: 'dropped', attempts: [] });
    expect(sandbox.store.faults().dropNotifications).toBe(0);
    const control = (await (await fetch(`${sandbox.url}/__sandbox/trades/SbxDrop1`)).json()) as {
      notifications: { status: string }[];
    };
    expect(control.notifications[0]!.status).toBe('dropped');
  });

  it('duplicateNotifications: every post is sent twice, both recorded', async () => {
    sandbox.store.setFaults({ duplicateNotifications: true });
    await pay('SbxDup1');
    await sandbox.notifier.settled();
    const posts = shop.on('/ecpay/return');
    expect(posts).toHaveLength(2);
    expect(posts[1]!.fields).toEqual(posts[0]!.fields);
    const attempts = sandbox.store.trade('SbxDup1')!.notifications[0]!.attempts;
    expect(attempts.map((a) => [a.attempt, a.duplicate ?? false, a.acknowledged])).toEqual([
      [1, false, true],
      [1, true, true],
    ]);
  });

  it('refuses unusable faults with 400, at runtime and in forRoot', async () => {
    const response = await setFaults({ delayMs: -1 });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'faults delayMs must be a non-negative integer' });
    expect((await setFaults({ explode: true })).status).toBe(400);
    await expect(startEcpaySandbox({ faults: { dropNotifications: 1.5 } })).rejects.toThrow(
      /sandbox\.faults: dropNotifications must be a non-negative integer/,
    );
    await expect(
      startEcpaySandbox({
        merchants: [{ merchantId: '3002607', hashKey: 'short', hashIv: 'EkRm7iFT261dpevs' }],
        prefix: 'a b',
      }),
    ).rejects.toThrow(/sandbox\.merchants\[0\]\.hashKey: must be exactly 16 characters[\s\S]*sandbox\.prefix/);
  });
});
