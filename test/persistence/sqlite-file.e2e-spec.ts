import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import {
  ECPAY_ENTITIES,
  ECPAY_MIGRATIONS,
  EcpayNotification,
  EcpayTesting,
  EcpayTrade,
  EcpayTradeStore,
} from '../../src/index.js';
import { createTestDatabase, sqliteFileOptions, type TestDatabase } from '../support/databases.js';
import { inboxServiceOn } from '../support/migrated-data-source.js';
import { STAGE_MERCHANT } from '../support/test-module.js';

// What only a SQLite file shows: the settings the README gives take effect through TypeORM's better-sqlite3 driver,
// and another process's write lock (a backup, the migration CLI, a second instance against the README's advice)
// fails a notification's store cleanly once the busy timeout runs out, so ECPay is answered 503 and posts again.
describe('SQLite file (better-sqlite3)', () => {
  const BUSY_TIMEOUT_MS = 300;
  let database: TestDatabase;
  let dataSource: DataSource;
  // Another connection to the same file, standing in for another process.
  let other: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('better-sqlite3');
    dataSource = new DataSource({
      ...sqliteFileOptions(database.name, BUSY_TIMEOUT_MS),
      entities: [...ECPAY_ENTITIES],
      migrations: [...ECPAY_MIGRATIONS],
    });
    await dataSource.initialize();
    await dataSource.runMigrations();
    other = new DataSource({ ...database.options(), entities: [] });
    await other.initialize();
  });

  afterAll(async () => {
    if (other?.isInitialized) await other.destroy();
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.drop();
  });

  it('runs in WAL mode with synchronous = NORMAL and the busy timeout', async () => {
    expect(await dataSource.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await dataSource.query('PRAGMA synchronous')).toEqual([{ synchronous: 1 }]);
    expect(await dataSource.query('PRAGMA busy_timeout')).toEqual([{ timeout: BUSY_TIMEOUT_MS }]);
  });

  it('a write lock held past the busy timeout fails the store with SQLITE_BUSY, writes nothing, and the retry applies', async () => {
    const trade = await new EcpayTradeStore(dataSource.getRepository(EcpayTrade)).createPending({
      merchantId: STAGE_MERCHANT.merchantId,
      merchantTradeNo: `B${Date.now().toString(36).toUpperCase()}`,
      totalAmount: 590,
      choosePayment: 'Credit',
      itemName: 'Oolong tea',
      tradeDesc: 'Tea order',
      merchantTradeDate: '2026/11/22 10:00:00',
    });
    const fields = new EcpayTesting(STAGE_MERCHANT).paymentSucceeded({
      merchantId: trade.merchantId,
      merchantTradeNo: trade.merchantTradeNo,
      totalAmount: 590,
    });
    const service = inboxServiceOn(dataSource);

    await other.query('BEGIN IMMEDIATE');
    try {
      await expect(service.receive('aio-return', fields)).rejects.toMatchObject({
        driverError: { code: 'SQLITE_BUSY' },
      });
    } finally {
      await other.query('ROLLBACK');
    }
    expect(await dataSource.getRepository(EcpayNotification).countBy({ merchantTradeNo: trade.merchantTradeNo })).toBe(
      0,
    );
    expect(await dataSource.getRepository(EcpayTrade).findOneByOrFail({ id: trade.id })).toMatchObject({
      status: 'pending',
      version: trade.version,
    });

    const retry = await service.receive('aio-return', fields);
    expect(retry).toMatchObject({ duplicate: false, notification: { outcome: 'applied' } });
    expect(await dataSource.getRepository(EcpayTrade).findOneByOrFail({ id: trade.id })).toMatchObject({
      status: 'paid',
    });
  });
});
