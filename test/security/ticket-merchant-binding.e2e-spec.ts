import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCipheriv, createHash } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { EcpayModule, EcpayNotification, type EcpayModuleOptions } from '../../src/index.js';
import { testDatabase } from '../support/test-module.js';

/** ECTicket's documentation merchant (docs/protocol.md), and a second merchant with keys of its own. */
const TICKET = { merchantId: '3085676', hashKey: '7b53896b742849d3', hashIv: '37a0ad3c6ffa428b' };
const SHOP_B = { merchantId: 'B000000001', hashKey: 'Bb1Bb2Bb3Bb4Bb5B', hashIv: 'Bi1Bi2Bi3Bi4Bi5B' };

// Written here from the spec, independent of the library: PHP urlencode, AES-128-CBC/PKCS7, base64; the MAC over the
// JSON.
const phpUrlEncode = (text: string): string =>
  encodeURIComponent(text)
    .replace(/%20/g, '+')
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
function signedPost(data: Record<string, unknown>): Record<string, unknown> {
  const json = JSON.stringify(data);
  const cipher = createCipheriv('aes-128-cbc', Buffer.from(TICKET.hashKey), Buffer.from(TICKET.hashIv));
  const encrypted = Buffer.concat([cipher.update(phpUrlEncode(json), 'utf8'), cipher.final()]).toString('base64');
  const mac = createHash('sha256')
    .update(phpUrlEncode(TICKET.hashKey + json + TICKET.hashIv).toLowerCase())
    .digest('hex')
    .toUpperCase();
  return {
    PlatformID: '',
    MerchantID: TICKET.merchantId,
    RqHeader: { Timestamp: Math.floor(Date.now() / 1000) },
    TransCode: 1,
    TransMsg: 'Success',
    Data: encrypted,
    CheckMacValue: mac,
  };
}

// The ECTicket route follows the rule of every envelope route: the keys that opened and signed the Data speak for
// their own merchant (and a platform's members) only; Data naming another merchant is refused.
describe('ECTicket notifications are bound to the merchant whose keys signed them', () => {
  let app: INestApplication;
  beforeAll(async () => {
    const module = await Test.createTestingModule({
      imports: [
        testDatabase(),
        EcpayModule.forRoot({
          environment: 'stage',
          ...TICKET,
          merchants: { shopB: SHOP_B },
          dispatch: { pollIntervalMs: 0 },
        } as EcpayModuleOptions),
      ],
    }).compile();
    app = module.createNestApplication({ rawBody: true, logger: false });
    await app.init();
  });
  afterAll(() => app.close());

  it("a ticket refund signed with merchant A's keys cannot speak for merchant B", async () => {
    const data = { MerchantID: SHOP_B.merchantId, MerchantTradeNo: 'TKB0000000001', RtnCode: 1, RtnMsg: '退款成功' };
    await request(app.getHttpServer()).post('/ecpay/ecticket/refund-notify').send(signedPost(data)).expect(400);
    expect(
      await app
        .get(DataSource)
        .getRepository(EcpayNotification)
        .findBy({ kind: 'ecticket-refund', merchantTradeNo: 'TKB0000000001' }),
    ).toEqual([]);
  });

  it("merchant A's own ticket refund is still stored", async () => {
    const data = { MerchantID: TICKET.merchantId, MerchantTradeNo: 'TKA0000000001', RtnCode: 1, RtnMsg: '退款成功' };
    await request(app.getHttpServer()).post('/ecpay/ecticket/refund-notify').send(signedPost(data)).expect(200);
    expect(
      await app
        .get(DataSource)
        .getRepository(EcpayNotification)
        .findBy({ kind: 'ecticket-refund', merchantTradeNo: 'TKA0000000001' }),
    ).toHaveLength(1);
  });
});
