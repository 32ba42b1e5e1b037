import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { computeCheckMacValue, EcpayTradeStore } from '../src/index.js';
import { AppModule } from '../demo/src/app.module.js';

// The example app imports the package by name, as a user does; here it runs against src/ (jest moduleNameMapper).
describe('demo app (the README\'s first command)', () => {
  let app: INestApplication;
  const env = { ...process.env };

  beforeAll(async () => {
    for (const name of ['ECPAY_ENV', 'ECPAY_MERCHANT_ID', 'ECPAY_HASH_KEY', 'ECPAY_HASH_IV']) delete process.env[name];
    const module = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = module.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    process.env = env;
  });

  it('serves the shop page', async () => {
    const page = await request(app.getHttpServer()).get('/').expect(200).expect('Content-Type', /text\/html/);
    expect(page.text).toContain('<form method="post" action="/checkout">');
  });

  it('buys through the library\'s checkout: a signed form for ECPay stage and a stored trade', async () => {
    const page = await request(app.getHttpServer()).post('/checkout').type('form').send({ quantity: '2', method: 'ATM' }).expect(200);
    const fields = Object.fromEntries(
      [...page.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replace(/&amp;/g, '&')]),
    );
    expect(fields).toMatchObject({ TotalAmount: '500', ChoosePayment: 'ATM', ItemName: 'Oolong tea x2' });
    expect(fields.MerchantTradeDate).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/);
    const { CheckMacValue, ...signed } = fields;
    expect(CheckMacValue).toBe(computeCheckMacValue(signed, { hashKey: 'pwFHCqoQZGmho4w6', hashIv: 'EkRm7iFT261dpevs' }));
    expect(page.text).toContain('action="https://payment-stage.ecpay.com.tw/Cashier/AioCheckOut/V5"');
    const trade = await app.get(EcpayTradeStore).findByMerchantTradeNo('3002607', fields.MerchantTradeNo!);
    expect(trade).toMatchObject({ status: 'pending', totalAmount: 500 });
  });

  it('answers an order that breaks ECPay rules with 400 and the issues', async () => {
    const response = await request(app.getHttpServer()).post('/checkout').type('form').send({ quantity: '9999', method: 'CVS' }).expect(400);
    expect(response.body.issues).toEqual([expect.objectContaining({ field: 'TotalAmount', rule: 'amount-range' })]);
  });

  it('signs and verifies over JSON, and rejects bad input with 400', async () => {
    const params = { MerchantID: '3002607', ItemName: "Tom's Shop", TotalAmount: '100' };
    const signed = await request(app.getHttpServer()).post('/api/checkmac').send({ params }).expect(200);
    expect(signed.body).toEqual({ CheckMacValue: 'CF0A3D4901D99459D8641516EC57210700E8A5C9AB26B1D021301E9CB93EF78D' });
    await request(app.getHttpServer()).post('/api/verify').send({ params: { ...params, CheckMacValue: signed.body.CheckMacValue } }).expect(200, { valid: true });
    await request(app.getHttpServer()).post('/api/verify').send({ params: { ...params, TotalAmount: '1', CheckMacValue: signed.body.CheckMacValue } }).expect(200, { valid: false });
    const bad = await request(app.getHttpServer()).post('/api/checkmac').send({ params: { MerchantID: '3002607', Items: [1] } }).expect(400);
    expect(bad.body.message).toContain('"Items" must be a string or a finite number');
    await request(app.getHttpServer()).post('/api/checkmac').send({ params: 'x' }).expect(400);
  });
});
