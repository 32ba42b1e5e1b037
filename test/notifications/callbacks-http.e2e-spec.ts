import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createHash } from 'node:crypto';
import { Injectable, Logger, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  EcpayModule,
  EcpayNotification,
  EcpayNotificationDispatcher,
  EcpayNotificationService,
  EcpayService,
  EcpayTesting,
  EcpayTrade,
  OnEcpayEvent,
  type EcpayEvent,
  type EcpayModuleOptions,
} from '../../src/index.js';
import { STAGE_MERCHANT, testDatabase } from '../support/test-module.js';

const events: EcpayEvent[] = [];

@Injectable()
class OrdersListener {
  @OnEcpayEvent('*')
  on(event: EcpayEvent): void {
    events.push(event);
  }
}

@Module({ providers: [OrdersListener] })
class ShopModule {}

/**
 * An independent CheckMacValue (docs/protocol.md §1.1, §2.1), written from the spec, not from the library: if both
 * agree and the app accepts both, the app verifies what ECPay signs, not what the library happens to produce.
 */
function independentlySigned(fields: Record<string, string>): Record<string, string> {
  const keys = Object.keys(fields).sort((a, b) =>
    a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0,
  );
  const raw = `HashKey=${STAGE_MERCHANT.hashKey}&${keys.map((k) => `${k}=${fields[k]}`).join('&')}&HashIV=${STAGE_MERCHANT.hashIv}`;
  const encoded = encodeURIComponent(raw).replace(/%20/g, '+').replace(/'/g, '%27').replace(/~/g, '%7e').toLowerCase();
  return { ...fields, CheckMacValue: createHash('sha256').update(encoded).digest('hex').toUpperCase() };
}

async function startApp(
  options: Partial<EcpayModuleOptions> = {},
  extras: Record<string, unknown> = {},
): Promise<INestApplication> {
  const module = await Test.createTestingModule({
    imports: [
      testDatabase(),
      EcpayModule.forRoot({
        environment: 'stage',
        ...STAGE_MERCHANT,
        publicUrl: 'https://shop.example.com',
        orderResultPage: '/orders/done',
        dispatch: { pollIntervalMs: 0 },
        ...options,
        ...extras,
      } as EcpayModuleOptions),
      ShopModule,
    ],
  }).compile();
  const app = module.createNestApplication({ rawBody: true, logger: false });
  await app.init();
  return app;
}

describe('ECPay callbacks over HTTP', () => {
  let app: INestApplication;
  const testing = new EcpayTesting(STAGE_MERCHANT);

  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(() => app.close());
  beforeEach(() => {
    events.length = 0;
  });

  const http = () => request(app.getHttpServer());
  const newTrade = async (method: 'Credit' | 'ATM' = 'Credit', periodic = false) => {
    const checkout = await app.get(EcpayService).createCheckout({
      items: [{ name: 'Oolong tea', price: 295, quantity: 2 }],
      description: 'Tea order',
      payment:
        method === 'ATM'
          ? { method }
          : periodic
            ? { method, periodic: { periodType: 'M', frequency: 1, execTimes: 12 } }
            : { method },
    });
    return {
      merchantId: '3002607',
      merchantTradeNo: checkout.merchantTradeNo,
      totalAmount: 590,
      id: checkout.trade.id,
    };
  };
  const tradeRow = (id: string) => app.get(DataSource).getRepository(EcpayTrade).findOneByOrFail({ id });
  const post = (path: string, fields: Record<string, string>) =>
    http().post(path).type('form').send(testing.form(fields));
  const dispatched = () => app.get(EcpayNotificationDispatcher).kick();

  it('answers a valid payment with exactly 1|OK after storing it, and the handler runs once', async () => {
    const trade = await newTrade();
    const response = await post('/ecpay/return', testing.paymentSucceeded(trade)).expect(200);
    expect(response.text).toBe('1|OK');
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect((await tradeRow(trade.id)).status).toBe('paid');
    await dispatched();
    const delivered = events.filter((event) => event.merchantTradeNo === trade.merchantTradeNo);
    expect(delivered.map((event) => event.name)).toEqual(['payment.succeeded']);
    // Handlers get the fields the DTO validated, normalised: numbers, booleans, Asia/Taipei dates.
    expect(delivered[0]!.data).toMatchObject({
      kind: 'aio-return',
      outcome: 'applied',
      RtnCode: 1,
      TradeAmt: 590,
      SimulatePaid: false,
      succeeded: true,
    });
    expect((delivered[0]!.data as { PaymentDate: unknown }).PaymentDate).toBeInstanceOf(Date);
  });

  it('accepts a body signed by an independent implementation of the spec', async () => {
    const trade = await newTrade();
    const { CheckMacValue: _library, ...unsigned } = testing.paymentSucceeded(trade);
    const signed = independentlySigned(unsigned);
    expect(signed.CheckMacValue).toBe(_library);
    await post('/ecpay/return', signed).expect(200, '1|OK');
  });

  it('refuses every tampered field with 400 0|CheckMacValue invalid and changes nothing', async () => {
    const trade = await newTrade();
    const body = testing.paymentSucceeded(trade);
    for (const field of Object.keys(body).filter((name) => name !== 'CheckMacValue')) {
      const tampered = { ...body, [field]: `${body[field]}9` };
      const response = await post('/ecpay/return', tampered).expect(400);
      expect(response.text).toBe('0|CheckMacValue invalid');
    }
    expect((await tradeRow(trade.id)).status).toBe('pending');
    expect(
      await app.get(DataSource).getRepository(EcpayNotification).countBy({ merchantTradeNo: trade.merchantTradeNo }),
    ).toBe(0);
  });

  it('the same notification posted 5 times changes the trade once and runs the handler once', async () => {
    const trade = await newTrade();
    const body = testing.paymentSucceeded(trade);
    for (let i = 0; i < 5; i++)
      await post('/ecpay/return', i === 0 ? body : testing.sign({ ...body, RtnMsg: 'paid' })).expect(200, '1|OK');
    await dispatched();
    expect((await tradeRow(trade.id)).version).toBe(2);
    expect(events.filter((event) => event.merchantTradeNo === trade.merchantTradeNo)).toHaveLength(1);
  });

  it('acknowledges an orphan, an amount mismatch and a simulated payment, changing no money', async () => {
    await post(
      '/ecpay/return',
      testing.paymentSucceeded({ merchantId: '3002607', merchantTradeNo: 'NoSuchTrade9', totalAmount: 590 }),
    ).expect(200, '1|OK');
    const trade = await newTrade();
    await post('/ecpay/return', testing.paymentSucceeded({ ...trade, totalAmount: 5 })).expect(200, '1|OK');
    await post('/ecpay/return', testing.paymentSucceeded(trade, { SimulatePaid: '1' })).expect(200, '1|OK');
    expect((await tradeRow(trade.id)).status).toBe('pending');
    await dispatched();
    expect(events.map((event) => event.name).sort()).toEqual([
      'notification.rejected',
      'notification.rejected',
      'payment.simulated',
    ]);
  });

  it('refuses a notification for a MerchantID we have no keys for', async () => {
    const other = new EcpayTesting({ hashKey: '5294y06JbISpM5x9', hashIv: 'v77hoKGq4kWxNNIS' });
    await post(
      '/ecpay/return',
      other.paymentSucceeded({ merchantId: '2000132', merchantTradeNo: 'X1', totalAmount: 1 }),
    ).expect(400, '0|CheckMacValue invalid');
  });

  it('PaymentInfoURL codes, then the payment', async () => {
    const trade = await newTrade('ATM');
    await post('/ecpay/payment-info', testing.paymentInfo(trade, 'ATM')).expect(200, '1|OK');
    expect((await tradeRow(trade.id)).status).toBe('code-issued');
    await post('/ecpay/return', testing.paymentSucceeded(trade, { PaymentType: 'ATM_TAISHIN' })).expect(200, '1|OK');
    expect((await tradeRow(trade.id)).status).toBe('paid');
  });

  it('periodic charges 2..n each become one period.charged', async () => {
    const trade = await newTrade('Credit', true);
    await post('/ecpay/return', testing.paymentSucceeded(trade)).expect(200, '1|OK');
    // ECPay's retry repeats the post (the charge's ProcessDate included), so the last one is a duplicate.
    for (const times of [2, 3, 4, 3]) {
      await post(
        '/ecpay/period-return',
        testing.periodCharged(trade, times, { ProcessDate: `2026/12/0${times} 08:00:00` }),
      ).expect(200, '1|OK');
    }
    await dispatched();
    expect(events.filter((event) => event.name === 'period.charged')).toHaveLength(3);
  });

  /**
   * A signed periodic charge with ECPay's documented `Gwsr` renamed, its CheckMacValue kept: the MAC is blind to the
   * name's case.
   */
  const renamedGwsr = ({ Gwsr, ...rest }: Record<string, string>, spelling: string): Record<string, string> => ({
    ...rest,
    [spelling]: Gwsr!,
  });

  it('a periodic charge posted with gwsr (the spelling seen in the wild) is verified and applied under Gwsr, once', async () => {
    const trade = await newTrade('Credit', true);
    await post('/ecpay/return', testing.paymentSucceeded(trade)).expect(200, '1|OK');
    const documented = testing.periodCharged(trade, 2);
    const charge = renamedGwsr(documented, 'gwsr');
    await post('/ecpay/period-return', charge).expect(200, '1|OK');
    await post('/ecpay/period-return', charge).expect(200, '1|OK');
    // The same charge under the documented spelling is the same notification.
    await post('/ecpay/period-return', documented).expect(200, '1|OK');
    await dispatched();
    const charged = events.filter(
      (event) => event.name === 'period.charged' && event.merchantTradeNo === trade.merchantTradeNo,
    );
    expect(charged).toHaveLength(1);
    expect(charged[0]!.data).toMatchObject({ Gwsr: charge.gwsr, TotalSuccessTimes: 2 });
    const [row] = await app
      .get(DataSource)
      .getRepository(EcpayNotification)
      .findBy({ merchantTradeNo: trade.merchantTradeNo, kind: 'period-return' });
    expect(row!.payload).toMatchObject({ Gwsr: charge.gwsr });
    expect(row!.payload).not.toHaveProperty('gwsr');
  });

  it('a periodic charge carrying Gwsr and gwsr with different values is refused, naming the field, and changes nothing', async () => {
    const trade = await newTrade('Credit', true);
    await post('/ecpay/return', testing.paymentSucceeded(trade)).expect(200, '1|OK');
    const { CheckMacValue: _mac, ...fields } = testing.periodCharged(trade, 2);
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      await post('/ecpay/period-return', testing.sign({ ...fields, gwsr: '99999999' })).expect(400, '0|Malformed body');
      expect(errors.mock.calls.map(([message]) => String(message)).join('\n')).toMatch(
        /Gwsr \(Gwsr and gwsr are one field spelled 2 ways, posted with different values\)/,
      );
    } finally {
      errors.mockRestore();
    }
    expect(
      await app
        .get(DataSource)
        .getRepository(EcpayNotification)
        .countBy({ merchantTradeNo: trade.merchantTradeNo, kind: 'period-return' }),
    ).toBe(0);
    // The same value under both spellings is one field: accepted.
    await post('/ecpay/period-return', testing.sign({ ...fields, gwsr: fields.Gwsr! })).expect(200, '1|OK');
  });

  it('JSON envelopes: applied under the merchant key, 0|Envelope invalid under another', async () => {
    const trade = await newTrade();
    const data = {
      RtnCode: 1,
      RtnMsg: 'Success',
      MerchantID: '3002607',
      OrderInfo: {
        MerchantTradeNo: trade.merchantTradeNo,
        TradeNo: '2401019999999999',
        TradeAmt: 590,
        PaymentType: 'Credit',
        PaymentDate: '2024/01/01 12:05:00',
      },
    };
    const wrongKey = new EcpayTesting({ hashKey: 'ABCDEFGHIJKLMNOP', hashIv: STAGE_MERCHANT.hashIv }).envelope(
      '3002607',
      data,
    );
    await http().post('/ecpay/ecpg/return').send(wrongKey).expect(400, '0|Envelope invalid');
    expect((await tradeRow(trade.id)).status).toBe('pending');
    await http().post('/ecpay/ecpg/return').send(testing.envelope('3002607', data)).expect(200, '1|OK');
    expect((await tradeRow(trade.id)).status).toBe('paid');
  });

  it('sends the browser on to the order result page after verifying its post', async () => {
    const trade = await newTrade();
    const response = await post('/ecpay/order-result', testing.paymentSucceeded(trade)).expect(303);
    expect(response.headers.location).toBe(`/orders/done?merchantTradeNo=${trade.merchantTradeNo}&rtnCode=1`);
    await post('/ecpay/order-result', { ...testing.paymentSucceeded(trade), RtnCode: '0' }).expect(400);
  });

  it('does not answer 1|OK when the notification cannot be stored, so ECPay retries', async () => {
    const trade = await newTrade();
    const receive = jest
      .spyOn(app.get(EcpayNotificationService), 'receive')
      .mockRejectedValueOnce(new Error('database down'));
    const response = await post('/ecpay/return', testing.paymentSucceeded(trade)).expect(503);
    expect(response.text).toBe('0|Try again later');
    receive.mockRestore();
    await post('/ecpay/return', testing.paymentSucceeded(trade)).expect(200, '1|OK');
    expect((await tradeRow(trade.id)).status).toBe('paid');
  });
});

describe('the callback routes are configurable', () => {
  it('moves to another prefix, or away', async () => {
    const moved = await startApp({}, { callbacks: { prefix: 'payments/ecpay' } });
    try {
      const body = new EcpayTesting(STAGE_MERCHANT).paymentSucceeded({
        merchantId: '3002607',
        merchantTradeNo: 'Moved1',
        totalAmount: 1,
      });
      await request(moved.getHttpServer()).post('/payments/ecpay/return').type('form').send(body).expect(200, '1|OK');
      await request(moved.getHttpServer()).post('/ecpay/return').type('form').send(body).expect(404);
    } finally {
      await moved.close();
    }
    const none = await startApp({}, { callbacks: false });
    try {
      await request(none.getHttpServer()).post('/ecpay/return').type('form').send({}).expect(404);
    } finally {
      await none.close();
    }
  });
});
