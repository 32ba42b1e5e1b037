import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EcpayTrade, EcpayTradeStore } from '../../src/persistence/index.js';
import { EcpayNotification } from '../../src/persistence/ecpay-notification.entity.js';
import { EcpayNotificationService } from '../../src/notifications/ecpay-notification.service.js';
import { NotificationInbox } from '../../src/notifications/notification-inbox.js';
import {
  createTestDatabase,
  describeEachDatabase,
  testDatabaseTargets,
  type TestDatabase,
} from '../support/databases.js';
import { inboxServiceOn, openMigratedDataSource } from '../support/migrated-data-source.js';

// Probed once when this file loads; under CI=true an unreachable server rejects here and fails the file.
const targets = await testDatabaseTargets();

let counter = 0;
const tradeNo = (): string => `N${Date.now().toString(36)}${(counter++).toString(36)}`.toUpperCase().slice(0, 20);

/** A verified ReturnURL payload as ECPay posts it (strings, RtnMsg as on a first post). */
const aioReturn = (merchantTradeNo: string, overrides: Record<string, string> = {}): Record<string, string> => ({
  MerchantID: '3002607',
  MerchantTradeNo: merchantTradeNo,
  StoreID: '',
  RtnCode: '1',
  RtnMsg: '交易成功',
  TradeNo: '2401011234567890',
  TradeAmt: '590',
  PaymentDate: '2024/01/01 12:05:00',
  PaymentType: 'Credit_CreditCard',
  PaymentTypeChargeFee: '12',
  TradeDate: '2024/01/01 12:00:00',
  SimulatePaid: '0',
  CustomField1: '',
  CustomField2: '',
  CustomField3: '',
  CustomField4: '',
  ...overrides,
});

describeEachDatabase(targets, 'notification inbox', (kind) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let store: EcpayTradeStore;
  let service: EcpayNotificationService;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    dataSource = await openMigratedDataSource(database);
    store = new EcpayTradeStore(dataSource.getRepository(EcpayTrade));
    service = inboxServiceOn(dataSource);
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.drop();
  });

  const newTrade = (choosePayment = 'Credit') =>
    store.createPending({
      merchantId: '3002607',
      merchantTradeNo: tradeNo(),
      totalAmount: 590,
      choosePayment,
      itemName: 'Oolong tea x2#Pineapple cake x1',
      tradeDesc: 'Tea order',
      merchantTradeDate: '2024/01/01 12:00:00',
    });
  const reload = (id: string) => dataSource.getRepository(EcpayTrade).findOneByOrFail({ id });
  const inboxRows = (merchantTradeNo: string) =>
    dataSource.getRepository(EcpayNotification).findBy({ merchantTradeNo });

  it("a payment marks the trade paid once, with ECPay's TradeNo and payment time, and queues payment.succeeded", async () => {
    const trade = await newTrade();
    const receipt = await service.receive('aio-return', aioReturn(trade.merchantTradeNo));
    expect(receipt.duplicate).toBe(false);
    expect(receipt.notification).toMatchObject({
      kind: 'aio-return',
      outcome: 'applied',
      eventName: 'payment.succeeded',
      dispatchStatus: 'pending',
      tradeId: trade.id,
      merchantId: '3002607',
      merchantTradeNo: trade.merchantTradeNo,
    });
    expect(receipt.notification.payload).toEqual(aioReturn(trade.merchantTradeNo));
    const paid = await reload(trade.id);
    expect(paid).toMatchObject({
      status: 'paid',
      ecpayTradeNo: '2401011234567890',
      paymentType: 'Credit_CreditCard',
      version: trade.version + 1,
    });
    expect(paid.paidAt?.toISOString()).toBe('2024-01-01T04:05:00.000Z'); // 12:05 in Taipei
  });

  it('ECPay\'s retries (RtnMsg "paid") change nothing and are answered as duplicates', async () => {
    const trade = await newTrade();
    const first = await service.receive('aio-return', aioReturn(trade.merchantTradeNo));
    const afterFirst = await reload(trade.id);
    for (let i = 0; i < 4; i++) {
      const retry = await service.receive('aio-return', aioReturn(trade.merchantTradeNo, { RtnMsg: 'paid' }));
      expect(retry).toMatchObject({ duplicate: true, notification: { id: first.notification.id } });
    }
    expect(await reload(trade.id)).toEqual(afterFirst);
    expect(await inboxRows(trade.merchantTradeNo)).toHaveLength(1);
  });

  it('the same notification received concurrently changes the trade exactly once', async () => {
    const trade = await newTrade();
    const receipts = await Promise.all(
      Array.from({ length: 12 }, () => service.receive('aio-return', aioReturn(trade.merchantTradeNo))),
    );
    expect(receipts.filter((receipt) => !receipt.duplicate)).toHaveLength(1);
    expect(new Set(receipts.map((receipt) => receipt.notification.id)).size).toBe(1);
    expect((await reload(trade.id)).version).toBe(trade.version + 1);
    expect(await inboxRows(trade.merchantTradeNo)).toHaveLength(1);
  });

  it('an amount other than the stored one is a tamper alarm, never a payment', async () => {
    const trade = await newTrade();
    const receipt = await service.receive('aio-return', aioReturn(trade.merchantTradeNo, { TradeAmt: '59' }));
    expect(receipt.notification).toMatchObject({
      outcome: 'amount-mismatch',
      eventName: 'notification.rejected',
      tradeId: trade.id,
    });
    expect(await reload(trade.id)).toMatchObject({ status: 'pending', version: trade.version });
  });

  it("an unknown MerchantTradeNo (or another merchant's) is stored as an orphan, not a crash", async () => {
    const orphan = await service.receive('aio-return', aioReturn('NoSuchTrade1'));
    expect(orphan.notification).toMatchObject({ outcome: 'orphan', tradeId: null, eventName: 'notification.rejected' });
    const trade = await newTrade();
    const foreign = await service.receive('aio-return', aioReturn(trade.merchantTradeNo, { MerchantID: '2000132' }));
    expect(foreign.notification.outcome).toBe('orphan');
    expect((await reload(trade.id)).status).toBe('pending');
  });

  it('SimulatePaid=1 is recorded as simulated and never pays; the real payment after it still does', async () => {
    const trade = await newTrade();
    const simulated = await service.receive('aio-return', aioReturn(trade.merchantTradeNo, { SimulatePaid: '1' }));
    expect(simulated.notification).toMatchObject({ outcome: 'simulated', eventName: 'payment.simulated' });
    expect(await reload(trade.id)).toMatchObject({ status: 'pending', simulated: true });
    const real = await service.receive('aio-return', aioReturn(trade.merchantTradeNo));
    expect(real).toMatchObject({
      duplicate: false,
      notification: { outcome: 'applied', eventName: 'payment.succeeded' },
    });
    expect((await reload(trade.id)).status).toBe('paid');
  });

  it('a failure after payment is kept and flagged, the trade stays paid', async () => {
    const trade = await newTrade();
    await service.receive('aio-return', aioReturn(trade.merchantTradeNo));
    const failed = await service.receive(
      'aio-return',
      aioReturn(trade.merchantTradeNo, { RtnCode: '10100058', RtnMsg: 'Failed' }),
    );
    expect(failed.notification).toMatchObject({ outcome: 'invalid-transition', eventName: 'notification.rejected' });
    expect((await reload(trade.id)).status).toBe('paid');
  });

  it('a failed payment fails a pending trade', async () => {
    const trade = await newTrade();
    const failed = await service.receive(
      'aio-return',
      aioReturn(trade.merchantTradeNo, { RtnCode: '10100058', RtnMsg: 'Failed' }),
    );
    expect(failed.notification).toMatchObject({ outcome: 'applied', eventName: 'payment.failed' });
    expect((await reload(trade.id)).status).toBe('failed');
  });

  it('PaymentInfoURL: an issued ATM or CVS code moves the trade to code-issued, then the payment pays it', async () => {
    for (const [choosePayment, rtnCode] of [
      ['ATM', '2'],
      ['CVS', '10100073'],
    ] as const) {
      const trade = await newTrade(choosePayment);
      const info = await service.receive('payment-info', {
        MerchantID: '3002607',
        MerchantTradeNo: trade.merchantTradeNo,
        RtnCode: rtnCode,
        RtnMsg: 'Get Number Succeeded',
        TradeNo: '2401011234567891',
        TradeAmt: '590',
        PaymentType: `${choosePayment}_TEST`,
        TradeDate: '2024/01/01 12:00:00',
        ExpireDate: '2024/01/04',
        PaymentNo: choosePayment === 'CVS' ? 'LLL12345678' : '',
        vAccount: choosePayment === 'ATM' ? '9103522175887271' : '',
      });
      expect(info.notification).toMatchObject({ outcome: 'applied', eventName: 'payment-info.issued' });
      expect((await reload(trade.id)).status).toBe('code-issued');
      await service.receive('aio-return', aioReturn(trade.merchantTradeNo, { PaymentType: `${choosePayment}_TEST` }));
      expect((await reload(trade.id)).status).toBe('paid');
    }
  });

  it('periodic charges 2..n are each recorded once, as period.charged or period.failed', async () => {
    const trade = await newTrade();
    await service.receive('aio-return', aioReturn(trade.merchantTradeNo));
    const period = (times: number, rtnCode = '1') => ({
      MerchantID: '3002607',
      MerchantTradeNo: trade.merchantTradeNo,
      RtnCode: rtnCode,
      RtnMsg: 'OK',
      PeriodType: 'M',
      Frequency: '1',
      ExecTimes: '12',
      Amount: '590',
      Gwsr: String(10_000 + times),
      ProcessDate: `2024/0${times}/01 12:00:00`,
      AuthCode: '777777',
      FirstAuthAmount: '590',
      TotalSuccessTimes: String(times),
      SimulatePaid: '0',
    });
    for (const times of [2, 3, 4]) {
      expect((await service.receive('period-return', period(times))).notification).toMatchObject({
        outcome: 'applied',
        eventName: 'period.charged',
      });
      expect((await service.receive('period-return', period(times))).duplicate).toBe(true);
    }
    expect(
      (await service.receive('period-return', { ...period(5, '10100050'), Gwsr: '', TotalSuccessTimes: '4' }))
        .notification.eventName,
    ).toBe('period.failed');
    expect((await inboxRows(trade.merchantTradeNo)).filter((row) => row.kind === 'period-return')).toHaveLength(4);
    expect((await reload(trade.id)).status).toBe('paid');
  });

  /** A trigger that makes the database refuse every inbox insert — after the trade's update, in the same write. */
  const inboxInsertFails = async (): Promise<() => Promise<void>> => {
    const type = dataSource.options.type;
    if (type === 'postgres') {
      await dataSource.query(
        `CREATE FUNCTION ecpay_test_fail() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'database down'; END $$ LANGUAGE plpgsql`,
      );
      await dataSource.query(
        'CREATE TRIGGER ecpay_test_fail BEFORE INSERT ON ecpay_notification FOR EACH ROW EXECUTE FUNCTION ecpay_test_fail()',
      );
      return async () => {
        await dataSource.query('DROP TRIGGER ecpay_test_fail ON ecpay_notification');
        await dataSource.query('DROP FUNCTION ecpay_test_fail()');
      };
    }
    if (type === 'mysql' || type === 'mariadb') {
      await dataSource.query(
        "CREATE TRIGGER ecpay_test_fail BEFORE INSERT ON ecpay_notification FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'database down'",
      );
    } else {
      await dataSource.query(
        "CREATE TRIGGER ecpay_test_fail BEFORE INSERT ON ecpay_notification BEGIN SELECT RAISE(ABORT, 'database down'); END",
      );
    }
    return async () => void (await dataSource.query('DROP TRIGGER ecpay_test_fail'));
  };

  it('when the store fails mid-write, neither the notification nor the state change is kept, so the retry is applied', async () => {
    const trade = await newTrade();
    const restore = await inboxInsertFails();
    try {
      await expect(service.receive('aio-return', aioReturn(trade.merchantTradeNo))).rejects.toThrow('database down');
    } finally {
      await restore();
    }
    expect(await inboxRows(trade.merchantTradeNo)).toHaveLength(0);
    expect(await reload(trade.id)).toMatchObject({ status: 'pending', version: trade.version });
    const retry = await service.receive('aio-return', aioReturn(trade.merchantTradeNo, { RtnMsg: 'paid' }));
    expect(retry).toMatchObject({ duplicate: false, notification: { outcome: 'applied' } });
    expect((await reload(trade.id)).status).toBe('paid');
  });

  it('an orphan whose insert fails is not kept either', async () => {
    const merchantTradeNo = tradeNo();
    const restore = await inboxInsertFails();
    try {
      await expect(service.receive('aio-return', aioReturn(merchantTradeNo))).rejects.toThrow('database down');
    } finally {
      await restore();
    }
    expect(await inboxRows(merchantTradeNo)).toHaveLength(0);
  });

  it('a write decided on a trade that moved after the read stores nothing, even a decision that changes nothing', async () => {
    const trade = await newTrade();
    const inbox = NotificationInbox.of(dataSource);
    const dedupeKey = `test:moved:${trade.id}`;
    const stale = (await inbox.read('3002607', trade.merchantTradeNo, dedupeKey)).trade;
    expect(stale).toMatchObject({ id: trade.id, version: trade.version });
    // Another writer (on SQLite: another process on the same file) changes the trade between the read and the write.
    await dataSource.getRepository(EcpayTrade).update({ id: trade.id }, { simulated: true });
    const row = (): EcpayNotification => {
      const now = new Date();
      return Object.assign(new EcpayNotification(), {
        id: randomUUID(),
        version: 1,
        createdAt: now,
        updatedAt: now,
        kind: 'aio-return',
        dedupeKey,
        merchantId: '3002607',
        merchantTradeNo: trade.merchantTradeNo,
        tradeId: trade.id,
        outcome: 'invalid-transition',
        eventName: null,
        payload: {},
        dispatchStatus: 'none',
        attempts: 0,
        completedHandlers: null,
        lastError: null,
        nextAttemptAt: null,
        lockedUntil: null,
        lockedBy: null,
        receivedAt: now,
      });
    };
    expect(await inbox.write(row(), stale!, undefined, new Date())).toBe(false);
    expect(await inboxRows(trade.merchantTradeNo)).toHaveLength(0);
    // Decided again on a fresh read, the same write goes through and leaves the trade as it was.
    const fresh = (await inbox.read('3002607', trade.merchantTradeNo, dedupeKey)).trade;
    expect(await inbox.write(row(), fresh!, undefined, new Date())).toBe(true);
    expect(await inboxRows(trade.merchantTradeNo)).toHaveLength(1);
    expect(await reload(trade.id)).toMatchObject({ status: 'pending', simulated: true, version: trade.version + 1 });
  });
});

describe('EcpayNotificationService through EcpayModule', () => {
  it('applies the notification of a trade that createCheckout stored', async () => {
    const { Test } = await import('@nestjs/testing');
    const { EcpayModule, EcpayService } = await import('../../src/index.js');
    const { STAGE_MERCHANT, testDatabase } = await import('../support/test-module.js');
    const module = await Test.createTestingModule({
      imports: [
        testDatabase(),
        EcpayModule.forRoot({ environment: 'stage', ...STAGE_MERCHANT, publicUrl: 'https://shop.example.com' }),
      ],
    }).compile();
    try {
      const checkout = await module.get(EcpayService).createCheckout({
        items: [{ name: 'Oolong tea', price: 295, quantity: 2 }],
        description: 'Tea order',
        payment: { method: 'Credit' },
      });
      const receipt = await module
        .get(EcpayNotificationService)
        .receive('aio-return', aioReturn(checkout.merchantTradeNo));
      expect(receipt.notification).toMatchObject({ outcome: 'applied', tradeId: checkout.trade.id });
      const trade = await module.get(EcpayTradeStore).findByMerchantTradeNo('3002607', checkout.merchantTradeNo);
      expect(trade?.status).toBe('paid');
    } finally {
      await module.close();
    }
  });
});
