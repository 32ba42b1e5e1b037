import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { EcpayTesting } from '../../src/index.js';
import { startStageDemo } from '../support/demo-app.js';

/** One sample of Prometheus' text format, e.g. `name{a="b",c="d"} 3`; 0 when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const line = text
    .split('\n')
    .filter((candidate) => candidate.startsWith(`${name}{`))
    .find((candidate) => Object.entries(labels).every(([key, value]) => candidate.includes(`${key}="${value}"`)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

// The demo shows the operations side: GET /health from terminus with the ECPay indicator, GET /metrics in
// Prometheus' text format from the OpenTelemetry SDK the demo installs.
describe('the demo shop: GET /health and GET /metrics', () => {
  let app: INestApplication;
  const testing = new EcpayTesting({ hashKey: 'pwFHCqoQZGmho4w6', hashIv: 'EkRm7iFT261dpevs' });

  beforeAll(async () => {
    app = await startStageDemo({}, { rawBody: true });
  });
  afterAll(async () => {
    await app?.close();
  });

  const http = () => request(app.getHttpServer());

  it('GET /health reports the ECPay indicator up, with its figures', async () => {
    const response = await http().get('/health').expect(200);
    expect(response.body).toMatchObject({
      status: 'ok',
      details: { ecpay: { status: 'up', database: 'up', breakers: [], parkedEvents: 0 } },
    });
  });

  it('a notification raises the received and applied counts in GET /metrics', async () => {
    const labels = { ecpay_notification_kind: 'aio-return', ecpay_notification_outcome: 'applied' };
    const before = sample(
      (await http().get('/metrics').expect(200)).text,
      'ecpay_notifications_received_total',
      labels,
    );
    const created = await http()
      .post('/api/orders')
      .send({ items: [{ name: '阿里山高山烏龍茶 150g', price: 680, quantity: 1 }], method: 'Credit' })
      .expect(201);
    const trade = { merchantId: '3002607', merchantTradeNo: created.body.merchantTradeNo as string, totalAmount: 680 };
    await http()
      .post('/ecpay/return')
      .type('form')
      .send(testing.form(testing.paymentSucceeded(trade)))
      .expect(200, '1|OK');

    const metrics = await http()
      .get('/metrics')
      .expect(200)
      .expect('Content-Type', /^text\/plain/);
    expect(sample(metrics.text, 'ecpay_notifications_received_total', labels)).toBe(before + 1);
    expect(metrics.text).toMatch(/^# TYPE ecpay_notification_duration\w* histogram$/m);
  });
});
