import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import {
  computeCheckMacValue,
  EcpayNotification,
  EcpaySandboxNotifier,
  EcpaySandboxStore,
  EcpayService,
  EcpayTesting,
  EcpayTradeStore,
} from '../src/index.js';
import { absolute, formById, postForm } from './sandbox/support/sandbox-http.js';
import { payByCard } from './sandbox/support/sandbox-flow.js';
import { DataSource } from 'typeorm';
import { csrfPage, listenSandboxDemo, paidStageOrder, postBrowserForm, startStageDemo } from './support/demo-app.js';

// The example app imports the package by name, as a user does; here it runs against src/ (jest moduleNameMapper).
describe('demo shop against ECPay stage (ECPAY_ENV=stage)', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await startStageDemo();
  });

  afterAll(async () => {
    await app.close();
  });

  it('serves the shop page', async () => {
    const page = await request(app.getHttpServer())
      .get('/')
      .expect(200)
      .expect('Content-Type', /text\/html/);
    expect(page.text).toContain('<form method="post" action="/checkout" id="cart">');
    expect(page.text).toContain('阿里山高山烏龍茶 150g');
  });

  it("buys through the library's checkout: a signed form for ECPay stage and a stored trade", async () => {
    const page = await request(app.getHttpServer())
      .post('/checkout')
      .type('form')
      .send({ qty_oolong: '2', plan: 'atm' })
      .expect(200);
    const fields = Object.fromEntries(
      [...page.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
        m[1]!,
        m[2]!.replace(/&amp;/g, '&'),
      ]),
    );
    expect(fields).toMatchObject({
      TotalAmount: '1360',
      ChoosePayment: 'ATM',
      ItemName: '阿里山高山烏龍茶 150g x2',
      OrderResultURL: 'https://shop.example.com/ecpay/order-result',
    });
    expect(fields.MerchantTradeDate).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/);
    const { CheckMacValue, ...signed } = fields;
    expect(CheckMacValue).toBe(
      computeCheckMacValue(signed, { hashKey: 'pwFHCqoQZGmho4w6', hashIv: 'EkRm7iFT261dpevs' }),
    );
    expect(page.text).toContain('action="https://payment-stage.ecpay.com.tw/Cashier/AioCheckOut/V5"');
    const trade = await app.get(EcpayTradeStore).findByMerchantTradeNo('3002607', fields.MerchantTradeNo!);
    expect(trade).toMatchObject({ status: 'pending', totalAmount: 1360 });
  });

  it('answers an order that breaks ECPay rules with 400 and the issues', async () => {
    const response = await request(app.getHttpServer())
      .post('/checkout')
      .type('form')
      .send({ qty_oolong: '99', plan: 'cvs' })
      .expect(400);
    expect(response.body.issues).toEqual([expect.objectContaining({ field: 'TotalAmount', rule: 'amount-range' })]);
  });

  it('the demo does not sign parameters for strangers outside the sandbox', async () => {
    const params = { MerchantID: '3002607', MerchantTradeNo: 'Forged0001', RtnCode: '1', TradeAmt: '1810' };
    await request(app.getHttpServer()).post('/api/checkmac').send({ params }).expect(404);
    await request(app.getHttpServer())
      .post('/api/verify')
      .send({ params: { ...params, CheckMacValue: 'A'.repeat(64) } })
      .expect(404);
  });

  it('outside the sandbox without ECPAY_DEMO_ADMIN_TOKEN, no one can refund an order', async () => {
    const merchantTradeNo = await paidStageOrder(app);
    const refund = jest.spyOn(app.get(EcpayService), 'refund').mockResolvedValue(undefined as never);
    try {
      const api = await request(app.getHttpServer()).post(`/api/orders/${merchantTradeNo}/refund`).send({}).expect(403);
      expect(api.body.message).toContain('ECPAY_DEMO_ADMIN_TOKEN');
      const { cookie, csrf } = await refundForm(app, merchantTradeNo);
      await postBrowserForm(
        app,
        `/orders/${merchantTradeNo}/refund`,
        { _csrf: csrf, adminToken: 'guess' },
        cookie,
      ).expect(403);
      expect(refund).not.toHaveBeenCalled();
      expect((await request(app.getHttpServer()).get(`/orders/${merchantTradeNo}`)).text).toContain(
        'id="refund-disabled"',
      );
    } finally {
      refund.mockRestore();
    }
    expect((await request(app.getHttpServer()).get(`/api/orders/${merchantTradeNo}`)).body).toMatchObject({
      status: 'paid',
    });
  });

  describe('JSON orders API (POST /api/orders, GET /api/orders/:merchantTradeNo)', () => {
    const items = [
      { name: '阿里山烏龍茶', price: 680, quantity: 2 },
      { name: 'Pineapple cake', price: 450, quantity: 1 },
    ];

    it('creates an order: signed AioCheckOut fields for the configured environment, and a pending order', async () => {
      const created = await request(app.getHttpServer()).post('/api/orders').send({ items }).expect(201);
      const { merchantTradeNo, action, fields } = created.body as {
        merchantTradeNo: string;
        action: string;
        fields: Record<string, string>;
      };
      expect(action).toBe('https://payment-stage.ecpay.com.tw/Cashier/AioCheckOut/V5');
      expect(fields).toMatchObject({ MerchantTradeNo: merchantTradeNo, TotalAmount: '1810', ChoosePayment: 'Credit' });
      const { CheckMacValue, ...signed } = fields;
      expect(CheckMacValue).toBe(
        computeCheckMacValue(signed, { hashKey: 'pwFHCqoQZGmho4w6', hashIv: 'EkRm7iFT261dpevs' }),
      );
      const order = await request(app.getHttpServer()).get(`/api/orders/${merchantTradeNo}`).expect(200);
      expect(order.body).toMatchObject({ merchantTradeNo, status: 'pending', totalAmount: 1810, notifications: [] });
    });

    it("shows the order paid once ECPay's signed ReturnURL notification arrives, with where the notification stands", async () => {
      const created = await request(app.getHttpServer())
        .post('/api/orders')
        .send({ items, method: 'Credit' })
        .expect(201);
      const trade = {
        merchantId: '3002607',
        merchantTradeNo: created.body.merchantTradeNo as string,
        totalAmount: 1810,
      };
      const testing = new EcpayTesting({ hashKey: 'pwFHCqoQZGmho4w6', hashIv: 'EkRm7iFT261dpevs' });
      await request(app.getHttpServer())
        .post('/ecpay/return')
        .type('form')
        .send(testing.form(testing.paymentSucceeded(trade)))
        .expect(200, '1|OK');
      const order = await request(app.getHttpServer()).get(`/api/orders/${trade.merchantTradeNo}`).expect(200);
      expect(order.body).toMatchObject({
        status: 'paid',
        paymentType: 'Credit_CreditCard',
        notifications: [{ kind: 'aio-return', outcome: 'applied', event: 'payment.succeeded' }],
      });
    });

    it('answers a malformed order with 400 and one issue per field (before any checkout runs)', async () => {
      const response = await request(app.getHttpServer())
        .post('/api/orders')
        .send({ items: [{ name: '', price: 1.5, quantity: 0 }], method: 'Bitcoin', extra: 1 })
        .expect(400);
      const fields = (response.body.issues as { field: string }[]).map((issue) => issue.field);
      expect(fields).toEqual(
        expect.arrayContaining(['items[0].name', 'items[0].price', 'items[0].quantity', 'method', 'extra']),
      );
      await request(app.getHttpServer()).post('/api/orders').send({ items: [] }).expect(400);
      await request(app.getHttpServer()).post('/api/orders').send({}).expect(400);
    });

    it('answers an order that breaks an ECPay rule with 400 naming the ECPay field', async () => {
      const response = await request(app.getHttpServer())
        .post('/api/orders')
        .send({ items: [{ name: 'Too much for a convenience store', price: 30_000, quantity: 1 }], method: 'CVS' })
        .expect(400);
      expect(response.body.issues).toEqual([expect.objectContaining({ field: 'TotalAmount', rule: 'amount-range' })]);
    });

    it('answers 404 for an order it does not have', async () => {
      await request(app.getHttpServer()).get('/api/orders/NOSUCHORDER123').expect(404);
    });
  });
});

/** The order page as a browser gets it: its CSRF cookie and the token its refund form carries. */
function refundForm(app: INestApplication, merchantTradeNo: string, cookie?: string) {
  return csrfPage(app, `/orders/${merchantTradeNo}`, cookie);
}

describe('demo shop against ECPay stage with ECPAY_DEMO_ADMIN_TOKEN', () => {
  const TOKEN = 'demo-admin-7Qx2-vH9';
  let app: INestApplication;
  let refund: ReturnType<typeof jest.spyOn>;

  beforeAll(async () => {
    app = await startStageDemo({ ECPAY_DEMO_ADMIN_TOKEN: TOKEN });
  });
  afterAll(() => app.close());
  // ECPay stage cannot refund a payment it never took: the library's refund is replaced, and counted.
  beforeEach(() => {
    refund = jest.spyOn(app.get(EcpayService), 'refund').mockResolvedValue(undefined as never);
  });
  afterEach(() => refund.mockRestore());

  it('outside the sandbox, a refund over the API needs the admin token, compared exactly', async () => {
    const merchantTradeNo = await paidStageOrder(app);
    const path = `/api/orders/${merchantTradeNo}/refund`;
    await request(app.getHttpServer()).post(path).send({}).expect(401);
    for (const wrong of ['wrong', `${TOKEN}x`, TOKEN.slice(0, -1), TOKEN.toUpperCase()]) {
      await request(app.getHttpServer()).post(path).set('Authorization', `Bearer ${wrong}`).send({}).expect(401);
    }
    expect(refund).not.toHaveBeenCalled();
    await request(app.getHttpServer()).post(path).set('Authorization', `Bearer ${TOKEN}`).send({}).expect(200);
    expect(refund).toHaveBeenCalledWith(merchantTradeNo, undefined);
  });

  it("the refund form needs this browser's CSRF token and the admin token", async () => {
    const merchantTradeNo = await paidStageOrder(app);
    const path = `/orders/${merchantTradeNo}/refund`;
    const { cookie, csrf, text: page } = await refundForm(app, merchantTradeNo);
    expect(page).toContain('name="adminToken"');
    expect(cookie).toMatch(/^demo_csrf=[\w-]{43}$/);
    const other = await refundForm(app, merchantTradeNo, 'demo_csrf=' + 'B'.repeat(43));
    // No token, another browser's token, a token without its cookie: refused before anything else is looked at.
    await postBrowserForm(app, path, { adminToken: TOKEN }, cookie).expect(403);
    await postBrowserForm(app, path, { _csrf: other.csrf, adminToken: TOKEN }, cookie).expect(403);
    await postBrowserForm(app, path, { _csrf: csrf, adminToken: TOKEN }).expect(403);
    await postBrowserForm(app, path, { _csrf: csrf, adminToken: 'wrong' }, cookie).expect(401);
    expect(refund).not.toHaveBeenCalled();
    const done = await postBrowserForm(app, path, { _csrf: csrf, adminToken: TOKEN }, cookie).expect(303);
    expect(done.headers.location).toBe(`/orders/${merchantTradeNo}?refund=done`);
    expect(refund).toHaveBeenCalledTimes(1);
  });
});

/** `date`, moved 40 minutes back when it falls near ECPay's daily 20:15–20:30 (Asia/Taipei) close. */
function outsideTheCloseWindow(date: Date): Date {
  const taipei = new Date(date.getTime() + 8 * 3_600_000);
  const minutes = taipei.getUTCHours() * 60 + taipei.getUTCMinutes();
  return minutes >= 20 * 60 + 10 && minutes <= 20 * 60 + 35 ? new Date(date.getTime() - 40 * 60_000) : date;
}

// The README's first command: the shop with the local sandbox mounted in the same app (ECPAY_ENV unset).
describe('demo shop with the embedded sandbox (the default)', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    ({ app, base } = await listenSandboxDemo((settings) => {
      expect(settings.sandbox).toBe(true);
      // ECPay refuses DoAction during its 20:15–20:30 (Asia/Taipei) close, and so does the library: keep the refund
      // test out of that window whenever the suite runs.
      const clock = { now: () => outsideTheCloseWindow(new Date()) };
      return { ...settings, ecpay: { ...settings.ecpay, clock } };
    }));
  });

  afterAll(async () => {
    await app.close();
  });

  /** A script's whole purchase: POST /api/orders, the browser's form post to the sandbox, paying with a card. */
  async function buy(cardNo = '4311-9522-2222-2222'): Promise<string> {
    const created = await fetch(`${base}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ name: '阿里山高山烏龍茶 150g', price: 680, quantity: 1 }] }),
    });
    expect(created.status).toBe(201);
    const { merchantTradeNo, action, fields } = (await created.json()) as {
      merchantTradeNo: string;
      action: string;
      fields: Record<string, string>;
    };
    expect(action).toBe(`${base}/ecpay-sandbox/Cashier/AioCheckOut/V5`);
    const accepted = await postForm(action, fields);
    expect(accepted.status).toBe(302);
    await payByCard(absolute(action, accepted.headers.get('location')!), cardNo);
    await app.get(EcpaySandboxNotifier).settled();
    return merchantTradeNo;
  }

  const order = async (merchantTradeNo: string) =>
    (await (await fetch(`${base}/api/orders/${merchantTradeNo}`)).json()) as Record<string, unknown> & {
      notifications: Record<string, unknown>[];
    };

  it('serves the shop page saying where payments go', async () => {
    const page = await (await fetch(base)).text();
    expect(page).toContain('the local ECPay sandbox mounted in this app');
  });

  it('POST /api/orders → pay on the sandbox page → GET /api/orders/:no shows paid', async () => {
    const merchantTradeNo = await buy();
    expect(await order(merchantTradeNo)).toMatchObject({
      status: 'paid',
      totalAmount: 680,
      notifications: [{ kind: 'aio-return', outcome: 'applied', event: 'payment.succeeded' }],
    });
    const page = await (await fetch(`${base}/orders`)).text();
    expect(page).toContain(`id="order-${merchantTradeNo}"`);
  });

  it('a declined card leaves the order unpaid, with the failure recorded', async () => {
    const merchantTradeNo = await buy('4000-0000-0000-0002');
    expect(await order(merchantTradeNo)).toMatchObject({
      status: 'failed',
      notifications: [{ outcome: 'applied', event: 'payment.failed' }],
    });
  });

  it("refunds a paid order through the library's DoAction recipe, once", async () => {
    const merchantTradeNo = await buy();
    const refund = await fetch(`${base}/api/orders/${merchantTradeNo}/refund`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(refund.status).toBe(200);
    expect(await refund.json()).toMatchObject({ merchantTradeNo, status: 'refunded' });
    // With auto-close (the library's and the sandbox's default) a same-day payment waits for its close: E, then N.
    expect(
      app
        .get(EcpaySandboxStore)
        .trade(merchantTradeNo)!
        .credit!.actions.map((a) => a.action),
    ).toEqual(['E', 'N']);
    const again = await fetch(`${base}/api/orders/${merchantTradeNo}/refund`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(again.status).toBe(400);
    const bad = await fetch(`${base}/api/orders/${merchantTradeNo}/refund`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"amount":1.5}',
    });
    expect(((await bad.json()) as { issues: { field: string }[] }).issues[0]!.field).toBe('amount');
  });

  it('signs and verifies over JSON on the local sandbox (debugging), and rejects bad input with 400', async () => {
    const json = (path: string, body: unknown) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const params = { MerchantID: '3002607', ItemName: "Tom's Shop", TotalAmount: '100' };
    const signed = await json('/api/checkmac', { params });
    expect(signed.status).toBe(200);
    expect(await signed.json()).toEqual({
      CheckMacValue: 'CF0A3D4901D99459D8641516EC57210700E8A5C9AB26B1D021301E9CB93EF78D',
    });
    const valid = await json('/api/verify', {
      params: { ...params, CheckMacValue: 'CF0A3D4901D99459D8641516EC57210700E8A5C9AB26B1D021301E9CB93EF78D' },
    });
    expect(await valid.json()).toEqual({ valid: true });
    const tampered = await json('/api/verify', {
      params: {
        ...params,
        TotalAmount: '1',
        CheckMacValue: 'CF0A3D4901D99459D8641516EC57210700E8A5C9AB26B1D021301E9CB93EF78D',
      },
    });
    expect(await tampered.json()).toEqual({ valid: false });
    const bad = await json('/api/checkmac', { params: { MerchantID: '3002607', Items: [1] } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain(
      '"Items" must be a string or a finite number',
    );
    expect((await json('/api/checkmac', { params: 'x' })).status).toBe(400);
  });

  it('the refund form is refused without its CSRF token, and a plain form post cannot reach the JSON refund', async () => {
    const merchantTradeNo = await buy();
    // What another site can make a visitor's browser send: a form post, without the page's token.
    const forged = await postForm(`${base}/orders/${merchantTradeNo}/refund`, {});
    expect(forged.status).toBe(403);
    expect((await postForm(`${base}/api/orders/${merchantTradeNo}/refund`, {})).status).toBe(415);
    expect(await order(merchantTradeNo)).toMatchObject({ status: 'paid' });
    // The shop's own page: its cookie and token.
    const page = await fetch(`${base}/orders/${merchantTradeNo}`);
    const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    const refunded = await fetch(`${base}/orders/${merchantTradeNo}/refund`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ _csrf: csrf }).toString(),
    });
    expect(refunded.status).toBe(303);
    expect(refunded.headers.get('location')).toBe(`/orders/${merchantTradeNo}?refund=done`);
    expect(await order(merchantTradeNo)).toMatchObject({ status: 'refunded' });
  });

  it("saves a card on ECPay's form (the sandbox's) and pays with it without a card form", async () => {
    // "Save a card" → ECPay's card form, which hands the BindCardPayToken back to the shop's /cards/complete.
    const start = await postForm(`${base}/cards/bind`, {});
    expect(start.status).toBe(303);
    const formUrl = start.headers.get('location')!;
    expect(formUrl).toMatch(new RegExp(`^${base}/ecpay-sandbox/__sandbox/bind/[0-9a-f]+\\?return=`));
    const page = await (await fetch(formUrl)).text();
    const cardForm = formById(page, 'bind-card-form');
    const otp = await postForm(absolute(formUrl, cardForm.action), {
      CardNo: '4311-9522-2222-2222',
      CardValidMM: '12',
      CardValidYY: '39',
      CardCVV2: '222',
    });
    const otpPage = await (await fetch(absolute(formUrl, otp.headers.get('location')!))).text();
    const verified = await postForm(absolute(formUrl, formById(otpPage, 'otp-form').action), {
      otp: '1234',
      action: 'confirm',
    });
    const handBack = formById(
      await (await fetch(absolute(formUrl, verified.headers.get('location')!))).text(),
      'bind-return-form',
    );
    expect(handBack.action).toBe(`${base}/cards/complete`);
    const completed = await postForm(handBack.action, handBack.fields);
    expect(completed.headers.get('location')).toBe('/?card=bound');
    const shop = await (await fetch(`${base}/?card=bound`)).text();
    expect(shop).toContain('Your card is saved.');
    const bindCardId = /value="saved-card:([0-9a-f]{64})"/.exec(shop)?.[1];
    expect(bindCardId).toBeDefined();

    // Checkout with the saved card: charged server to server, the order paid at once.
    const bought = await postForm(`${base}/checkout`, { qty_pineapple: '2', plan: `saved-card:${bindCardId}` });
    const orderLink = /url=\/orders\/([0-9A-Za-z]+)"/.exec(await bought.text())?.[1];
    await app.get(EcpaySandboxNotifier).settled();
    expect(await order(orderLink!)).toMatchObject({ status: 'paid', totalAmount: 900 });
  });

  it('with the sandbox posting every notification twice, the order is still paid exactly once', async () => {
    const store = app.get(EcpaySandboxStore);
    store.setFaults({ duplicateNotifications: true });
    try {
      const merchantTradeNo = await buy();
      const seen = await order(merchantTradeNo);
      expect(seen).toMatchObject({ status: 'paid' });
      expect(seen.notifications).toHaveLength(1);
      const posts = store.trade(merchantTradeNo)!.notifications.flatMap((n) => n.attempts);
      expect(posts.length).toBeGreaterThanOrEqual(2);
      expect(await app.get(DataSource).getRepository(EcpayNotification).countBy({ merchantTradeNo })).toBe(1);
    } finally {
      store.setFaults({});
    }
  });
});
