import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TestingModule } from '@nestjs/testing';
import { EcpayService, EcpayTimeoutError, startEcpaySandbox, type EcpaySandboxServer } from '../../src/index.js';
import { compileEcpay, STAGE_MERCHANT } from '../support/test-module.js';
import { payByCard } from '../sandbox/support/sandbox-flow.js';
import { absolute, postForm, waitFor } from '../sandbox/support/sandbox-http.js';

// ECPay slow past the client's timeout: the call fails with a typed error saying the outcome is unknown, it is sent
// once (never retried blindly), and ECPay — which did act on it — holds exactly one action; a query afterwards tells
// the truth. The sandbox plays ECPay, with its delay fault on.
describe('ECPay slow or timing out', () => {
  let sandbox: EcpaySandboxServer;
  let module: TestingModule;
  let ecpay: EcpayService;

  beforeAll(async () => {
    sandbox = await startEcpaySandbox({ merchants: [STAGE_MERCHANT], retrySchedule: [], autoClose: false });
    module = await compileEcpay({ environment: 'sandbox', sandboxUrl: sandbox.url, publicUrl: 'http://127.0.0.1:9' });
    ecpay = module.get(EcpayService);
  });

  afterAll(async () => {
    await module?.close();
    await sandbox?.close();
  });

  async function paidTrade(): Promise<{ merchantTradeNo: string; tradeNo: string }> {
    const checkout = await ecpay.createCheckout({
      items: [{ name: 'Oolong tea', price: 590, quantity: 1 }],
      description: 'Tea order',
      payment: { method: 'Credit' },
    });
    const accepted = await postForm(checkout.action, { ...checkout.fields });
    await payByCard(absolute(checkout.action, accepted.headers.get('location')!), '4311-9522-2222-2222');
    const trade = sandbox.store.trade(checkout.merchantTradeNo)!;
    expect(trade.status).toBe('paid');
    return { merchantTradeNo: checkout.merchantTradeNo, tradeNo: trade.tradeNo };
  }

  it('a DoAction that times out is an EcpayTimeoutError with an unknown outcome, sent once, applied once by ECPay', async () => {
    const trade = await paidTrade();
    sandbox.store.setFaults({ delayMs: 600 });
    const started = Date.now();
    const failure = await ecpay.client
      .doAction({ ...trade, action: 'N', totalAmount: 590 }, { timeoutMs: 150 })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EcpayTimeoutError);
    expect(failure).toMatchObject({ outcomeUnknown: true });
    expect(Date.now() - started).toBeLessThan(600);
    // ECPay finishes what it received: one void, not two.
    await waitFor(() => (sandbox.store.trade(trade.merchantTradeNo)!.credit?.actions.length ?? 0) > 0, 3_000);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(sandbox.store.trade(trade.merchantTradeNo)!.credit!.actions.map((a) => a.action)).toEqual(['N']);
    sandbox.store.setFaults({});
    // The way to learn the outcome is a query, which now answers promptly.
    const info = await ecpay.client.queryTradeInfo({ merchantTradeNo: trade.merchantTradeNo });
    expect(info.merchantTradeNo).toBe(trade.merchantTradeNo);
  }, 20_000);

  it('a query that times out is an EcpayTimeoutError too, and the next query succeeds', async () => {
    const trade = await paidTrade();
    sandbox.store.setFaults({ delayMs: 500 });
    await expect(
      ecpay.client.queryTradeInfo({ merchantTradeNo: trade.merchantTradeNo }, { timeoutMs: 100 }),
    ).rejects.toBeInstanceOf(EcpayTimeoutError);
    sandbox.store.setFaults({});
    await expect(ecpay.client.queryTradeInfo({ merchantTradeNo: trade.merchantTradeNo })).resolves.toMatchObject({
      merchantTradeNo: trade.merchantTradeNo,
    });
  }, 20_000);
});
