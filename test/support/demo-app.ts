import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { EcpayTesting } from '../../src/index.js';
import { AppModule } from '../../demo/src/app.module.js';
import { demoSettings, type DemoSettings } from '../../demo/src/demo-settings.js';
import { freePort } from './free-port.js';
import { STAGE_MERCHANT } from './test-module.js';

/** The demo shop against ECPay stage with an in-memory database, initialised but not listening. */
export async function startStageDemo(
  env: NodeJS.ProcessEnv = {},
  { rawBody = false }: { rawBody?: boolean } = {},
): Promise<INestApplication> {
  const settings = demoSettings({
    ECPAY_ENV: 'stage',
    ECPAY_DEMO_DATABASE: 'memory',
    ECPAY_PUBLIC_URL: 'https://shop.example.com',
    ...env,
  });
  const module = await Test.createTestingModule({ imports: [AppModule.register(settings)] }).compile();
  const app = module.createNestApplication({ rawBody, logger: false });
  await app.init();
  return app;
}

/**
 * The demo shop with the embedded sandbox (ECPAY_ENV unset), listening on a free port because the sandbox posts its
 * notifications to the shop's public URL, which must name that port. `adjust` changes the settings a test needs.
 */
export async function listenSandboxDemo(
  adjust: (settings: DemoSettings) => DemoSettings = (settings) => settings,
): Promise<{ app: INestApplication; base: string }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const settings = demoSettings({ PORT: String(port), ECPAY_DEMO_DATABASE: 'memory', ECPAY_PUBLIC_URL: base });
  const module = await Test.createTestingModule({ imports: [AppModule.register(adjust(settings))] }).compile();
  const app = module.createNestApplication({ rawBody: true, logger: false });
  await app.listen(port, '127.0.0.1');
  return { app, base };
}

/** An order placed through POST /api/orders and paid by ECPay's signed ReturnURL notification (stage keys). */
export async function paidStageOrder(app: INestApplication): Promise<string> {
  const created = await request(app.getHttpServer())
    .post('/api/orders')
    .send({ items: [{ name: '阿里山烏龍茶', price: 680, quantity: 1 }] })
    .expect(201);
  const trade = { merchantId: '3002607', merchantTradeNo: created.body.merchantTradeNo as string, totalAmount: 680 };
  const testing = new EcpayTesting(STAGE_MERCHANT);
  await request(app.getHttpServer())
    .post('/ecpay/return')
    .type('form')
    .send(testing.form(testing.paymentSucceeded(trade)))
    .expect(200, '1|OK');
  return trade.merchantTradeNo;
}

/**
 * A page with a CSRF-checked form, as a browser gets it: the CSRF cookie (the one sent, else the one set) and the
 * token its forms carry.
 */
export async function csrfPage(
  app: INestApplication,
  path: string,
  cookie?: string,
): Promise<{ cookie: string; csrf: string; text: string }> {
  const call = request(app.getHttpServer()).get(path);
  if (cookie) call.set('Cookie', cookie);
  const page = await call.expect(200);
  const setCookie = ([] as string[]).concat(page.headers['set-cookie'] ?? [])[0];
  return {
    cookie: cookie ?? setCookie!.split(';')[0]!,
    csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '',
    text: page.text,
  };
}

/** A browser's form post, with the CSRF cookie when one is given. */
export function postBrowserForm(app: INestApplication, path: string, form: Record<string, string>, cookie?: string) {
  const call = request(app.getHttpServer()).post(path);
  if (cookie) call.set('Cookie', cookie);
  return call.type('form').send(form);
}
