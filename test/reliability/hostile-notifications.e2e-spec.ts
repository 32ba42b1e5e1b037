import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCipheriv } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import {
  EcpayModule,
  EcpayNotification,
  EcpayService,
  EcpayTesting,
  EcpayTrade,
  encryptEcpayData,
  type EcpayModuleOptions,
} from '../../src/index.js';
import { STAGE_MERCHANT, testDatabase } from '../support/test-module.js';

/**
 * 20,000 hostile notification bodies over real HTTP against the callback routes: random and missing fields, huge
 * values, invalid UTF-8, repeated keys, `a[b]=` nesting, JSON where a form is expected and the reverse, truncated
 * and badly padded AES, and a valid MAC over other fields than those posted. None may get a 5xx, none may store
 * anything or change a trade, and the heap must not grow with the count. Deterministic: the seed is printed on a
 * failure by fast-check's `sample`, and fixed here so a failing body can be replayed.
 */
const BODIES = 20_000;
const CONCURRENCY = 16;
const SEED = 20_261_122;

interface HostileRequest {
  readonly kind: string;
  readonly path: string;
  readonly contentType: string;
  readonly body: Uint8Array;
}

const FORM = 'application/x-www-form-urlencoded';
const FORM_ROUTES = ['/ecpay/return', '/ecpay/period-return', '/ecpay/payment-info', '/ecpay/order-result'];
const ENVELOPE_ROUTES = ['/ecpay/ecpg/return', '/ecpay/ecpg/order-result'];
const testing = new EcpayTesting(STAGE_MERCHANT);
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const form = (fields: Record<string, string>): Uint8Array => utf8(new URLSearchParams(fields).toString());

/** AES-128-CBC with the merchant's keys but no PKCS7 padding of ours: a body whose padding is wrong when decrypted. */
function badlyPadded(plain: string): string {
  const cipher = createCipheriv('aes-128-cbc', Buffer.from(STAGE_MERCHANT.hashKey), Buffer.from(STAGE_MERCHANT.hashIv));
  cipher.setAutoPadding(false);
  const block = Buffer.alloc(Math.ceil((plain.length + 1) / 16) * 16, 0x20);
  block.write(plain);
  block[block.length - 1] = 0x11; // 17: no valid PKCS7 pad byte for a 16-byte block
  return Buffer.concat([cipher.update(block), cipher.final()]).toString('base64');
}

function hostileRequests(
  trades: readonly { merchantTradeNo: string; totalAmount: number }[],
): fc.Arbitrary<HostileRequest> {
  const trade = fc.constantFrom(...trades);
  const route = fc.constantFrom(...FORM_ROUTES);
  const signed = trade.map((t) => testing.paymentSucceeded({ merchantId: STAGE_MERCHANT.merchantId, ...t }));
  const anyText = fc.string({ unit: 'binary', maxLength: 40 });
  const fieldName = fc.oneof(
    fc.constantFrom('MerchantID', 'MerchantTradeNo', 'RtnCode', 'TradeAmt', 'CheckMacValue', 'SimulatePaid', 'Data'),
    anyText,
  );

  return fc.oneof(
    // random fields, with or without a random CheckMacValue
    fc
      .record({ path: route, fields: fc.dictionary(fieldName, anyText, { maxKeys: 20 }) })
      .map(({ path, fields }) => ({ kind: 'random fields', path, contentType: FORM, body: form(fields) })),
    // a genuine notification with one field left out: the MAC no longer covers what is posted
    fc.record({ path: route, fields: signed, drop: fc.nat() }).map(({ path, fields, drop }) => {
      const names = Object.keys(fields).filter((name) => name !== 'CheckMacValue');
      const { [names[drop % names.length]!]: _dropped, ...rest } = fields;
      return { kind: 'field missing', path, contentType: FORM, body: form(rest) };
    }),
    // a genuine notification with one field changed
    fc.record({ path: route, fields: signed, pick: fc.nat(), value: anyText }).map(({ path, fields, pick, value }) => {
      const names = Object.keys(fields);
      const name = names[pick % names.length]!;
      return {
        kind: 'field tampered',
        path,
        contentType: FORM,
        body: form({ ...fields, [name]: fields[name] === value ? `${value}x` : value }),
      };
    }),
    // a valid MAC over other fields than those posted: signed with an extra field that is then not sent
    fc
      .record({ path: route, fields: trade, extra: fc.string({ minLength: 1, maxLength: 10 }) })
      .map(({ path, fields, extra }) => {
        const { Extra: _sent, ...posted } = testing.paymentSucceeded(
          { merchantId: STAGE_MERCHANT.merchantId, ...fields },
          { Extra: extra },
        );
        return { kind: 'mac over other fields', path, contentType: FORM, body: form(posted) };
      }),
    // huge values: over the 64 KiB callback limit, or just under it
    fc
      .record({ path: route, fields: signed, size: fc.constantFrom(60_000, 70_000, 300_000) })
      .map(({ path, fields, size }) => ({
        kind: 'huge value',
        path,
        contentType: FORM,
        body: form({ ...fields, CustomField1: 'A'.repeat(size) }),
      })),
    // bytes that are not UTF-8, raw or percent-encoded
    fc
      .record({
        path: route,
        fields: signed,
        bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }).map((b) => Buffer.from(b.map((x) => x | 0x80))),
      })
      .map(({ path, fields, bytes }) => {
        const text = new URLSearchParams(fields).toString();
        return {
          kind: 'invalid utf-8',
          path,
          contentType: FORM,
          body: Buffer.concat([Buffer.from(`${text}&RtnMsg=`), bytes, Buffer.from(`&x=%${bytes[0]!.toString(16)}%FE`)]),
        };
      }),
    // repeated keys: the MAC covers one of them
    fc.record({ path: route, fields: signed, value: anyText }).map(({ path, fields, value }) => ({
      kind: 'repeated key',
      path,
      contentType: FORM,
      body: utf8(`${new URLSearchParams(fields).toString()}&RtnCode=${encodeURIComponent(value)}`),
    })),
    // qs-style nesting and arrays
    fc
      .record({
        path: route,
        fields: signed,
        nest: fc.constantFrom(
          'MerchantID[a]=1',
          'RtnCode[]=1&RtnCode[]=2',
          'a[b][c]=d',
          '__proto__[x]=1',
          'constructor[prototype][y]=1',
        ),
      })
      .map(({ path, fields, nest }) => ({
        kind: 'nesting',
        path,
        contentType: FORM,
        body: utf8(`${new URLSearchParams(fields).toString()}&${nest}`),
      })),
    // JSON where a form is expected
    fc.record({ path: route, json: fc.jsonValue({ maxDepth: 3 }) }).map(({ path, json }) => ({
      kind: 'json to a form route',
      path,
      contentType: 'application/json',
      body: utf8(JSON.stringify(json)),
    })),
    // a form (or garbage) where the JSON envelope is expected
    fc
      .record({ path: fc.constantFrom(...ENVELOPE_ROUTES), fields: signed })
      .map(({ path, fields }) => ({ kind: 'form to an envelope route', path, contentType: FORM, body: form(fields) })),
    fc
      .record({ path: fc.constantFrom(...ENVELOPE_ROUTES), text: fc.string({ maxLength: 200 }) })
      .map(({ path, text }) => ({
        kind: 'malformed json',
        path,
        contentType: 'application/json',
        body: utf8(`{"MerchantID":${text}`),
      })),
    // envelopes: truncated ciphertext, bad padding, other keys, random base64
    fc
      .record({
        trade,
        cut: fc.integer({ min: 1, max: 40 }),
        how: fc.constantFrom('truncated', 'bad padding', 'other keys', 'random', 'not base64'),
      })
      .map(({ trade: t, cut, how }) => {
        const data = {
          RtnCode: 1,
          RtnMsg: 'Success',
          MerchantID: STAGE_MERCHANT.merchantId,
          OrderInfo: { MerchantTradeNo: t.merchantTradeNo, TradeAmt: t.totalAmount },
        };
        const good = encryptEcpayData(data, STAGE_MERCHANT);
        const Data =
          how === 'truncated'
            ? good.slice(0, Math.max(0, good.length - cut))
            : how === 'bad padding'
              ? badlyPadded(JSON.stringify(data))
              : how === 'other keys'
                ? encryptEcpayData(data, { hashKey: 'AAAAAAAAAAAAAAAA', hashIv: 'BBBBBBBBBBBBBBBB' })
                : how === 'random'
                  ? Buffer.alloc(cut * 16, cut).toString('base64')
                  : '%%%not base64%%%';
        const envelope = {
          MerchantID: STAGE_MERCHANT.merchantId,
          RpHeader: { Timestamp: 1 },
          TransCode: 1,
          TransMsg: 'Success',
          Data,
        };
        return {
          kind: `envelope ${how}`,
          path: '/ecpay/ecpg/return',
          contentType: 'application/json',
          body: utf8(JSON.stringify(envelope)),
        };
      }),
    // random bytes under random content types, to any route
    fc
      .record({
        path: fc.constantFrom(...FORM_ROUTES, ...ENVELOPE_ROUTES),
        contentType: fc.constantFrom(FORM, 'application/json', 'text/plain', 'multipart/form-data; boundary=x', ''),
        body: fc.uint8Array({ maxLength: 300 }),
      })
      .map((r) => ({ kind: 'random bytes', ...r })),
  );
}

describe('hostile notification bodies (reliability)', () => {
  let app: INestApplication;
  let baseUrl: string;
  let dataSource: DataSource;
  const trades: { merchantTradeNo: string; totalAmount: number }[] = [];

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
    app = module.createNestApplication({ rawBody: true, logger: false });
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    dataSource = app.get(DataSource);
    for (let i = 0; i < 20; i++) {
      const checkout = await app.get(EcpayService).createCheckout({
        items: [{ name: 'Tea', price: 100 + i, quantity: 1 }],
        description: 'fuzz',
        payment: { method: 'Credit' },
      });
      trades.push({ merchantTradeNo: checkout.merchantTradeNo, totalAmount: checkout.trade.totalAmount });
    }
  });

  afterAll(() => app?.close());

  it(`answers ${BODIES.toLocaleString('en')} hostile bodies without a 5xx, stores nothing, changes no trade, and keeps its heap flat`, async () => {
    const requests = fc.sample(hostileRequests(trades), { numRuns: BODIES, seed: SEED });
    const statuses = new Map<number, number>();
    const serverErrors: string[] = [];
    const heap: number[] = [];
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;

    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < requests.length) {
        const index = next++;
        const hostile = requests[index]!;
        const headers: Record<string, string> = hostile.contentType ? { 'content-type': hostile.contentType } : {};
        const response = await fetch(baseUrl + hostile.path, {
          method: 'POST',
          headers,
          body: hostile.body,
          redirect: 'manual',
        });
        const text = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status >= 500)
          serverErrors.push(`#${index} ${hostile.kind} ${hostile.path}: ${response.status} ${text.slice(0, 80)}`);
        if (response.status === 200 && text === '1|OK')
          serverErrors.push(`#${index} ${hostile.kind} ${hostile.path}: accepted`);
        // The reply never echoes internals: no stack traces, no SQL, no keys.
        if (/at .+\(.+:\d+:\d+\)|SELECT |INSERT |QueryFailedError|pwFHCqoQZGmho4w6|EkRm7iFT261dpevs/.test(text))
          serverErrors.push(`#${index} ${hostile.kind}: reveals ${text.slice(0, 80)}`);
        if (index === 2_000 || index === requests.length - 1) {
          gc();
          heap.push(process.memoryUsage().heapUsed);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    expect(serverErrors).toEqual([]);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(BODIES);
    // Every hostile body was refused as a client error: nothing was acknowledged.
    expect([...statuses.keys()].every((status) => status >= 400 && status < 500)).toBe(true);
    expect(await dataSource.getRepository(EcpayNotification).count()).toBe(0);
    const stored = await dataSource.getRepository(EcpayTrade).find();
    expect(stored.filter((t) => t.status !== 'pending' || t.version !== 1)).toEqual([]);
    // Heap after 18,000 more requests, against after the first 2,000 (both after a full GC): no growth per request.
    const growth = heap[1]! - heap[0]!;
    expect(growth).toBeLessThan(16 * 1024 * 1024);
    // Reported for docs/RELIABILITY.md.
    process.stdout.write(
      `hostile bodies: ${BODIES}; statuses ${JSON.stringify(Object.fromEntries(statuses))}; heap growth ${(growth / 1024 / 1024).toFixed(1)} MiB\n`,
    );
  }, 180_000);
});
