import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createCipheriv, createHash } from 'node:crypto';
import { Logger, type CanActivate, type ExecutionContext, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { EcpayCallbackException, EcpayEnvelopeGuard } from '../../src/callbacks/index.js';
import { EcpayTicketGuard } from '../../src/callbacks/ecpay-ticket.guard.js';
import { EcpayMerchantRegistry } from '../../src/config/ecpay-merchant.registry.js';
import { EcpayCryptoService, EcpayTesting } from '../../src/index.js';
import { compileEcpay, STAGE_MERCHANT } from '../support/test-module.js';

// A route that answers differently, or takes measurably longer, when altered ciphertext happens to decrypt is a
// padding (or format) oracle: with one, AES-CBC Data can be decrypted and forged block by block without the keys.
// These tests hold the notification routes to one reply and similar work for every verification failure.

/** AES-128-CBC under the stage merchant's keys, written here from the spec; `pad: false` leaves PKCS7 out. */
function encrypt(plain: Buffer, keys: { hashKey: string; hashIv: string } = STAGE_MERCHANT, pad = true): Buffer {
  const aes = createCipheriv('aes-128-cbc', Buffer.from(keys.hashKey), Buffer.from(keys.hashIv));
  aes.setAutoPadding(pad);
  return Buffer.concat([aes.update(plain), aes.final()]);
}

/**
 * Two Data values of the same length (48 KiB by default) that both fail: one whose padding is valid but whose text
 * is no JSON (a percent-encoded text, costly to decode), and the same ciphertext with its last block's padding
 * destroyed.
 */
function paddingProbe(
  keys: { hashKey: string; hashIv: string } = STAGE_MERCHANT,
  kib = 48,
): { badText: string; badPadding: string } {
  const cipher = encrypt(Buffer.from(`${'%41'.repeat((kib * 1024) / 3)}%ZZ`), keys);
  const broken = Buffer.from(cipher);
  broken[broken.length - 17]! ^= 0x55;
  return { badText: cipher.toString('base64'), badPadding: broken.toString('base64') };
}

const contextOf = (body: unknown): ExecutionContext =>
  ({
    switchToHttp: () => ({
      getRequest: () => ({
        headers: { 'content-type': 'application/json' },
        body,
        method: 'POST',
        url: '/ecpay/x',
        ip: '127.0.0.1',
      }),
    }),
  }) as unknown as ExecutionContext;

/** How long the guard takes to refuse each body (median µs over interleaved rounds), and the refusals' replies. */
function refusalTimes(
  guard: CanActivate,
  bodies: readonly unknown[],
  rounds = 150,
): { medians: number[]; replies: Set<string> } {
  const samples: number[][] = bodies.map(() => []);
  const replies = new Set<string>();
  for (let round = -30; round < rounds; round++) {
    bodies.forEach((body, i) => {
      const started = process.hrtime.bigint();
      try {
        guard.canActivate(contextOf(body));
        replies.add('accepted');
      } catch (error) {
        replies.add(
          error instanceof EcpayCallbackException ? `${error.getStatus()} ${error.replyBody}` : String(error),
        );
      }
      if (round >= 0) samples[i]!.push(Number(process.hrtime.bigint() - started) / 1000);
    });
  }
  const medians = samples.map((times) => times.sort((a, b) => a - b)[times.length >> 1]!);
  return { medians, replies };
}

describe('no oracles on the notification routes', () => {
  let app: INestApplication;
  let warn: ReturnType<typeof jest.spyOn>;

  beforeAll(async () => {
    const module = await compileEcpay({ publicUrl: 'https://shop.example.com' });
    app = module.createNestApplication({ rawBody: true, logger: false });
    await app.init();
  });
  afterAll(() => app.close());
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('the ecpg routes take as long to refuse a bad padding as a bad text, with the same reply', () => {
    const guard = new EcpayEnvelopeGuard(app.get(EcpayCryptoService));
    const { badText, badPadding } = paddingProbe();
    const envelope = (Data: string) => ({
      MerchantID: STAGE_MERCHANT.merchantId,
      RpHeader: { Timestamp: 1 },
      TransCode: 1,
      TransMsg: 'Success',
      Data,
    });
    const { medians, replies } = refusalTimes(guard, [envelope(badText), envelope(badPadding)]);
    expect(replies).toEqual(new Set(['400 0|Envelope invalid']));
    // Failing fast on the padding made the bad padding ~8 times quicker to refuse; similar work keeps them close.
    expect(Math.max(...medians) / Math.min(...medians)).toBeLessThan(2);
  });

  it('the ECTicket route takes as long to refuse a Data that decrypts as one that does not, with the same reply', () => {
    const TICKET = {
      merchantId: STAGE_MERCHANT.merchantId,
      hashKey: STAGE_MERCHANT.hashKey,
      hashIv: STAGE_MERCHANT.hashIv,
    };
    const guard = new EcpayTicketGuard(app.get(EcpayMerchantRegistry));
    const { badText, badPadding } = paddingProbe(TICKET);
    const mac = createHash('sha256').update('anything').digest('hex').toUpperCase();
    const post = (Data: string) => ({
      MerchantID: TICKET.merchantId,
      RqHeader: { Timestamp: 1 },
      TransCode: 1,
      TransMsg: 'Success',
      Data,
      CheckMacValue: mac,
    });
    const { medians, replies } = refusalTimes(guard, [post(badText), post(badPadding)]);
    expect(replies).toEqual(new Set(['400 0|Envelope invalid']));
    expect(Math.max(...medians) / Math.min(...medians)).toBeLessThan(2);
  });

  it('every envelope verification failure answers alike on /ecpay/ecpg/return and /ecpay/ecpg/order-result', async () => {
    const testing = new EcpayTesting(STAGE_MERCHANT);
    const data = {
      RtnCode: 1,
      RtnMsg: 'Success',
      MerchantID: STAGE_MERCHANT.merchantId,
      OrderInfo: { MerchantTradeNo: 'NoOracle0001', TradeNo: '2401019999999999', TradeAmt: 590 },
    };
    const genuine = testing.envelope(STAGE_MERCHANT.merchantId, data);
    // Small enough for the form route's body limit: a larger post is refused as too large before anything is read.
    const { badText, badPadding } = paddingProbe(STAGE_MERCHANT, 3);
    const failures: Record<string, unknown>[] = [
      { ...genuine, Data: badText },
      { ...genuine, Data: badPadding },
      { ...genuine, Data: encrypt(Buffer.from('123')).toString('base64') }, // JSON, not an object
      { ...genuine, Data: encrypt(Buffer.from([0xff, 0xfe, 0x7b])).toString('base64') }, // not UTF-8
      { ...genuine, Data: encrypt(Buffer.alloc(32, 7), STAGE_MERCHANT, false).toString('base64') }, // no padding at all
      { ...genuine, Data: 'not base64!' },
      { ...genuine, MerchantID: '9999999' },
      { ...genuine, TransCode: 0 },
      { ...genuine, Data: undefined },
    ];
    const replies = new Set<string>();
    for (const envelope of failures) {
      const json = await request(app.getHttpServer()).post('/ecpay/ecpg/return').send(envelope);
      const form = await request(app.getHttpServer())
        .post('/ecpay/ecpg/order-result')
        .type('form')
        .send({ ResultData: JSON.stringify(envelope) });
      for (const response of [json, form])
        replies.add(JSON.stringify([response.status, response.headers['content-type'], response.text]));
    }
    expect(replies).toEqual(new Set([JSON.stringify([400, 'text/plain; charset=utf-8', '0|Envelope invalid'])]));
  });
});
