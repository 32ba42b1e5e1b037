import 'reflect-metadata';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { EcpayBoundCard, EcpayBoundCardStore } from '../../src/index.js';
import {
  createTestDatabase,
  describeEachDatabase,
  testDatabaseTargets,
  type TestDatabase,
} from '../support/databases.js';
import { openMigratedDataSource } from '../support/migrated-data-source.js';

const targets = await testDatabaseTargets();

// The binding upsert is dialect-specific SQL (ON CONFLICT / ON DUPLICATE KEY): one row per member and BindCardID on
// every supported database, however often ECPay repeats the binding.
describeEachDatabase(targets, 'EcpayBoundCardStore', (kind) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let store: EcpayBoundCardStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    dataSource = await openMigratedDataSource(database);
    store = new EcpayBoundCardStore(dataSource.getRepository(EcpayBoundCard));
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.drop();
  });

  const binding = {
    merchantId: '3002607',
    merchantMemberId: 'm-1',
    bindCardId: 'f'.repeat(64),
    card6: '431195',
    card4: '2222',
    cardValidMm: '12',
    cardValidYy: '39',
  };

  it('keeps one row per member and BindCardID, refreshing its details, and a row per other member', async () => {
    await store.recordBinding(binding);
    const [first] = await store.findActive('3002607', 'm-1');
    await store.recordBinding({ ...binding, cardValidMm: '01', cardValidYy: '40' });
    await store.recordBinding({ ...binding, merchantMemberId: 'm-2' });
    const cards = await dataSource.getRepository(EcpayBoundCard).find({ order: { merchantMemberId: 'ASC' } });
    expect(cards).toHaveLength(2);
    expect(cards[0]).toMatchObject({
      id: first!.id,
      merchantMemberId: 'm-1',
      cardValidMm: '01',
      cardValidYy: '40',
      status: 'active',
    });
    expect(cards[1]).toMatchObject({ merchantMemberId: 'm-2', card4No: '2222' });
  });
});
