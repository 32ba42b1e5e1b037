import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import {
  ECPAY_MIGRATIONS,
  EcpayModule,
  EcpayNotificationDispatcher,
  EcpayNotificationService,
  EcpayService,
  EcpayTesting,
  EcpayTradeStore,
  formatEcpayDateTime,
  OnEcpayEvent,
  type EcpayEvent,
  type EcpayModuleOptions,
  type EcpayPaymentOptions,
  type EcpayTrade,
} from '../../../src/index.js';
import { EcpayStub, rawKeyValue, stubSign, type StubRequest } from '../../client/ecpay-stub.js';
import type { TestDatabase } from '../../support/databases.js';
import { STAGE_MERCHANT } from '../../support/test-module.js';

export const MERCHANT_ID = STAGE_MERCHANT.merchantId;
export const KEYS = { hashKey: STAGE_MERCHANT.hashKey, hashIv: STAGE_MERCHANT.hashIv };

/** Every event handled, across the apps of a test file (one process, so one array). */
export const handled: EcpayEvent[] = [];

@Injectable()
class RecordingListener {
  @OnEcpayEvent('*')
  record(event: EcpayEvent): void {
    handled.push(event);
  }
}

@Module({ providers: [RecordingListener] })
class ListenerModule {}

/** The events handled for one trade, by name. */
export const eventsOf = (merchantTradeNo: string, name?: string): EcpayEvent[] =>
  handled.filter((event) => event.merchantTradeNo === merchantTradeNo && (name === undefined || event.name === name));

/** A clock the test sets and moves. */
export class TestClock {
  constructor(private time: number) {}
  now = (): Date => new Date(this.time);
  set(at: Date | number): void {
    this.time = typeof at === 'number' ? at : at.getTime();
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

/** An instant given as Asia/Taipei wall-clock time (UTC+8, no DST). */
export const taipei = (text: string): Date => new Date(`${text}+08:00`);

let counter = 0;
/** A unique MerchantTradeNo (letters and digits, ≤ 20). */
export const nextTradeNo = (prefix = 'O'): string =>
  `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 5)}`
    .toUpperCase()
    .slice(0, 20);

/** One app (real HTTP server) on the test database, calling the stub as its ECPay. */
export interface OperationsApp {
  readonly app: INestApplication;
  readonly url: string;
  readonly ecpay: EcpayService;
  readonly dataSource: DataSource;
  readonly store: EcpayTradeStore;
  readonly notifications: EcpayNotificationService;
  readonly dispatcher: EcpayNotificationDispatcher;
}

export async function startApp(
  database: TestDatabase,
  stub: EcpayStub,
  clock: TestClock,
  options: Partial<EcpayModuleOptions> = {},
  runMigrations = true,
): Promise<OperationsApp> {
  const module = await Test.createTestingModule({
    imports: [
      TypeOrmModule.forRoot({
        ...database.options(),
        autoLoadEntities: true,
        migrations: [...ECPAY_MIGRATIONS],
        migrationsRun: runMigrations,
        logging: false,
      } as never),
      EcpayModule.forRoot({
        environment: 'sandbox',
        sandboxUrl: stub.url,
        ...STAGE_MERCHANT,
        publicUrl: 'https://shop.example.com',
        clock,
        // Events are dispatched when the test kicks the dispatcher, so counts are exact.
        dispatch: { pollIntervalMs: 0 },
        ...options,
      } as EcpayModuleOptions),
      ListenerModule,
    ],
  }).compile();
  const app = module.createNestApplication({ rawBody: true, logger: false });
  await app.listen(0, '127.0.0.1');
  return {
    app,
    url: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`,
    ecpay: app.get(EcpayService),
    dataSource: app.get(DataSource),
    store: app.get(EcpayTradeStore),
    notifications: app.get(EcpayNotificationService),
    dispatcher: app.get(EcpayNotificationDispatcher),
  };
}

/** A pending card trade of `amount` TWD. */
export function createTrade(
  app: OperationsApp,
  amount = 1000,
  paymentOptions: EcpayPaymentOptions | null = null,
  choosePayment = 'Credit',
): Promise<EcpayTrade> {
  return app.store.createPending({
    merchantId: MERCHANT_ID,
    merchantTradeNo: nextTradeNo(),
    totalAmount: amount,
    choosePayment,
    paymentOptions,
    itemName: 'Oolong tea',
    tradeDesc: 'Tea order',
    merchantTradeDate: '2026/11/22 12:00:00',
  });
}

/** ECPay's TradeNo for a trade (20 digits at most, stable per MerchantTradeNo so ReturnURL and the query agree). */
export const ecpayTradeNoOf = (merchantTradeNo: string): string =>
  `24${[...merchantTradeNo].reduce((n, c) => (n * 31 + c.charCodeAt(0)) % 1e14, 7)}`.padEnd(16, '0');

/** The verified ReturnURL fields of a card payment at `paidAt`. */
export function paymentFields(trade: EcpayTrade, paidAt: Date): Record<string, string> {
  return new EcpayTesting(KEYS).paymentSucceeded(
    { merchantId: trade.merchantId, merchantTradeNo: trade.merchantTradeNo, totalAmount: trade.totalAmount },
    {
      TradeNo: ecpayTradeNoOf(trade.merchantTradeNo),
      PaymentDate: formatEcpayDateTime(paidAt),
      PaymentType: 'Credit_CreditCard',
    },
  );
}

/** A card trade paid at `paidAt` (ReturnURL stored through the notification service). */
export async function paidTrade(
  app: OperationsApp,
  clock: TestClock,
  paidAt: Date,
  amount = 1000,
  paymentOptions: EcpayPaymentOptions | null = null,
): Promise<EcpayTrade> {
  const trade = await createTrade(app, amount, paymentOptions);
  const receipt = await app.notifications.receive('aio-return', paymentFields(trade, paidAt), clock.now());
  if (receipt.notification.outcome !== 'applied') throw new Error(`seeding payment: ${receipt.notification.outcome}`);
  return (await app.store.findByMerchantTradeNo(MERCHANT_ID, trade.merchantTradeNo))!;
}

/** Posts a ReturnURL notification to the app over HTTP, as ECPay would. */
export async function postReturn(app: OperationsApp, fields: Record<string, string>): Promise<string> {
  const response = await fetch(`${app.url}/ecpay/return`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return `${response.status} ${await response.text()}`;
}

// ---- The stub's ECPay answers (signed with the stub's own implementation of the MAC) ----

export const DO_ACTION = '/CreditDetail/DoAction';
export const PERIOD_ACTION = '/Cashier/CreditCardPeriodAction';
export const QUERY_TRADE = '/Cashier/QueryTradeInfo/V5';

/** DoAction answered RtnCode 1 (or `rtnCode`). */
export const doActionReply =
  (rtnCode = '1') =>
  (request: StubRequest) => ({
    body: rawKeyValue(
      stubSign(
        {
          MerchantID: request.form!.MerchantID!,
          MerchantTradeNo: request.form!.MerchantTradeNo!,
          TradeNo: request.form!.TradeNo!,
          RtnCode: rtnCode,
          RtnMsg: rtnCode === '1' ? 'OK' : 'error_amount_R',
        },
        KEYS,
      ),
    ),
  });

export const periodActionReply = () => (request: StubRequest) => ({
  body: rawKeyValue(
    stubSign(
      {
        MerchantID: request.form!.MerchantID!,
        MerchantTradeNo: request.form!.MerchantTradeNo!,
        RtnCode: '1',
        RtnMsg: 'OK',
      },
      KEYS,
    ),
  ),
});

/**
 * QueryTradeInfo/V5 for trades of `amounts` (MerchantTradeNo → TradeAmt): TradeStatus as given; `tamper` breaks the
 * MAC.
 */
export const queryReply =
  (amounts: Map<string, number>, tradeStatus: () => string, tamper = false) =>
  (request: StubRequest) => {
    const no = request.form!.MerchantTradeNo!;
    const fields = stubSign(
      {
        MerchantID: request.form!.MerchantID!,
        MerchantTradeNo: no,
        StoreID: '',
        TradeNo: ecpayTradeNoOf(no),
        TradeAmt: String(amounts.get(no) ?? 0),
        PaymentDate: tradeStatus() === '1' ? '2026/11/22 12:05:00' : '',
        PaymentType: 'Credit_CreditCard',
        HandlingCharge: '0',
        PaymentTypeChargeFee: '0',
        TradeDate: '2026/11/22 12:00:00',
        TradeStatus: tradeStatus(),
        ItemName: 'Oolong tea',
        CustomField1: '',
        CustomField2: '',
        CustomField3: '',
        CustomField4: '',
      },
      KEYS,
    );
    if (tamper) fields.TradeAmt = '1';
    return { body: rawKeyValue(fields) };
  };

/** The DoAction requests the stub received for one trade, as `Action:TotalAmount`. */
export const doActionsFor = (stub: EcpayStub, merchantTradeNo: string): string[] =>
  stub.requests
    .filter((r) => r.path === DO_ACTION && r.form?.MerchantTradeNo === merchantTradeNo)
    .map((r) => `${r.form!.Action}:${r.form!.TotalAmount}`);
