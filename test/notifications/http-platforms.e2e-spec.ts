import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { EcpayModule, EcpayService, EcpayTrade, type EcpayModuleOptions } from '../../src/index.js';
import { EcpayTesting } from '../../src/testing/index.js';
import { STAGE_MERCHANT, testDatabase } from '../support/test-module.js';

/**
 * The notification routes behave the same on both HTTP platforms Nest ships, with and without `rawBody`: Express
 * parses forms with qs into plain objects, Fastify with its own parser into objects without Object.prototype.
 */
const platforms = [
  { name: 'Express', fastify: false, rawBody: true },
  { name: 'Express', fastify: false, rawBody: false },
  { name: 'Fastify', fastify: true, rawBody: true },
  { name: 'Fastify', fastify: true, rawBody: false },
] as const;

describe.each(platforms)('notifications on $name (rawBody: $rawBody)', ({ fastify, rawBody }) => {
  let app: INestApplication;
  const testing = new EcpayTesting(STAGE_MERCHANT);

  beforeAll(async () => {
    const module = await Test.createTestingModule({
      imports: [
        testDatabase(),
        EcpayModule.forRoot({
          environment: 'stage',
          ...STAGE_MERCHANT,
          publicUrl: 'https://shop.example.com',
          dispatch: { pollIntervalMs: 0 },
        } as EcpayModuleOptions),
      ],
    }).compile();
    app = fastify
      ? module.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { rawBody, logger: false })
      : module.createNestApplication({ rawBody, logger: false });
    await app.init();
    if (fastify) await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  const post = (path: string, fields: Record<string, string>) =>
    request(app.getHttpServer()).post(path).type('form').send(testing.form(fields));

  it('stores a signed payment result, answers 1|OK once per change, and refuses a tampered one', async () => {
    const checkout = await app.get(EcpayService).createCheckout({
      items: [{ name: 'Oolong tea', price: 295, quantity: 2 }],
      description: 'Tea order',
      payment: { method: 'Credit' },
    });
    const trade = {
      merchantId: STAGE_MERCHANT.merchantId,
      merchantTradeNo: checkout.merchantTradeNo,
      totalAmount: 590,
    };
    const row = () => app.get(DataSource).getRepository(EcpayTrade).findOneByOrFail({ id: checkout.trade.id });
    const body = testing.paymentSucceeded(trade);

    const tampered = await post('/ecpay/return', { ...body, TradeAmt: '5900' });
    expect([tampered.status, tampered.text]).toEqual([400, '0|CheckMacValue invalid']);
    expect((await row()).status).toBe('pending');

    const first = await post('/ecpay/return', body);
    expect([first.status, first.text]).toEqual([200, '1|OK']);
    expect((await row()).status).toBe('paid');
    await expect(app.get(EcpayService).findTrade(checkout.merchantTradeNo)).resolves.toMatchObject({
      status: 'paid',
      totalAmount: 590,
    });
    const version = (await row()).version;

    const again = await post('/ecpay/return', body);
    expect([again.status, again.text]).toEqual([200, '1|OK']);
    expect((await row()).version).toBe(version);
  });

  it('opens a JSON envelope under the merchant key and refuses one under another key', async () => {
    const data = {
      RtnCode: 1,
      RtnMsg: 'Success',
      MerchantID: STAGE_MERCHANT.merchantId,
      OrderInfo: {
        MerchantTradeNo: 'NoSuchOrder1',
        TradeNo: '2401019999999999',
        TradeAmt: 590,
        PaymentType: 'Credit',
        PaymentDate: '2024/01/01 12:05:00',
      },
    };
    const wrongKey = new EcpayTesting({ hashKey: 'ABCDEFGHIJKLMNOP', hashIv: STAGE_MERCHANT.hashIv }).envelope(
      STAGE_MERCHANT.merchantId,
      data,
    );
    const refused = await request(app.getHttpServer()).post('/ecpay/ecpg/return').send(wrongKey);
    expect(refused.status).toBe(400);
    const accepted = await request(app.getHttpServer())
      .post('/ecpay/ecpg/return')
      .send(testing.envelope(STAGE_MERCHANT.merchantId, data));
    expect([accepted.status, accepted.text]).toEqual([200, '1|OK']);
  });

  it('refuses a form whose field is repeated, whatever the parser made of it', async () => {
    const body = new URLSearchParams(
      testing.form(
        testing.paymentSucceeded({ merchantId: STAGE_MERCHANT.merchantId, merchantTradeNo: 'Twice1', totalAmount: 1 }),
      ),
    );
    body.append('RtnCode', '1');
    const response = await request(app.getHttpServer()).post('/ecpay/return').type('form').send(body.toString());
    expect(response.status).toBe(400);
    expect(response.text).toMatch(/^0\|/);
  });
});

describe('EcpayService.findTrade', () => {
  it('reads a trade by MerchantTradeNo for the default or a named merchant, null when there is none', async () => {
    const module = await Test.createTestingModule({
      imports: [
        testDatabase(),
        EcpayModule.forRoot({
          environment: 'stage',
          ...STAGE_MERCHANT,
          publicUrl: 'https://shop.example.com',
        } as EcpayModuleOptions),
      ],
    }).compile();
    try {
      const ecpay = module.get(EcpayService);
      const checkout = await ecpay.createCheckout({
        items: [{ name: 'Tea', price: 100, quantity: 1 }],
        description: 'Tea',
        payment: { method: 'Credit' },
      });
      await expect(ecpay.findTrade(checkout.merchantTradeNo)).resolves.toMatchObject({
        id: checkout.trade.id,
        status: 'pending',
      });
      await expect(
        ecpay.findTrade(checkout.merchantTradeNo, { merchant: STAGE_MERCHANT.merchantId }),
      ).resolves.toMatchObject({ id: checkout.trade.id });
      await expect(ecpay.findTrade('NoSuchTrade1')).resolves.toBeNull();
      await expect(ecpay.findTrade(checkout.merchantTradeNo, { merchant: '9999999' })).rejects.toThrow(/9999999/);
    } finally {
      await module.close();
    }
  });

  it('says that trades need persistence when it is off', async () => {
    const module = await Test.createTestingModule({
      imports: [
        EcpayModule.forRoot({ environment: 'stage', ...STAGE_MERCHANT, persistence: false } as EcpayModuleOptions),
      ],
    }).compile();
    try {
      await expect(module.get(EcpayService).findTrade('Any1')).rejects.toThrow(/persistence/);
    } finally {
      await module.close();
    }
  });
});
