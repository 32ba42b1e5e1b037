import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { EcpayNotification, EcpayService, EcpayTesting } from '../src/index.js';
import { AppModule } from '../demo/src/app.module.js';
import { demoSettings } from '../demo/src/demo-settings.js';
import { DemoCsrf } from '../demo/src/security/demo-csrf.js';

// The operations page outside the sandbox: re-driving re-runs the shop's handlers, so like a refund it is an
// administrator's action (CSRF-checked, ECPAY_DEMO_ADMIN_TOKEN), and the switch that breaks the handler is absent.
const TOKEN = 'ops-admin-7c1f0d9e2b';

async function startStageDemo(adminToken?: string): Promise<INestApplication> {
  const settings = demoSettings({
    ECPAY_ENV: 'stage',
    ECPAY_DEMO_DATABASE: 'memory',
    ECPAY_PUBLIC_URL: 'https://shop.example.com',
    ...(adminToken ? { ECPAY_DEMO_ADMIN_TOKEN: adminToken } : {}),
  });
  const module = await Test.createTestingModule({ imports: [AppModule.register(settings)] }).compile();
  const app = module.createNestApplication({ logger: false });
  await app.init();
  return app;
}

/** A paid order whose event the dispatcher gave up on: what the parked list shows. */
async function parkedEvent(app: INestApplication): Promise<string> {
  const created = await request(app.getHttpServer())
    .post('/api/orders')
    .send({ items: [{ name: '阿里山烏龍茶', price: 680, quantity: 1 }] })
    .expect(201);
  const trade = { merchantId: '3002607', merchantTradeNo: created.body.merchantTradeNo as string, totalAmount: 680 };
  const testing = new EcpayTesting({ hashKey: 'pwFHCqoQZGmho4w6', hashIv: 'EkRm7iFT261dpevs' });
  await request(app.getHttpServer())
    .post('/ecpay/return')
    .type('form')
    .send(testing.form(testing.paymentSucceeded(trade)))
    .expect(200, '1|OK');
  const inbox = app.get(DataSource).getRepository(EcpayNotification);
  const row = await inbox.findOneByOrFail({ merchantTradeNo: trade.merchantTradeNo });
  await inbox.update({ id: row.id }, { dispatchStatus: 'failed', attempts: 8, lastError: 'Shop.ship: down' });
  return row.id;
}

/** The page as a browser gets it: its CSRF cookie and the token its forms carry. */
async function opsPage(app: INestApplication): Promise<{ cookie: string; csrf: string; text: string }> {
  const page = await request(app.getHttpServer()).get('/ops').expect(200);
  const setCookie = ([] as string[]).concat(page.headers['set-cookie'] ?? [])[0]!;
  return {
    cookie: setCookie.split(';')[0]!,
    csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '',
    text: page.text,
  };
}

describe('demo operations page against ECPay stage with ECPAY_DEMO_ADMIN_TOKEN', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await startStageDemo(TOKEN);
  });
  afterAll(() => app.close());

  it('lists the parked event; re-driving it needs the CSRF token and the admin token', async () => {
    const id = await parkedEvent(app);
    const { cookie, csrf, text } = await opsPage(app);
    expect(text).toContain(`id="event-${id}"`);
    expect(text).toContain('Shop.ship: down');
    expect(text).toContain('name="adminToken"');
    const redrive = jest.spyOn(app.get(EcpayService), 'redriveNotification');
    const path = `/ops/events/${id}/redrive`;
    try {
      await request(app.getHttpServer()).post(path).type('form').send({ adminToken: TOKEN }).expect(403);
      await request(app.getHttpServer())
        .post(path)
        .set('Cookie', cookie)
        .type('form')
        .send({ _csrf: csrf })
        .expect(401);
      await request(app.getHttpServer())
        .post(path)
        .set('Cookie', cookie)
        .type('form')
        .send({ _csrf: csrf, adminToken: 'guess' })
        .expect(401);
      expect(redrive).not.toHaveBeenCalled();
      const done = await request(app.getHttpServer())
        .post(path)
        .set('Cookie', cookie)
        .type('form')
        .send({ _csrf: csrf, adminToken: TOKEN })
        .expect(303);
      expect(done.headers.location).toBe(`/ops?redriven=${id}`);
      expect(redrive).toHaveBeenCalledWith(id);
    } finally {
      redrive.mockRestore();
    }
    expect(await app.get(EcpayService).getEvent(id)).toMatchObject({ dispatchStatus: 'done' });
  });

  it('has no switch that breaks the payment handler', async () => {
    const { cookie, csrf, text } = await opsPage(app);
    expect(text).not.toContain('handler-switch');
    await request(app.getHttpServer())
      .post('/ops/handler-failure')
      .set('Cookie', cookie)
      .type('form')
      .send({ _csrf: csrf, fail: 'on' })
      .expect(404);
  });
});

describe('demo operations page against ECPay stage without ECPAY_DEMO_ADMIN_TOKEN', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await startStageDemo();
  });
  afterAll(() => app.close());

  it('offers no re-drive, and refuses one', async () => {
    const id = await parkedEvent(app);
    const { cookie, text } = await opsPage(app);
    expect(text).toContain('re-drive needs ECPAY_DEMO_ADMIN_TOKEN');
    expect(text).not.toContain('class="redrive"');
    // The page has no form to take a token from; a valid one for this browser proves the admin check refuses.
    const csrf = app.get(DemoCsrf).tokenFor({ headers: { cookie } }, { append: () => undefined });
    const refused = await request(app.getHttpServer())
      .post(`/ops/events/${id}/redrive`)
      .set('Cookie', cookie)
      .type('form')
      .send({ _csrf: csrf, adminToken: 'guess' })
      .expect(403);
    expect(refused.body.message).toContain('ECPAY_DEMO_ADMIN_TOKEN');
    expect(await app.get(EcpayService).getEvent(id)).toMatchObject({ dispatchStatus: 'failed' });
  });
});
