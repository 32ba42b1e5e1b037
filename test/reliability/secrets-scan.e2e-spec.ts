import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EcpaySandboxNotifier, EcpaySandboxStore, EcpayService, EcpayTesting } from '../../src/index.js';
import { STAGE_MERCHANT } from '../support/test-module.js';
import { payByCard } from '../sandbox/support/sandbox-flow.js';
import { absolute, postForm } from '../sandbox/support/sandbox-http.js';
import { startEcpayWithSandbox } from '../support/sandbox-app.js';

const CARD = '4311-9522-2222-2222';
const DECLINED = '4000-0000-0000-0002';
const CVV = '739';
/** The card numbers in any grouping (spaces, dashes, none), and the keys. */
const SECRETS: readonly { what: string; pattern: RegExp }[] = [
  { what: 'the test card number', pattern: /4311[\s-]*9522[\s-]*2222[\s-]*2222/ },
  { what: 'the declined card number', pattern: /4000[\s-]*0000[\s-]*0000[\s-]*0002/ },
  { what: 'the CVV', pattern: new RegExp(`(^|[^0-9A-Za-z])${CVV}([^0-9A-Za-z]|$)`) },
  { what: 'the HashKey', pattern: new RegExp(STAGE_MERCHANT.hashKey) },
  { what: 'the HashIV', pattern: new RegExp(STAGE_MERCHANT.hashIv) },
];

/** Every line any Nest logger writes, at every level. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  private keep(level: string, message: unknown, rest: unknown[]): void {
    this.lines.push(
      `${level} ${[message, ...rest].map((part) => (typeof part === 'string' ? part : inspect(part, { depth: 6 }))).join(' ')}`,
    );
  }
  log(message: unknown, ...rest: unknown[]) {
    this.keep('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.keep('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.keep('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.keep('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.keep('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]) {
    this.keep('fatal', message, rest);
  }
}

// After a run that pays, declines, rejects a forged notification, trips the rate limit and breaks ECPay's rules,
// no log line, error, reply or table row holds a card number, the CVV, the HashKey or the HashIV.
describe('secrets never reach logs, errors or tables', () => {
  let app: INestApplication;
  let base: string;
  const logger = new CapturingLogger();
  const surfaced: string[] = []; // errors and replies the app produced

  beforeAll(async () => {
    ({ app, base } = await startEcpayWithSandbox({ logger, retrySchedule: [20] }));
  });

  afterAll(() => app?.close());

  async function pay(cardNo: string): Promise<string> {
    const checkout = await app.get(EcpayService).createCheckout({
      items: [{ name: 'Oolong tea', price: 590, quantity: 1 }],
      description: 'Tea order',
      payment: { method: 'Credit' },
    });
    const accepted = await postForm(checkout.action, { ...checkout.fields });
    surfaced.push(
      await payByCard(absolute(checkout.action, accepted.headers.get('location')!), cardNo, { CardCVV: CVV }),
    );
    await app.get(EcpaySandboxNotifier).settled();
    return checkout.merchantTradeNo;
  }

  const capture = async (work: () => Promise<unknown>): Promise<void> => {
    try {
      surfaced.push(inspect(await work(), { depth: 6 }));
    } catch (error) {
      surfaced.push(inspect(error, { depth: 6 }), String((error as Error).stack), JSON.stringify(error));
    }
  };

  it('finds none of them after a run with successes and failures', async () => {
    const paid = await pay(CARD);
    await pay(DECLINED);
    // A forged notification (wrong MAC) and one posted with the card number in a field: both refused and logged.
    const testing = new EcpayTesting(STAGE_MERCHANT);
    const forged = testing.paymentSucceeded(
      { merchantId: STAGE_MERCHANT.merchantId, merchantTradeNo: paid, totalAmount: 590 },
      { CustomField1: CARD },
    );
    const reply = await fetch(`${base}/ecpay/return`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: testing.form({ ...forged, TradeAmt: '1' }),
    });
    surfaced.push(`${reply.status} ${await reply.text()}`);
    // ECPay's rate limit, a query, an order breaking the rules, and the service printed.
    const ecpay = app.get(EcpayService);
    await capture(() => ecpay.client.queryTradeInfo({ merchantTradeNo: paid }));
    app.get(EcpaySandboxStore).setFaults({ rateLimit: true });
    await capture(() => ecpay.client.queryTradeInfo({ merchantTradeNo: paid }));
    await capture(() => ecpay.client.queryTradeInfo({ merchantTradeNo: paid }));
    app.get(EcpaySandboxStore).setFaults({});
    await ecpay.client.resetRateLimit();
    await capture(() =>
      ecpay.createCheckout({
        items: [{ name: '<b>tea</b>', price: 1, quantity: 1 }],
        description: 'x',
        payment: { method: 'Credit' },
      }),
    );
    surfaced.push(
      inspect(ecpay, { depth: 4 }),
      inspect(ecpay.merchant(), { depth: 4 }),
      JSON.stringify(ecpay.merchant()),
    );

    const dataSource = app.get(DataSource);
    const rows: string[] = [];
    for (const entity of dataSource.entityMetadatas) {
      rows.push(
        ...(await dataSource.query(`SELECT * FROM ${dataSource.driver.escape(entity.tableName)}`)).map((row: unknown) =>
          JSON.stringify(row),
        ),
      );
    }
    expect(rows.length).toBeGreaterThan(3);
    expect(logger.lines.length).toBeGreaterThan(0);

    const findings: string[] = [];
    for (const [where, texts] of [
      ['log', logger.lines],
      ['error or reply', surfaced],
      ['table row', rows],
    ] as const) {
      for (const text of texts)
        for (const secret of SECRETS)
          if (secret.pattern.test(text)) findings.push(`${secret.what} in a ${where}: ${text.slice(0, 160)}`);
    }
    expect(findings).toEqual([]);
    process.stdout.write(
      `secrets scan: ${logger.lines.length} log lines, ${surfaced.length} errors/replies, ${rows.length} table rows — nothing found\n`,
    );
  }, 60_000);
});
