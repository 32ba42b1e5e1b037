import 'reflect-metadata';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { EcpayNotificationService } from '../../src/notifications/ecpay-notification.service.js';
import { EcpayNotification, EcpayTesting, EcpayTrade, EcpayTradeStore } from '../../src/index.js';
import {
  createTestDatabase,
  describeEachDatabase,
  testDatabaseTargets,
  type TestDatabase,
} from '../support/databases.js';
import { inboxServiceOn, openMigratedDataSource } from '../support/migrated-data-source.js';
import { STAGE_MERCHANT } from '../support/test-module.js';

const targets = await testDatabaseTargets();
const testing = new EcpayTesting(STAGE_MERCHANT);

// PeriodReturnURL: each later charge of a periodic order is an event of its own, and ECPay's retries of one post
// (every 5–15 minutes until it reads 1|OK, RtnMsg changed) are one. A declined charge may carry no Gwsr and no
// ProcessDate, so those alone cannot tell two declines on two days apart.
describeEachDatabase(targets, 'periodic charge results', (kind) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let service: EcpayNotificationService;
  let trade: EcpayTrade;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    dataSource = await openMigratedDataSource(database);
    service = inboxServiceOn(dataSource);
    trade = await new EcpayTradeStore(dataSource.getRepository(EcpayTrade)).createPending({
      merchantId: STAGE_MERCHANT.merchantId,
      merchantTradeNo: `P${Date.now().toString(36)}`.toUpperCase(),
      totalAmount: 590,
      choosePayment: 'Credit',
      paymentOptions: { PeriodAmount: 590, PeriodType: 'D', Frequency: 1, ExecTimes: 12 },
      itemName: 'Tea subscription',
      tradeDesc: 'Tea',
      merchantTradeDate: '2026/12/01 09:00:00',
    });
    await service.receive(
      'aio-return',
      testing.paymentSucceeded({
        merchantId: trade.merchantId,
        merchantTradeNo: trade.merchantTradeNo,
        totalAmount: 590,
      }),
    );
  });
  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.drop();
  });

  const declined = (rtnMsg: string) =>
    testing.periodCharged(
      { merchantId: trade.merchantId, merchantTradeNo: trade.merchantTradeNo, totalAmount: 590 },
      1,
      {
        RtnCode: '10100058',
        RtnMsg: rtnMsg,
        PeriodType: 'D',
        Gwsr: '',
        ProcessDate: '',
        AuthCode: '',
      },
    );

  it('two declined periodic charges with blank Gwsr and ProcessDate are two events; a retry of one is not', async () => {
    const day1 = new Date('2026-12-02T01:00:00Z');
    const first = await service.receive('period-return', declined('授權失敗'), day1);
    const retry = await service.receive('period-return', declined('paid'), new Date(day1.getTime() + 10 * 60_000));
    const day2 = new Date('2026-12-03T01:00:00Z');
    const second = await service.receive('period-return', declined('授權失敗'), day2);
    expect([first.duplicate, retry.duplicate, second.duplicate]).toEqual([false, true, false]);
    const failures = await dataSource
      .getRepository(EcpayNotification)
      .findBy({ merchantTradeNo: trade.merchantTradeNo, eventName: 'period.failed' });
    expect(failures).toHaveLength(2);
  });

  it('a successful charge is keyed by its own identifiers: its retry on another day is still the same charge', async () => {
    const charged = (rtnMsg: string) =>
      testing.periodCharged(
        { merchantId: trade.merchantId, merchantTradeNo: trade.merchantTradeNo, totalAmount: 590 },
        2,
        { RtnMsg: rtnMsg, PeriodType: 'D', ProcessDate: '2026/12/04 08:00:00' },
      );
    const first = await service.receive('period-return', charged('交易成功'), new Date('2026-12-03T23:58:00Z'));
    const retry = await service.receive('period-return', charged('paid'), new Date('2026-12-04T16:05:00Z'));
    expect([first.duplicate, retry.duplicate]).toEqual([false, true]);
  });
});
