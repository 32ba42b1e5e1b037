import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  EcpayModule,
  EcpayNotification,
  EcpayNotificationDispatcher,
  OnEcpayEvent,
  type EcpayEvent,
  type EcpayModuleOptions,
} from '../../src/index.js';
import { testDatabase } from '../support/test-module.js';

/** ECTicket's documentation merchant (docs/protocol.md §4.3): the ticketing keys differ from the payment ones. */
const TICKET = { merchantId: '3085676', hashKey: '7b53896b742849d3', hashIv: '37a0ad3c6ffa428b' };

// An implementation of docs/protocol.md §1.6 and §3 written here from the spec, independent of the library: PHP's
// urlencode (RFC 1738 with `+` for space, `~` encoded), AES-128-CBC with PKCS7, base64.
const phpUrlEncode = (text: string): string =>
  encodeURIComponent(text)
    .replace(/%20/g, '+')
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const phpUrlDecode = (text: string): string => decodeURIComponent(text.replace(/\+/g, ' '));
const encrypt = (json: string): string => {
  const cipher = createCipheriv('aes-128-cbc', Buffer.from(TICKET.hashKey), Buffer.from(TICKET.hashIv));
  return Buffer.concat([cipher.update(phpUrlEncode(json), 'utf8'), cipher.final()]).toString('base64');
};
const decrypt = (data: string): string => {
  const decipher = createDecipheriv('aes-128-cbc', Buffer.from(TICKET.hashKey), Buffer.from(TICKET.hashIv));
  return phpUrlDecode(Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8'));
};
const ticketMac = (json: string): string =>
  createHash('sha256')
    .update(phpUrlEncode(TICKET.hashKey + json + TICKET.hashIv).toLowerCase())
    .digest('hex')
    .toUpperCase();

const events: EcpayEvent[] = [];
@Injectable()
class Listener {
  @OnEcpayEvent('refund.notified')
  on(event: EcpayEvent): void {
    events.push(event);
  }
}
@Module({ providers: [Listener] })
class ListenerModule {}

/** A RefundNotifyURL post as ECPay sends it (docs/protocol.md §6.8). */
function refundNotification(
  data: Record<string, unknown>,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const json = JSON.stringify(data);
  return {
    PlatformID: '',
    MerchantID: TICKET.merchantId,
    RqHeader: { Timestamp: Math.floor(Date.now() / 1000) },
    TransCode: 1,
    TransMsg: 'Success',
    Data: encrypt(json),
    CheckMacValue: ticketMac(json),
    ...overrides,
  };
}

describe('ECTicket RefundNotifyURL (docs/protocol.md §6.8)', () => {
  let app: INestApplication;
  const path = '/ecpay/ecticket/refund-notify';

  beforeAll(async () => {
    const module = await Test.createTestingModule({
      imports: [
        testDatabase(),
        EcpayModule.forRoot({
          environment: 'stage',
          ...TICKET,
          publicUrl: 'https://shop.example.com',
          dispatch: { pollIntervalMs: 0 },
        } as EcpayModuleOptions),
        ListenerModule,
      ],
    }).compile();
    app = module.createNestApplication({ rawBody: true, logger: false });
    await app.init();
  });
  afterAll(() => app.close());
  beforeEach(() => {
    events.length = 0;
  });

  const http = () => request(app.getHttpServer());
  const rows = () => app.get(DataSource).getRepository(EcpayNotification).findBy({ kind: 'ecticket-refund' });

  it("checks the independent docs/protocol.md §1.6 implementation against ECPay's published E-Ticket vector", () => {
    expect(ticketMac('{"MerchantID":"3085676","BarCode":"/1234567"}')).toBe(
      '025168759A37FAADD6AC443CDC6C95D534674611E6BD9F8143E5065B16F77796',
    );
  });

  it("stores a verified refund result, raises refund.notified, and acknowledges with ECPay's signed envelope", async () => {
    const data = {
      MerchantID: TICKET.merchantId,
      MerchantTradeNo: 'TK2026112200001',
      RtnCode: 1,
      RtnMsg: '退款成功',
      RefundAmount: 300,
      票券: '鳳梨酥兌換券',
    };
    const response = await http().post(path).send(refundNotification(data)).expect(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const ack = response.body as Record<string, unknown>;
    expect(ack).toMatchObject({ MerchantID: TICKET.merchantId, TransCode: 1 });
    expect(Math.abs(Number((ack.RpHeader as { Timestamp: number }).Timestamp) - Date.now() / 1000)).toBeLessThan(60);
    // The acknowledgement, opened and checked independently: Data decrypts to RtnCode 1, the MAC covers that text.
    const plaintext = decrypt(String(ack.Data));
    expect(JSON.parse(plaintext)).toMatchObject({ RtnCode: 1 });
    expect(ack.CheckMacValue).toBe(ticketMac(plaintext));
    expect(response.text).not.toBe('1|OK');

    expect(await rows()).toEqual([
      expect.objectContaining({ merchantTradeNo: 'TK2026112200001', eventName: 'refund.notified' }),
    ]);
    await app.get(EcpayNotificationDispatcher).kick();
    expect(events).toHaveLength(1);
    expect(events[0]!.raw).toMatchObject({
      Data: expect.objectContaining({ RefundAmount: 300, 票券: '鳳梨酥兌換券' }),
    });
  });

  it('acknowledges a retry the same way and stores nothing new', async () => {
    const data = { MerchantID: TICKET.merchantId, MerchantTradeNo: 'TK2026112200002', RtnCode: 1, RtnMsg: '退款成功' };
    const body = refundNotification(data);
    await http().post(path).send(body).expect(200);
    const again = await http().post(path).send(body).expect(200);
    expect(JSON.parse(decrypt(String(again.body.Data)))).toMatchObject({ RtnCode: 1 });
    expect((await rows()).filter((row) => row.merchantTradeNo === 'TK2026112200002')).toHaveLength(1);
  });

  it('refuses a bad checksum, a Data under other keys, TransCode ≠ 1 and a form body with 400, storing nothing', async () => {
    const before = (await rows()).length;
    const data = { MerchantID: TICKET.merchantId, MerchantTradeNo: 'TK2026112200003', RtnCode: 1 };
    await http()
      .post(path)
      .send(refundNotification(data, { CheckMacValue: ticketMac('{}') }))
      .expect(400, '0|Envelope invalid');
    await http()
      .post(path)
      .send(refundNotification({ ...data, RtnCode: 2 }, { CheckMacValue: refundNotification(data).CheckMacValue }))
      .expect(400, '0|Envelope invalid');
    const otherKeys = createCipheriv('aes-128-cbc', Buffer.from('AAAAAAAAAAAAAAAA'), Buffer.from('BBBBBBBBBBBBBBBB'));
    const foreign = Buffer.concat([otherKeys.update(phpUrlEncode(JSON.stringify(data))), otherKeys.final()]).toString(
      'base64',
    );
    await http()
      .post(path)
      .send(refundNotification(data, { Data: foreign }))
      .expect(400, '0|Envelope invalid');
    await http()
      .post(path)
      .send(refundNotification(data, { TransCode: 0 }))
      .expect(400, '0|Envelope invalid');
    await http()
      .post(path)
      .type('form')
      .send({ Data: 'x', CheckMacValue: 'y' })
      .expect(400, '0|Unsupported Content-Type');
    await http()
      .post(path)
      .send(refundNotification(data, { MerchantID: '9999999' }))
      .expect(400, '0|Envelope invalid');
    expect((await rows()).length).toBe(before);
  });

  it('every ECTicket verification failure answers alike: same status, same body, same headers', async () => {
    const before = (await rows()).length;
    const data = { MerchantID: TICKET.merchantId, MerchantTradeNo: 'TK2026112200004', RtnCode: 1, RtnMsg: '退款成功' };
    const genuine = refundNotification(data);
    const cipher = Buffer.from(String(genuine.Data), 'base64');
    /** The genuine ciphertext with one byte changed: what a padding or format oracle would be probed with. */
    const altered = (index: number): string => {
      const copy = Buffer.from(cipher);
      copy[index]! ^= 0x01;
      return copy.toString('base64');
    };
    // A last block that still decrypts (with the true keys) to valid PKCS7 padding, and one that cannot.
    const withoutPadding = (plain: string): string => {
      const aes = createCipheriv('aes-128-cbc', Buffer.from(TICKET.hashKey), Buffer.from(TICKET.hashIv));
      aes.setAutoPadding(false);
      return Buffer.concat([
        aes.update(Buffer.from(plain.padEnd(Math.ceil(plain.length / 16) * 16, 'x'))),
        aes.final(),
      ]).toString('base64');
    };
    const failures: Record<string, unknown>[] = [
      refundNotification(data, { CheckMacValue: ticketMac('{}') }), // decrypts, JSON, wrong MAC
      refundNotification(data, { Data: encrypt('this is not JSON') }), // decrypts, not JSON
      refundNotification(data, { Data: encrypt('this is not JSON'), CheckMacValue: ticketMac('this is not JSON') }), // signed, not JSON
      refundNotification(data, { Data: withoutPadding('%7B%22a%22%3A1%7D') }), // bad padding
      refundNotification(data, { Data: altered(cipher.length - 17) }), // the last block's padding altered
      refundNotification(data, { Data: altered(0) }), // the first block garbled, the rest intact
      refundNotification(data, { Data: 'not base64!' }),
      refundNotification(data, { TransCode: 0 }),
      refundNotification(data, { MerchantID: '9999999' }),
      refundNotification(data, { Data: undefined }),
      refundNotification(data, { CheckMacValue: undefined }),
    ];
    const replies = [];
    for (const body of failures) {
      const response = await http().post(path).send(body);
      replies.push({ status: response.status, type: response.headers['content-type'], body: response.text });
    }
    const array = await http().post(path).send([genuine]);
    replies.push({ status: array.status, type: array.headers['content-type'], body: array.text });
    expect(new Set(replies.map((reply) => JSON.stringify(reply)))).toEqual(
      new Set([JSON.stringify({ status: 400, type: 'text/plain; charset=utf-8', body: '0|Envelope invalid' })]),
    );
    expect((await rows()).length).toBe(before);
  });
});
