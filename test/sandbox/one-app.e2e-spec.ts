import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EcpayService, EcpayTrade } from '../../src/index.js';
import { EcpaySandboxNotifier, EcpaySandboxStore } from '../../src/sandbox/index.js';
import { formById, postForm, absolute } from './support/sandbox-http.js';
import { payByCard } from './support/sandbox-flow.js';
import { startEcpayWithSandbox } from '../support/sandbox-app.js';

// The library and the sandbox in ONE app, as the demo shop runs offline: checkout → the sandbox's page → ReturnURL
// back into the library's callbacks → the trade is paid in the library's database.
describe('EcpayModule + EcpaySandboxModule in one app', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    ({ app, base } = await startEcpayWithSandbox({ ecpay: { orderResultPage: '/orders/done' } }));
  });
  afterAll(() => app.close());

  const tradeRow = (merchantTradeNo: string) =>
    app.get(DataSource).getRepository(EcpayTrade).findOneByOrFail({ merchantTradeNo });

  it('a trade created by createCheckout ends paid after paying on the sandbox page', async () => {
    const checkout = await app.get(EcpayService).createCheckout({
      items: [{ name: 'Oolong tea', price: 295, quantity: 2 }],
      description: 'Tea order',
      payment: { method: 'Credit' },
      orderResultUrl: `${base}/ecpay/order-result`,
    });
    expect(checkout.action).toBe(`${base}/ecpay-sandbox/Cashier/AioCheckOut/V5`);
    expect((await tradeRow(checkout.merchantTradeNo)).status).toBe('pending');

    // The browser submits the library's form to the sandbox and pays.
    const accepted = await postForm(checkout.action, { ...checkout.fields });
    expect(accepted.status).toBe(302);
    const page = absolute(base, accepted.headers.get('location')!);
    expect(page).toMatch(new RegExp(`^${base}/ecpay-sandbox/__sandbox/pay/`));
    const result = await payByCard(page, '4311-9522-2222-2222');

    // The sandbox posted ReturnURL to the library's /ecpay/return, which answered exactly 1|OK at the first post.
    await app.get(EcpaySandboxNotifier).settled();
    const [notification] = app.get(EcpaySandboxStore).trade(checkout.merchantTradeNo)!.notifications;
    expect(notification).toMatchObject({ url: `${base}/ecpay/return`, status: 'delivered' });
    expect(notification!.attempts).toEqual([
      expect.objectContaining({ status: 200, body: '1|OK', acknowledged: true }),
    ]);
    const trade = await tradeRow(checkout.merchantTradeNo);
    expect(trade.status).toBe('paid');

    // The browser's copy goes to the library's OrderResultURL route, which verifies it and sends it to the shop's page.
    const form = formById(result, 'order-result-form');
    const back = await postForm(form.action, form.fields);
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(`/orders/done?merchantTradeNo=${checkout.merchantTradeNo}&rtnCode=1`);
  });
});
