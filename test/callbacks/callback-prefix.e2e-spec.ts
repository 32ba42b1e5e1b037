import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  ECPAY_JSON_TRANSPORT,
  type EcpayJsonApi,
  type EcpayJsonTransport,
} from '../../src/back-auth/ecpay-json-transport.interface.js';
import { EcpayModule, EcpayNotification, EcpayService, type EcpayModuleOptions } from '../../src/index.js';
import { EcpayTesting } from '../../src/testing/index.js';
import { STAGE_MERCHANT, testDatabase } from '../support/test-module.js';

/** Records what BackAuth would send and answers as if ECPay never did (so only the request matters here). */
class RecordingTransport implements EcpayJsonTransport {
  readonly sent: { api: EcpayJsonApi; data: Record<string, unknown> }[] = [];
  async post(api: EcpayJsonApi, data: object): Promise<object> {
    this.sent.push({ api, data: data as Record<string, unknown> });
    throw Object.assign(new Error('no answer'), { outcomeUnknown: true });
  }
}

// The callback prefix is one setting: the routes the controller mounts and every URL handed to ECPay follow it.
describe('callbacks.prefix moves the routes and the URLs ECPay is given', () => {
  const transport = new RecordingTransport();
  const testing = new EcpayTesting(STAGE_MERCHANT);
  let app: INestApplication;

  beforeAll(async () => {
    const module = await Test.createTestingModule({
      imports: [
        testDatabase(),
        EcpayModule.forRoot({
          environment: 'stage',
          ...STAGE_MERCHANT,
          publicUrl: 'https://shop.example.com/',
          dispatch: { pollIntervalMs: 0 },
          callbacks: { prefix: '/payments/ecpay/' },
        } as EcpayModuleOptions),
      ],
    })
      .overrideProvider(ECPAY_JSON_TRANSPORT)
      .useValue(transport)
      .compile();
    app = module.createNestApplication({ logger: false });
    await app.init();
  });
  afterAll(() => app.close());

  it("createCheckout's ReturnURL, PeriodReturnURL and PaymentInfoURL name the moved routes", async () => {
    const periodic = await app.get(EcpayService).createCheckout({
      items: [{ name: 'Tea subscription', price: 300, quantity: 1 }],
      description: 'Tea',
      payment: { method: 'Credit', periodic: { periodType: 'M', frequency: 1, execTimes: 12 } },
    });
    expect(periodic.fields.ReturnURL).toBe('https://shop.example.com/payments/ecpay/return');
    expect(periodic.fields.PeriodReturnURL).toBe('https://shop.example.com/payments/ecpay/period-return');
    const atm = await app.get(EcpayService).createCheckout({
      items: [{ name: 'Tea', price: 300, quantity: 1 }],
      description: 'Tea',
      payment: { method: 'ATM' },
    });
    expect(atm.fields.PaymentInfoURL).toBe('https://shop.example.com/payments/ecpay/payment-info');
  });

  it("BackAuth's default ReturnURL and OrderResultURL name the moved routes", async () => {
    await app.get(EcpayService).backAuth({
      OrderInfo: { TotalAmount: 590, ItemName: 'Oolong tea', TradeDesc: 'Tea', ReturnURL: '' },
      CardInfo: {
        CardNo: '4311-9522-2222-2222',
        CardValidMM: '12',
        CardValidYY: '39',
        CardCVV2: '222',
        DirectCapture: '1',
      },
    });
    const request = transport.sent.find((call) => call.api === 'backAuth')!.data as {
      OrderInfo: { ReturnURL: string };
      CardInfo: { OrderResultURL: string };
    };
    expect(request.OrderInfo.ReturnURL).toBe('https://shop.example.com/payments/ecpay/ecpg/return');
    expect(request.CardInfo.OrderResultURL).toBe('https://shop.example.com/payments/ecpay/ecpg/order-result');
  });

  it('a signed notification posted to the moved route is stored, and the old route is gone', async () => {
    const checkout = await app.get(EcpayService).createCheckout({
      items: [{ name: 'Tea', price: 590, quantity: 1 }],
      description: 'Tea',
      payment: { method: 'Credit' },
    });
    const body = testing.form(
      testing.paymentSucceeded({
        merchantId: STAGE_MERCHANT.merchantId,
        merchantTradeNo: checkout.merchantTradeNo,
        totalAmount: 590,
      }),
    );
    await request(app.getHttpServer()).post('/ecpay/return').type('form').send(body).expect(404);
    await request(app.getHttpServer()).post('/payments/ecpay/return').type('form').send(body).expect(200, '1|OK');
    expect(
      await app.get(DataSource).getRepository(EcpayNotification).countBy({ merchantTradeNo: checkout.merchantTradeNo }),
    ).toBe(1);
    await expect(app.get(EcpayService).findTrade(checkout.merchantTradeNo)).resolves.toMatchObject({ status: 'paid' });
  });

  it('refuses a prefix that is not a path at boot, naming the option', async () => {
    expect(() =>
      EcpayModule.forRoot({
        environment: 'stage',
        ...STAGE_MERCHANT,
        callbacks: { prefix: 'pay ments' },
      } as EcpayModuleOptions),
    ).toThrow(/callbacks\.prefix/);
  });
});
