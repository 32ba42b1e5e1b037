import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  Controller,
  Header,
  HttpCode,
  Post,
  UseFilters,
  UseGuards,
  type INestApplication,
  type LoggerService,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';
import {
  EcpayCallbackExceptionFilter,
  EcpayCheckMacGuard,
  EcpayEnvelopeGuard,
  EcpayVerifiedEnvelope,
  EcpayVerifiedForm,
  EcpayVerifiedNotification,
  normalizeNotification,
  type AioReturnNotification,
  type VerifiedEcpayEnvelope,
  type VerifiedEcpayForm,
} from '../../src/index.js';
import {
  computeCheckMacValue,
  EcpayCryptoService,
  EcpayModule,
  EcpaySigningService,
  encryptEcpayData,
} from '../../src/index.js';
import { STAGE_MERCHANT } from '../support/test-module.js';
import { extendedVectors, type ExtendedCheckMacVector } from '../support/vectors.js';

// Public stage credentials (docs/protocol.md §4.3): a platform merchant, and a legacy merchant this app does not serve.
const PLATFORM = { merchantId: '3002599', hashKey: 'spPjZn66i0OhqJsQ', hashIv: 'hT5OJckN45isQTTs' } as const;
const MEMBER_ID = '3003001';
const STRANGER = { merchantId: '2000132', hashKey: '5294y06JbISpM5x9', hashIv: 'v77hoKGq4kWxNNIS' } as const;

/**
 * An implementation of docs/protocol.md §1.1/§2.1 written here from the spec, independent of src/signing: sort names
 * case-insensitively, `HashKey=…&k=v…&HashIV=…`, encodeURIComponent with the .NET fixes, lower-case, SHA256.
 */
function independentCheckMac(fields: Record<string, string>, keys: { hashKey: string; hashIv: string }): string {
  const names = Object.keys(fields)
    .filter((name) => name !== 'CheckMacValue')
    .sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0));
  const source = `HashKey=${keys.hashKey}&${names.map((name) => `${name}=${fields[name]}`).join('&')}&HashIV=${keys.hashIv}`;
  const encoded = encodeURIComponent(source)
    .replace(/%20/g, '+')
    .replace(/'/g, '%27')
    .replace(/~/g, '%7e')
    .toLowerCase();
  return createHash('sha256').update(encoded).digest('hex').toUpperCase();
}

const withMac = (
  fields: Record<string, string>,
  keys: { hashKey: string; hashIv: string } = STAGE_MERCHANT,
): Record<string, string> => ({
  ...fields,
  CheckMacValue: independentCheckMac(fields, keys),
});

/** A ReturnURL notification with NeedExtraPaidInfo=Y extras (lower-case names) and empty values. */
const RETURN: Record<string, string> = {
  MerchantID: '3002607',
  MerchantTradeNo: 'EC20240304163654AB',
  StoreID: '',
  RtnCode: '1',
  RtnMsg: '交易成功',
  TradeNo: '2403041636548291',
  TradeAmt: '590',
  PaymentDate: '2024/03/04 16:37:10',
  PaymentType: 'Credit_CreditCard',
  PaymentTypeChargeFee: '12',
  TradeDate: '2024/03/04 16:36:54',
  SimulatePaid: '0',
  CustomField1: '',
  CustomField2: 'order-42',
  CustomField3: '',
  CustomField4: '',
  gwsr: '13118888',
  process_date: '2024/03/04 16:37:10',
  auth_code: '777777',
  amount: '590',
  eci: '',
  card4no: '2222',
  card6no: '431195',
  PayFrom: '',
};

const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();

const seen: { route: string; payload: unknown }[] = [];

@Controller('cb')
@UseFilters(EcpayCallbackExceptionFilter)
class CallbackTestController {
  @Post('form')
  @HttpCode(200)
  @Header('Content-Type', 'text/plain')
  @UseGuards(EcpayCheckMacGuard)
  form(@EcpayVerifiedForm() verified: VerifiedEcpayForm): string {
    seen.push({ route: 'form', payload: verified });
    return '1|OK';
  }

  @Post('return')
  @HttpCode(200)
  @Header('Content-Type', 'text/plain')
  @UseGuards(EcpayCheckMacGuard)
  aioReturn(@EcpayVerifiedNotification('aio-return') notification: AioReturnNotification): string {
    seen.push({ route: 'return', payload: notification });
    return '1|OK';
  }

  @Post('manual')
  @HttpCode(200)
  @Header('Content-Type', 'text/plain')
  @UseGuards(EcpayCheckMacGuard)
  manual(@EcpayVerifiedForm() verified: VerifiedEcpayForm): string {
    const notification = normalizeNotification('aio-return', verified.fields); // throws for a schema-invalid payload
    seen.push({ route: 'manual', payload: notification });
    return '1|OK';
  }

  @Post('envelope')
  @HttpCode(200)
  @Header('Content-Type', 'text/plain')
  @UseGuards(EcpayEnvelopeGuard)
  envelope(@EcpayVerifiedEnvelope() verified: VerifiedEcpayEnvelope): string {
    seen.push({ route: 'envelope', payload: verified });
    return '1|OK';
  }

  @Post('unguarded')
  @HttpCode(200)
  unguarded(@EcpayVerifiedForm() verified: VerifiedEcpayForm): string {
    seen.push({ route: 'unguarded', payload: verified });
    return '1|OK';
  }
}

class CapturingLogger implements LoggerService {
  readonly lines: { level: string; message: string }[] = [];
  private push(level: string, message: unknown) {
    this.lines.push({ level, message: String(message) });
  }
  log(message: unknown) {
    this.push('log', message);
  }
  error(message: unknown) {
    this.push('error', message);
  }
  warn(message: unknown) {
    this.push('warn', message);
  }
  debug(message: unknown) {
    this.push('debug', message);
  }
  verbose(message: unknown) {
    this.push('verbose', message);
  }
  at(level: string): string[] {
    return this.lines.filter((line) => line.level === level).map((line) => line.message);
  }
}

describe.each([
  { rawBody: true, mode: 'with rawBody' },
  { rawBody: false, mode: 'without rawBody (flat parsed body)' },
])('callback guards over HTTP, $mode', ({ rawBody }) => {
  let app: INestApplication;
  let server: Server;
  let signing: EcpaySigningService;
  let crypto: EcpayCryptoService;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    const module = await Test.createTestingModule({
      imports: [
        EcpayModule.forRoot({
          environment: 'stage',
          ...STAGE_MERCHANT,
          merchants: { platform: { ...PLATFORM }, member: { merchantId: MEMBER_ID, platformId: PLATFORM.merchantId } },
          persistence: false,
        }),
      ],
      controllers: [CallbackTestController],
    }).compile();
    app = module.createNestApplication(rawBody ? { rawBody: true, logger } : { logger });
    await app.init();
    server = app.getHttpServer() as Server;
    signing = app.get(EcpaySigningService);
    crypto = app.get(EcpayCryptoService);
  });

  afterAll(async () => {
    await app?.close();
  });

  beforeEach(() => {
    seen.length = 0;
    logger.lines.length = 0;
  });

  const post = (
    path: string,
    body: string | Buffer,
    type: string | undefined = 'application/x-www-form-urlencoded',
  ) => {
    const call = request(server).post(path);
    if (type !== undefined) call.set('Content-Type', type);
    // superagent would run a Buffer through its form serializer; send the bytes as they are.
    if (Buffer.isBuffer(body)) call.serialize((bytes: unknown) => bytes as string);
    return call.send(body);
  };

  /** A refusal: 400, text/plain, exactly `0|reason` (no newline), and the handler never ran. */
  function expectRefused(response: request.Response, reason: string) {
    expect({ status: response.status, text: response.text }).toEqual({ status: 400, text: `0|${reason}` });
    expect(response.headers['content-type']).toMatch(/^text\/plain\b/);
    expect(seen).toEqual([]);
  }

  function expectAccepted(response: request.Response) {
    expect({ status: response.status, text: response.text }).toEqual({ status: 200, text: '1|OK' });
    expect(seen).toHaveLength(1);
    return seen[0]!.payload;
  }

  describe('EcpayCheckMacGuard', () => {
    it('accepts a notification signed by EcpaySigningService; the handler gets every field exactly as posted', async () => {
      const signed = signing.signParams(RETURN);
      const verified = expectAccepted(await post('/cb/form', form(signed))) as VerifiedEcpayForm;
      expect(verified.fields).toEqual(signed); // empty values, lower-case extras and CheckMacValue included
      expect(Object.keys(verified.fields)).toEqual(Object.keys(signed));
      expect(verified.merchantId).toBe('3002607');
      expect(verified.platformId).toBeUndefined();
      expect(Object.isFrozen(verified.fields)).toBe(true);
    });

    it('accepts a notification signed by the independent implementation (and both agree)', async () => {
      const signed = withMac(RETURN);
      expect(signed.CheckMacValue).toBe(signing.sign(RETURN));
      const verified = expectAccepted(await post('/cb/form', form(signed))) as VerifiedEcpayForm;
      expect(verified.fields).toEqual(signed);
    });

    it('accepts a Content-Type with charset=utf-8', async () => {
      expectAccepted(await post('/cb/form', form(withMac(RETURN)), 'application/x-www-form-urlencoded; charset=UTF-8'));
    });

    it.each(Object.keys(RETURN))('refuses the notification when %s is altered, and logs why', async (name) => {
      const signed = withMac(RETURN);
      const tampered = { ...signed, [name]: signed[name] === '' ? 'x' : `${signed[name]}9` };
      expectRefused(await post('/cb/form', form(tampered)), 'CheckMacValue invalid');
      const warnings = logger.at('warn');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('POST /cb/form from ');
      expect(warnings[0]).toContain('CheckMacValue invalid');
    });

    it.each(Object.keys(RETURN))('refuses the notification when %s is left out', async (name) => {
      const { [name]: _dropped, ...rest } = withMac(RETURN);
      expectRefused(await post('/cb/form', form(rest)), 'CheckMacValue invalid');
    });

    it('refuses an unsigned extra field, and an altered CheckMacValue', async () => {
      const signed = withMac(RETURN);
      expectRefused(await post('/cb/form', form({ ...signed, Extra: '' })), 'CheckMacValue invalid');
      const mac = signed.CheckMacValue;
      const altered = mac.slice(0, 10) + (mac[10] === 'A' ? 'B' : 'A') + mac.slice(11);
      expectRefused(await post('/cb/form', form({ ...signed, CheckMacValue: altered })), 'CheckMacValue invalid');
    });

    it('refuses a genuine MD5 CheckMacValue: payment notifications are SHA256, no downgrade', async () => {
      const md5 = computeCheckMacValue(RETURN, STAGE_MERCHANT, 'md5');
      expect(signing.verify({ ...RETURN, CheckMacValue: md5 })).toBe(true); // valid MD5 for the generic verifier…
      expectRefused(await post('/cb/form', form({ ...RETURN, CheckMacValue: md5 })), 'CheckMacValue invalid'); // …not here
      expect(logger.at('warn')[0]).toContain('CheckMacValue has 32 characters');
    });

    it('accepts a lower-case hex CheckMacValue', async () => {
      const signed = withMac(RETURN);
      expectAccepted(await post('/cb/form', form({ ...signed, CheckMacValue: signed.CheckMacValue.toLowerCase() })));
    });

    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['63 characters', 'A'.repeat(63)],
      ['65 characters', 'A'.repeat(65)],
      ['MD5 length (32) but not the MD5', 'A'.repeat(32)],
      ['64 non-hex characters', 'Z'.repeat(64)],
    ])('refuses a CheckMacValue that is %s', async (_label, value) => {
      const { CheckMacValue: _mac, ...fields } = withMac(RETURN);
      expectRefused(
        await post('/cb/form', form(value === undefined ? fields : { ...fields, CheckMacValue: value })),
        'CheckMacValue invalid',
      );
    });

    it('refuses a repeated field as malformed (ambiguous), even with the same value', async () => {
      const body = form(withMac(RETURN));
      expectRefused(await post('/cb/form', `${body}&RtnCode=1`), 'Malformed body');
      expectRefused(await post('/cb/form', `${body}&RtnCode=2`), 'Malformed body');
      expectRefused(await post('/cb/form', `${body}&CheckMacValue=${withMac(RETURN).CheckMacValue}`), 'Malformed body');
      expect(logger.at('warn').every((line) => line.includes('Malformed body') && line.includes('repeated'))).toBe(
        true,
      );
    });

    it('handles bracketed names without verifying a re-serialisation', async () => {
      const signed = withMac({ ...RETURN, 'a[b]': 'c' });
      const response = await post('/cb/form', form(signed));
      if (rawBody) {
        // The exact bytes: `a[b]` is just a field name, and it was signed.
        const verified = expectAccepted(response) as VerifiedEcpayForm;
        expect(verified.fields['a[b]']).toBe('c');
      } else {
        // Nest's extended parser made {a: {b: 'c'}} of it: refused rather than guessed back.
        expectRefused(response, 'Malformed body');
      }
      seen.length = 0;
      expectRefused(
        await post('/cb/form', `${form(withMac(RETURN))}&a%5Bb%5D=c`),
        rawBody ? 'CheckMacValue invalid' : 'Malformed body',
      );
    });

    it('refuses a body that is not a form (JSON, text, none) before looking at it', async () => {
      const signed = withMac(RETURN);
      expectRefused(await post('/cb/form', JSON.stringify(signed), 'application/json'), 'Unsupported Content-Type');
      expectRefused(await post('/cb/form', form(signed), 'text/plain'), 'Unsupported Content-Type');
      expectRefused(
        await post('/cb/form', form(signed), 'application/x-www-form-urlencoded; charset=iso-8859-1'),
        'Unsupported Content-Type',
      );
      expectRefused(await request(server).post('/cb/form'), 'Unsupported Content-Type');
    });

    it('verifies values with + % & = Chinese emoji quotes and newlines, however they were percent-encoded', async () => {
      const tricky = {
        ...RETURN,
        CustomField1: 'a+b %41 & c=d',
        CustomField2: "中文 ~'!*() 😀",
        CustomField3: 'line1\r\nline2\t"q"',
        CustomField4: ' lead',
      };
      const signed = withMac(tricky);
      const verified = expectAccepted(await post('/cb/form', form(signed))) as VerifiedEcpayForm;
      expect(verified.fields).toEqual(signed);
      // The same fields, encoded differently on the wire: %20 for spaces, lower-case hex, raw UTF-8.
      seen.length = 0;
      const alternative = Object.entries(signed)
        .map(
          ([name, value]) =>
            `${name}=${encodeURIComponent(value).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase())}`,
        )
        .join('&');
      expect((expectAccepted(await post('/cb/form', alternative)) as VerifiedEcpayForm).fields).toEqual(signed);
      seen.length = 0;
      const rawUtf8 = Buffer.from(form(signed).replace(/%E4%B8%AD%E6%96%87/g, '中文'), 'utf8');
      expect((expectAccepted(await post('/cb/form', rawUtf8)) as VerifiedEcpayForm).fields).toEqual(signed);
    });

    it('refuses a notification from a MerchantID this app does not serve, and says so in the log', async () => {
      const stranger = withMac({ ...RETURN, MerchantID: STRANGER.merchantId }, STRANGER);
      expectRefused(await post('/cb/form', form(stranger)), 'CheckMacValue invalid');
      expect(logger.at('warn')[0]).toContain('MerchantID is not a configured merchant');
    });

    it("verifies a platform member's notification with the platform's keys", async () => {
      const member = { ...RETURN, MerchantID: MEMBER_ID, PlatformID: PLATFORM.merchantId };
      const verified = expectAccepted(await post('/cb/form', form(withMac(member, PLATFORM)))) as VerifiedEcpayForm;
      expect(verified).toMatchObject({ merchantId: MEMBER_ID, platformId: PLATFORM.merchantId });
      seen.length = 0;
      expectRefused(await post('/cb/form', form(withMac(member, STAGE_MERCHANT))), 'CheckMacValue invalid');
    });

    it("verifies the ECPay PHP SDK's example ReturnURL post (vector sdkphp-callback-example)", async () => {
      const vector = extendedVectors().find((v) => v.name === 'sdkphp-callback-example') as ExtendedCheckMacVector;
      const fields = { ...(vector.input as Record<string, string>), CheckMacValue: vector.expected };
      expect(independentCheckMac(vector.input as Record<string, string>, STAGE_MERCHANT)).toBe(vector.expected);
      const verified = expectAccepted(await post('/cb/form', form(fields))) as VerifiedEcpayForm;
      expect(verified.fields).toEqual(fields);
    });

    it('verifies every SHA256 vector of the stage merchant when posted as a form', async () => {
      const vectors = extendedVectors().filter(
        (v): v is ExtendedCheckMacVector =>
          v.kind === 'checkmac-sha256' && v.hashKey === STAGE_MERCHANT.hashKey && v.hashIV === STAGE_MERCHANT.hashIv,
      );
      expect(vectors.length).toBeGreaterThan(10);
      for (const vector of vectors) {
        seen.length = 0;
        const fields = {
          ...Object.fromEntries(Object.entries(vector.input).map(([k, v]) => [k, String(v)])),
          CheckMacValue: vector.expected,
        };
        const response = await post('/cb/form', form(fields));
        expect({ vector: vector.name, status: response.status }).toEqual({ vector: vector.name, status: 200 });
        expect((seen[0]!.payload as VerifiedEcpayForm).fields).toEqual(fields);
      }
    });

    it('logs a refusal with route, IP, MerchantID and MerchantTradeNo — never the MAC, the keys or the body', async () => {
      const signed = withMac({
        ...RETURN,
        MerchantTradeNo: 'EVIL\n[Nest] fake log line',
        RtnMsg: 'secret-ish body text',
      });
      const tampered = { ...signed, TradeAmt: '1' };
      expectRefused(await post('/cb/form', form(tampered)), 'CheckMacValue invalid');
      const [line, ...more] = logger.at('warn');
      expect(more).toEqual([]);
      expect(line).toMatch(
        /^Refused ECPay notification POST \/cb\/form from \S+: CheckMacValue invalid \(CheckMacValue does not match the fields\); MerchantID 3002607, MerchantTradeNo EVIL\?\?Nest\?\?fake\?log\?line$/,
      );
      for (const secret of [signed.CheckMacValue, STAGE_MERCHANT.hashKey, STAGE_MERCHANT.hashIv, 'secret-ish', '\n'])
        expect(line).not.toContain(secret);
    });

    it('never answers 5xx to malformed bodies', async () => {
      const body = form(withMac(RETURN));
      const mac = 'CheckMacValue invalid';
      // [case, body, content type, answer with rawBody, answer without]. A number is a status set by Nest's body
      // parser before any route runs (its JSON error, outside the guard's reach); a string is the guard's `0|reason`.
      const cases: [string, string | Buffer, string | undefined, string | number, string | number][] = [
        ['invalid UTF-8 percent escapes', `${body}&Extra=%FF%FE`, undefined, 'Malformed body', mac],
        ['a stray %', `${body}&Extra=100%`, undefined, 'Malformed body', mac],
        ['a broken escape', `${body}&Extra=%zz`, undefined, 'Malformed body', mac],
        [
          'bytes that are not UTF-8',
          Buffer.concat([Buffer.from(`${body}&Extra=`), Buffer.from([0xff, 0xc3])]),
          undefined,
          'Malformed body',
          mac,
        ],
        ['prototype names', `${body}&__proto__=x&constructor=y&hasOwnProperty=z`, undefined, mac, mac],
        ['array syntax', `${body}&x[]=1&x[]=2`, undefined, 'Malformed body', 'Malformed body'],
        ['80 KiB', `${body}&Extra=${'x'.repeat(80 * 1024)}`, undefined, 'Body too large', 'Body too large'],
        ['only separators', '&&&==&', undefined, 'Malformed body', mac],
        ['empty', '', undefined, mac, mac],
        ['deep nesting', `${body}&a${'[b]'.repeat(40)}=1`, undefined, 400, 400],
        ['2000 fields', Array.from({ length: 2000 }, (_, i) => `f${i}=1`).join('&'), undefined, 413, 413],
        ['1 MB', `${body}&Extra=${'x'.repeat(1024 * 1024)}`, undefined, 413, 413],
        ['an unknown charset', body, 'application/x-www-form-urlencoded; charset=big5', 415, 415],
        ['broken JSON', '{"MerchantID":', 'application/json', 400, 400],
      ];
      for (const [label, payload, type, withRaw, withoutRaw] of cases) {
        const expected = rawBody ? withRaw : withoutRaw;
        const response = await post('/cb/form', payload, type ?? 'application/x-www-form-urlencoded');
        if (typeof expected === 'number') {
          expect({ label, status: response.status }).toEqual({ label, status: expected });
        } else {
          expect({ label, status: response.status, text: response.text }).toEqual({
            label,
            status: 400,
            text: `0|${expected}`,
          });
          expect(response.headers['content-type']).toMatch(/^text\/plain/);
        }
      }
      expect(seen).toEqual([]);
    });

    it('never lets a nameless field through unverified', async () => {
      const response = await post('/cb/form', `${form(withMac(RETURN))}&=x`);
      if (rawBody) {
        expectRefused(response, 'Malformed body');
      } else {
        // Nest's parser drops a nameless pair before the guard sees the body: what the handler gets is still
        // exactly the signed fields, nothing unverified.
        expect((expectAccepted(response) as VerifiedEcpayForm).fields).toEqual(withMac(RETURN));
      }
    });

    it('keeps fields named like Object.prototype members as fields (raw body)', async () => {
      const fields = Object.fromEntries([
        ...Object.entries(RETURN),
        ['__proto__', 'x'],
        ['constructor', 'y'],
        ['toString', 'z'],
      ]);
      const signed = { ...fields, CheckMacValue: signing.sign(fields) };
      const response = await post('/cb/form', new URLSearchParams(Object.entries(signed)).toString());
      if (rawBody) {
        const verified = expectAccepted(response) as VerifiedEcpayForm;
        expect(Object.hasOwn(verified.fields, '__proto__')).toBe(true);
        expect(verified.fields.constructor).toBe('y');
      } else {
        expect(response.status).toBe(400); // the parser drops or reshapes them; the MAC no longer matches
      }
    });
  });

  describe('EcpayVerifiedNotification and normalizeNotification', () => {
    it('hands the handler a normalised ReturnURL notification', async () => {
      const signed = withMac(RETURN);
      const notification = expectAccepted(await post('/cb/return', form(signed))) as AioReturnNotification;
      expect(notification).toMatchObject({
        kind: 'aio-return',
        succeeded: true,
        MerchantID: '3002607',
        RtnCode: 1,
        TradeAmt: 590,
        PaymentTypeChargeFee: 12,
        SimulatePaid: false,
        CustomField2: 'order-42',
      });
      expect(notification.PaymentDate?.toISOString()).toBe('2024-03-04T08:37:10.000Z');
      expect(notification.raw).toEqual(signed);
    });

    it('answers 0|Malformed body (400) to a verified but schema-invalid notification and logs it at error', async () => {
      const invalid = withMac({ ...RETURN, TradeAmt: 'abc' });
      expectRefused(await post('/cb/return', form(invalid)), 'Malformed body');
      expect(logger.at('error')).toEqual([
        expect.stringContaining('TradeAmt (TradeAmt must be a non-negative integer)'),
      ]);
      expect(logger.at('error')[0]).not.toContain('abc');
      // The same from a handler that normalises by itself: the filter maps the typed error.
      logger.lines.length = 0;
      expectRefused(await post('/cb/manual', form(invalid)), 'Malformed body');
      expect(logger.at('error')).toEqual([expect.stringContaining('TradeAmt')]);
    });

    it('fails loudly (500) when a route reads the verified form without the guard: a wiring mistake, not bad input', async () => {
      const response = await post('/cb/unguarded', form(withMac(RETURN)));
      expect(response.status).toBe(500);
      expect(seen).toEqual([]);
    });
  });

  describe('EcpayEnvelopeGuard', () => {
    const DATA = {
      RtnCode: 1,
      RtnMsg: 'Success',
      MerchantID: '3002607',
      SimulatePaid: 0,
      OrderInfo: {
        MerchantTradeNo: 'EC20240304163654AB',
        TradeNo: '2403041636548291',
        TradeAmt: 590,
        TradeDate: '2024/03/04 16:36:54',
        PaymentType: 'Credit',
        PaymentDate: '2024/03/04 16:37:10',
        ChargeFee: 12,
        TradeStatus: '1',
      },
      CardInfo: { Card6No: '431195', Card4No: '2222', AuthCode: '777777' },
      CustomField: '中文 + / "quoted"',
    };
    const envelope = (overrides: Record<string, unknown> = {}, data: unknown = DATA) => ({
      MerchantID: '3002607',
      RpHeader: { Timestamp: 1709541430 },
      TransCode: 1,
      TransMsg: 'Success',
      Data: crypto.encrypt(data),
      ...overrides,
    });
    const postJson = (body: unknown) => post('/cb/envelope', JSON.stringify(body), 'application/json');

    it('opens a JSON envelope: the handler gets the decrypted Data', async () => {
      const verified = expectAccepted(await postJson(envelope())) as VerifiedEcpayEnvelope;
      expect(verified).toMatchObject({ merchantId: '3002607', source: 'json', data: DATA });
      expect(verified.result).toMatchObject({ status: 'success', rtnCode: 1, rtnMsg: 'Success', transCode: 1 });
    });

    it('lets a business failure (RtnCode ≠ 1) through: it is a genuine notification', async () => {
      const verified = expectAccepted(
        await postJson(envelope({}, { ...DATA, RtnCode: 10100058, RtnMsg: '付款失敗' })),
      ) as VerifiedEcpayEnvelope;
      expect(verified.result).toMatchObject({ status: 'business-failure', rtnCode: 10100058, rtnMsg: '付款失敗' });
    });

    it('opens the ResultData form post (ecpg OrderResultURL)', async () => {
      const verified = expectAccepted(
        await post('/cb/envelope', form({ ResultData: JSON.stringify(envelope()) })),
      ) as VerifiedEcpayEnvelope;
      expect(verified).toMatchObject({ merchantId: '3002607', source: 'form', data: DATA });
    });

    it.each<[string, (make: typeof envelope) => unknown]>([
      ['Data encrypted with another key', (make) => make({ Data: encryptEcpayData(DATA, STRANGER) })],
      ['Data that is not base64', (make) => make({ Data: '***not base64***' })],
      [
        'Data altered in transit',
        (make) => {
          const data = make().Data as string;
          return make({ Data: data.slice(0, 5) + (data[5] === 'A' ? 'B' : 'A') + data.slice(6) });
        },
      ],
      ['TransCode 0', (make) => make({ TransCode: 0, TransMsg: 'Fail', Data: '' })],
      ['TransCode 1 without Data', (make) => make({ Data: undefined })],
      ['TransCode not a number', (make) => make({ TransCode: 'one' })],
      ['an unknown MerchantID', (make) => make({ MerchantID: STRANGER.merchantId })],
      ['no MerchantID', (make) => make({ MerchantID: undefined })],
      ['an array', () => []],
      ['an empty object', () => ({})],
    ])('refuses %s with 0|Envelope invalid', async (_label, build) => {
      expectRefused(await postJson(build(envelope)), 'Envelope invalid');
      expect(logger.at('warn')).toEqual([expect.stringContaining('Envelope invalid')]);
    });

    it('refuses a broken ResultData form post', async () => {
      expectRefused(await post('/cb/envelope', form({ ResultData: 'not json' })), 'Envelope invalid');
      expectRefused(await post('/cb/envelope', form({ Other: 'x' })), 'Envelope invalid');
      expectRefused(
        await post('/cb/envelope', form({ ResultData: JSON.stringify(envelope({ TransCode: 0 })) })),
        'Envelope invalid',
      );
      const good = form({ ResultData: JSON.stringify(envelope()) });
      expectRefused(await post('/cb/envelope', `${good}&${good}`), 'Malformed body');
    });

    it('refuses other content types and never answers 5xx', async () => {
      expectRefused(await post('/cb/envelope', JSON.stringify(envelope()), 'text/plain'), 'Unsupported Content-Type');
      for (const [payload, type] of [
        ['{"MerchantID":', 'application/json'],
        ['"just a string"', 'application/json'],
        ['null', 'application/json'],
        [JSON.stringify({ ...envelope(), pad: 'x'.repeat(1024 * 1024) }), 'application/json'],
        [`ResultData=${'%7B'.repeat(10)}`, 'application/x-www-form-urlencoded'],
      ] as const) {
        const response = await post('/cb/envelope', payload, type);
        expect(response.status >= 400 && response.status < 500).toBe(true);
      }
      expect(seen).toEqual([]);
    });

    it('logs the refusal without Data, keys or plaintext', async () => {
      const bad = envelope({ Data: encryptEcpayData(DATA, STRANGER) });
      expectRefused(await postJson(bad), 'Envelope invalid');
      const [line] = logger.at('warn');
      expect(line).toMatch(
        /^Refused ECPay notification POST \/cb\/envelope from \S+: Envelope invalid \(\S+\); MerchantID 3002607$/,
      );
      for (const secret of [bad.Data as string, STAGE_MERCHANT.hashKey, STAGE_MERCHANT.hashIv, 'Card4No'])
        expect(line).not.toContain(secret);
    });
  });
});
