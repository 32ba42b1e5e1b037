import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EcpayNotification, EcpayService } from '../src/index.js';
import { DemoCsrf } from '../demo/src/security/demo-csrf.js';
import { csrfPage, paidStageOrder, postBrowserForm, startStageDemo } from './support/demo-app.js';

// The operations page outside the sandbox: re-driving re-runs the shop's handlers, so like a refund it is an
// administrator's action (CSRF-checked, ECPAY_DEMO_ADMIN_TOKEN), and the switch that breaks the handler is absent.
const TOKEN = 'ops-admin-7c1f0d9e2b';

/** A paid order whose event the dispatcher gave up on: what the parked list shows. */
async function parkedEvent(app: INestApplication): Promise<string> {
  const merchantTradeNo = await paidStageOrder(app);
  const inbox = app.get(DataSource).getRepository(EcpayNotification);
  const row = await inbox.findOneByOrFail({ merchantTradeNo });
  await inbox.update({ id: row.id }, { dispatchStatus: 'failed', attempts: 8, lastError: 'Shop.ship: down' });
  return row.id;
}

/** The operations page as a browser gets it: its CSRF cookie and the token its forms carry. */
const opsPage = (app: INestApplication) => csrfPage(app, '/ops');

describe('demo operations page against ECPay stage with ECPAY_DEMO_ADMIN_TOKEN', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await startStageDemo({ ECPAY_DEMO_ADMIN_TOKEN: TOKEN });
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
      await postBrowserForm(app, path, { adminToken: TOKEN }).expect(403);
      await postBrowserForm(app, path, { _csrf: csrf }, cookie).expect(401);
      await postBrowserForm(app, path, { _csrf: csrf, adminToken: 'guess' }, cookie).expect(401);
      expect(redrive).not.toHaveBeenCalled();
      const done = await postBrowserForm(app, path, { _csrf: csrf, adminToken: TOKEN }, cookie).expect(303);
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
    await postBrowserForm(app, '/ops/handler-failure', { _csrf: csrf, fail: 'on' }, cookie).expect(404);
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
    const refused = await postBrowserForm(
      app,
      `/ops/events/${id}/redrive`,
      { _csrf: csrf, adminToken: 'guess' },
      cookie,
    ).expect(403);
    expect(refused.body.message).toContain('ECPAY_DEMO_ADMIN_TOKEN');
    expect(await app.get(EcpayService).getEvent(id)).toMatchObject({ dispatchStatus: 'failed' });
  });
});
