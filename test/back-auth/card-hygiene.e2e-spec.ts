import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger, type LoggerService } from '@nestjs/common';
import { inspect } from 'node:util';
import type { EcpayBackAuthInput } from '../../src/back-auth/back-auth-input.interface.js';
import { EcpayBackAuthRequest } from '../../src/back-auth/back-auth-request.js';
import { buildBackAuthData } from '../../src/back-auth/build-back-auth-data.js';
import { EcpayBackAuthService } from '../../src/back-auth/ecpay-back-auth.service.js';
import type { EcpayJsonApi, EcpayJsonTransport } from '../../src/back-auth/ecpay-json-transport.interface.js';
import { BACK_AUTH_PATH, BackAuthStub, closedPort, QUERY_TRADE_PATH, STAGE_KEYS } from './support/back-auth-stub.js';
import { fixedClock, NOW } from './support/fixtures.js';
import { HttpJsonTransport } from './support/http-json-transport.js';

/**
 * Card data hygiene, end to end: every path (authorized, 3-D Secure, declined, lost answer + query, query failing,
 * TransCode error, a transport that echoes its request, validation failures) runs while EVERYTHING printable is
 * captured — Nest Logger calls, console.*, raw stdout/stderr writes, every thrown error's message, stack, JSON and
 * inspect form, every returned result — and none of it may contain the card number (in any grouping), the CVV or
 * the expiry. The card, CVV and expiry are chosen so that no incidental number (Card6No 411111, Card4No 1111, dates,
 * amounts) can be mistaken for them.
 */

const CARD = '4111 1111 1111 1111';
const CARD_DIGITS = '4111111111111111';
const CVV = '837';
const MM = '09';
const YY = '34';

const captured: string[] = [];
const capture = (...args: unknown[]): void =>
  void captured.push(args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg, { depth: 8 }))).join(' '));
const captureLogger: LoggerService = {
  log: capture,
  error: capture,
  warn: capture,
  debug: capture,
  verbose: capture,
  fatal: capture,
};

/** Every printable form of a thrown error. */
function recordError(error: unknown): void {
  const e = error as Error;
  captured.push(
    String(e?.message),
    String(e?.stack),
    JSON.stringify(error) ?? '',
    inspect(error, { depth: 8 }),
    String(error),
  );
}

function recordValue(value: unknown): void {
  captured.push(JSON.stringify(value) ?? '', inspect(value, { depth: 8 }), String(value));
}

const input = (merchantTradeNo: string, card: Partial<EcpayBackAuthInput['CardInfo']> = {}): EcpayBackAuthInput => ({
  OrderInfo: {
    MerchantTradeNo: merchantTradeNo,
    TotalAmount: 500,
    ItemName: 'Tea x1',
    TradeDesc: 'Tea',
    ReturnURL: 'https://shop.example.com/ecpay/return',
  },
  CardInfo: { CardNo: CARD, CardValidMM: MM, CardValidYY: YY, CardCVV2: CVV, DirectCapture: '0', ...card },
  ConsumerInfo: { Email: 'customer@email.com', Phone: '0912345678', Name: 'Test', CountryCode: '158' },
});

/** Leaks everything it is given, the way a careless HTTP client might. */
class LeakyTransport implements EcpayJsonTransport {
  async post(_api: EcpayJsonApi, data: object): Promise<object> {
    throw Object.assign(new Error(`request failed: ${JSON.stringify(data)}`), { request: data });
  }
}

describe('card data never leaves the call', () => {
  const stub = new BackAuthStub();
  let base = '';
  const spies: { mockRestore(): void }[] = [];

  beforeAll(async () => {
    base = await stub.start();
    Logger.overrideLogger(captureLogger);
    for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
      spies.push(jest.spyOn(console, method).mockImplementation(capture));
    }
    for (const stream of [process.stdout, process.stderr]) {
      spies.push(jest.spyOn(stream, 'write').mockImplementation((chunk: unknown) => (capture(String(chunk)), true)));
    }
  });

  afterAll(async () => {
    for (const spy of spies) spy.mockRestore();
    await stub.stop();
  });

  it('in results, logs and errors of every path', async () => {
    const refused = await closedPort();
    const service = (urls: Partial<Record<EcpayJsonApi, string>> = {}, timeoutMs?: number): EcpayBackAuthService =>
      new EcpayBackAuthService(
        new HttpJsonTransport(
          { backAuth: base + BACK_AUTH_PATH, queryTrade: base + QUERY_TRADE_PATH, ...urls },
          STAGE_KEYS,
          fixedClock.now,
        ),
        { merchantId: STAGE_KEYS.merchantId, timeoutMs },
        fixedClock,
      );

    const runs: [string, () => Promise<unknown>][] = [
      ['authorized', async () => ((stub.backAuth = 'authorize'), service().backAuth(input('Hygiene01')))],
      [
        'authorized, wrapped input',
        async () => ((stub.backAuth = 'authorize'), service().backAuth(new EcpayBackAuthRequest(input('Hygiene02')))),
      ],
      ['3-D Secure', async () => ((stub.backAuth = 'three-d-secure'), service().backAuth(input('Hygiene03')))],
      ['declined', async () => ((stub.backAuth = 'decline'), service().backAuth(input('Hygiene04')))],
      [
        'timeout, then query',
        async () => ((stub.backAuth = 'authorize-then-hang'), service({}, 200).backAuth(input('Hygiene05'))),
      ],
      [
        'refused, query refused',
        async () =>
          service({ backAuth: `http://127.0.0.1:${refused}/`, queryTrade: `http://127.0.0.1:${refused}/` }).backAuth(
            input('Hygiene06'),
          ),
      ],
      ['TransCode error', async () => ((stub.backAuth = 'trans-code-error'), service().backAuth(input('Hygiene07')))],
      [
        'leaky transport',
        async () =>
          new EcpayBackAuthService(new LeakyTransport(), { merchantId: '3002607' }, fixedClock).backAuth(
            input('Hygiene08'),
          ),
      ],
      ['expired card', async () => service().backAuth(input('Hygiene09', { CardValidYY: '24' }))],
      ['Luhn failure', async () => service().backAuth(input('Hygiene10', { CardNo: '4111 1111 1111 1112' }))],
      ['bad CVV and month', async () => service().backAuth(input('Hygiene11', { CardCVV2: '8370', CardValidMM: '9' }))],
    ];

    const outcomes: Record<string, string> = {};
    for (const [name, run] of runs) {
      try {
        const result = await run();
        recordValue(result);
        outcomes[name] = (result as { status: string }).status;
      } catch (error) {
        recordError(error);
        outcomes[name] = (error as Error).name;
      }
    }
    // The wrappers and the built Data print redacted too.
    const wrapped = new EcpayBackAuthRequest(input('Hygiene12'));
    captured.push(inspect(wrapped, { depth: 8 }), JSON.stringify(wrapped), String(wrapped), `${wrapped}`);
    const data = buildBackAuthData(wrapped, '3002607', NOW);
    captured.push(inspect(data, { depth: 8 }), inspect({ data }, { depth: 8 }), inspect(data.CardInfo));
    console.log('request', wrapped, data);
    new Logger('App').log(wrapped);
    new Logger('App').warn({ data });

    // Every path really ran, and the paths that send reached the stub with the real card.
    expect(outcomes).toEqual({
      authorized: 'authorized',
      'authorized, wrapped input': 'authorized',
      '3-D Secure': 'three-d-secure',
      declined: 'failed',
      'timeout, then query': 'authorized',
      'refused, query refused': 'unknown',
      'TransCode error': 'TestTransportError',
      'leaky transport': 'EcpayCardDataWithheldError',
      'expired card': 'EcpayValidationError',
      'Luhn failure': 'EcpayValidationError',
      'bad CVV and month': 'EcpayValidationError',
    });
    expect(
      stub.calls
        .filter((call) => call.path === BACK_AUTH_PATH)
        .every((call) => (call.data.CardInfo as { CardNo: string }).CardNo === CARD_DIGITS),
    ).toBe(true);
    expect(captured.some((text) => text.includes('Hygiene05: no answer'))).toBe(true); // the logger capture works
    expect(captured.some((text) => text.includes('[REDACTED]'))).toBe(true);

    const text = captured.join('\n');
    // The card number in any grouping: its digits with up to three non-digits between any two of them.
    const anyGrouping = (digits: string): RegExp => new RegExp(digits.split('').join('\\D{0,3}'));
    expect(text).not.toMatch(anyGrouping(CARD_DIGITS));
    expect(text).not.toMatch(anyGrouping('4111111111111112'));
    // Stack frames ("    at fn (file:line:col)") are code locations: a line number may equal a CVV by chance.
    const withoutFrames = text.replace(/^\s+at .*$/gm, '');
    expect(withoutFrames).not.toMatch(/(?<!\d)837(?!\d)|(?<!\d)8370(?!\d)/);
    expect(withoutFrames).not.toMatch(new RegExp(`${MM}\\D{0,3}${YY}|${YY}\\D{0,3}${MM}|20${YY}\\D{0,3}${MM}`));
  });
});
