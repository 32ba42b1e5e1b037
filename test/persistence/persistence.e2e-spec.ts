import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, OptimisticLockVersionMismatchError, QueryFailedError, type Repository } from 'typeorm';
import { EcpayError } from '../../src/errors/ecpay.error.js';
import {
  ECPAY_ENTITIES,
  ECPAY_MIGRATIONS,
  ECPAY_TRADE_STATUSES,
  EcpayBoundCard,
  EcpayDuplicateTradeError,
  EcpayTrade,
  EcpayTradeStore,
  type NewEcpayTrade,
} from '../../src/persistence/index.js';
import {
  createTestDatabase,
  describeEachDatabase,
  testDatabaseTargets,
  type TestDatabase,
} from '../support/databases.js';

// The committed migrations in order; a new one must be added here on purpose.
const ALL_MIGRATIONS = [
  'CreateEcpayTables1795322609555',
  'CreateEcpayNotifications1795400000000',
  'CreateEcpayRateLimits1795500000000',
  'AddEcpayTradeOperations1795600000000',
  'AddEcpayNotificationEventData1795700000000',
];

// Probed once when this file loads; under CI=true an unreachable server rejects here and fails the file.
const targets = await testDatabaseTargets();

let tradeCounter = 0;
/** A unique MerchantTradeNo (20 characters at most) for each test. */
const nextTradeNo = (): string =>
  `T${Date.now().toString(36)}${(tradeCounter++).toString(36)}`.toUpperCase().slice(0, 20);

const newTrade = (overrides: Partial<NewEcpayTrade> = {}): NewEcpayTrade => ({
  merchantId: '3002607',
  merchantTradeNo: nextTradeNo(),
  totalAmount: 1234,
  choosePayment: 'ALL',
  itemName: '測試商品 x 2#咖啡豆 (250g)',
  tradeDesc: '綠界測試訂單',
  merchantTradeDate: '2026/11/22 12:34:56',
  ...overrides,
});

/** Seconds between two instants (to check that time stamps are "now" in any TZ). */
const secondsApart = (a: Date, b: Date) => Math.abs(a.getTime() - b.getTime()) / 1000;

describe('ECPay trade statuses', () => {
  it('lists every status once', () => {
    expect(ECPAY_TRADE_STATUSES).toEqual([
      'pending',
      'code-issued',
      'paid',
      'failed',
      'cancelled',
      'refunded',
      'partially-refunded',
    ]);
    expect(Object.isFrozen(ECPAY_TRADE_STATUSES)).toBe(true);
  });
});

describeEachDatabase(targets, 'persistence', (kind) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let trades: Repository<EcpayTrade>;
  let cards: Repository<EcpayBoundCard>;
  let store: EcpayTradeStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    dataSource = new DataSource({
      ...database.options(),
      entities: [...ECPAY_ENTITIES],
      migrations: [...ECPAY_MIGRATIONS],
      synchronize: false,
      migrationsRun: false,
    });
    await dataSource.initialize();
    const applied = await dataSource.runMigrations();
    expect(applied.map((migration) => migration.name)).toEqual(ALL_MIGRATIONS);
    trades = dataSource.getRepository(EcpayTrade);
    cards = dataSource.getRepository(EcpayBoundCard);
    store = new EcpayTradeStore(trades);
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.drop();
  });

  it('the migration creates exactly the schema of the entities (TypeORM sees nothing to change)', async () => {
    const diff = await dataSource.driver.createSchemaBuilder().log();
    expect(diff.upQueries.map((query) => query.query)).toEqual([]);
    const queryRunner = dataSource.createQueryRunner();
    try {
      const trade = await queryRunner.getTable('ecpay_trade');
      expect(trade?.indices.map((index) => [index.name, index.isUnique, index.columnNames]).sort()).toEqual([
        ['idx_ecpay_trade_status', false, ['status']],
        ['uq_ecpay_trade_merchant_trade_no', true, ['merchant_id', 'merchant_trade_no']],
      ]);
      const card = await queryRunner.getTable('ecpay_bound_card');
      expect(card?.indices.map((index) => [index.name, index.isUnique, index.columnNames])).toEqual([
        ['uq_ecpay_bound_card_member_bind_card_id', true, ['merchant_id', 'merchant_member_id', 'bind_card_id']],
      ]);
    } finally {
      await queryRunner.release();
    }
  });

  it('createPending stores every field and they read back unchanged', async () => {
    const before = new Date();
    const input = newTrade({
      platformId: '3002599',
      totalAmount: 2_147_483_647,
      choosePayment: 'Credit',
      paymentOptions: {
        CreditInstallment: '3,6,12',
        Redeem: 'Y',
        UnionPay: 0,
        BindingCard: 1,
        MerchantMemberID: 'member-1',
        Language: null,
      },
      customField1: 'order-42',
      customField4: '備註',
    });
    const created = await store.createPending(input);

    expect(created).toBeInstanceOf(EcpayTrade);
    expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(created.status).toBe('pending');
    expect(created.version).toBe(1);

    const found = await store.findByMerchantTradeNo(input.merchantId, input.merchantTradeNo);
    expect(found).toBeInstanceOf(EcpayTrade);
    expect(found).toEqual({
      id: created.id,
      merchantId: '3002607',
      platformId: '3002599',
      merchantTradeNo: input.merchantTradeNo,
      totalAmount: 2_147_483_647,
      currency: 'TWD',
      status: 'pending',
      choosePayment: 'Credit',
      paymentOptions: {
        CreditInstallment: '3,6,12',
        Redeem: 'Y',
        UnionPay: 0,
        BindingCard: 1,
        MerchantMemberID: 'member-1',
        Language: null,
      },
      itemName: '測試商品 x 2#咖啡豆 (250g)',
      tradeDesc: '綠界測試訂單',
      merchantTradeDate: '2026/11/22 12:34:56',
      ecpayTradeNo: null,
      paymentType: null,
      paidAt: null,
      simulated: false,
      customField1: 'order-42',
      customField2: null,
      customField3: null,
      customField4: '備註',
      // Operations and reconciliation (AddEcpayTradeOperations): nothing done yet.
      refundedAmount: 0,
      capturedAmount: null,
      closeState: null,
      closeRequestedAt: null,
      pendingActionId: null,
      reconcileAttempts: 0,
      reconcileAt: null,
      reconcileLockedBy: null,
      reconcileLockedUntil: null,
      version: 1,
      createdAt: created.createdAt,
      updatedAt: created.updatedAt,
    });
    // What createPending returned is what the database holds.
    expect(found).toEqual(created);
    expect(Number.isInteger(found!.totalAmount)).toBe(true);
    expect(typeof found!.simulated).toBe('boolean');
    // Time stamps are real instants, "now" whatever the process's TZ (this file runs under TZ=UTC and Asia/Taipei).
    expect(found!.createdAt).toBeInstanceOf(Date);
    expect(secondsApart(found!.createdAt, before)).toBeLessThan(60);
    expect(found!.updatedAt.getTime()).toBe(found!.createdAt.getTime());
  });

  it('optional fields default to null and the lookup is per merchant', async () => {
    const input = newTrade();
    await store.createPending(input);
    const found = await store.findByMerchantTradeNo('3002607', input.merchantTradeNo);
    expect(found).toMatchObject({ platformId: null, paymentOptions: null, customField1: null, customField2: null });
    expect(await store.findByMerchantTradeNo('2000132', input.merchantTradeNo)).toBeNull();
    expect(await store.findByMerchantTradeNo('3002607', 'NOSUCHTRADE')).toBeNull();
  });

  it('refuses a repeated MerchantTradeNo of the same merchant and changes nothing; another merchant may reuse it', async () => {
    const input = newTrade();
    const original = await store.createPending(input);

    const attempt = store.createPending({ ...input, totalAmount: 1, itemName: 'other', customField1: 'other' });
    await expect(attempt).rejects.toThrow(EcpayDuplicateTradeError);
    const error = await attempt.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EcpayError);
    expect(error).toMatchObject({
      code: 'ECPAY_DUPLICATE_TRADE',
      name: 'EcpayDuplicateTradeError',
      merchantId: '3002607',
      merchantTradeNo: input.merchantTradeNo,
    });
    expect((error as Error).message).toContain(input.merchantTradeNo);
    expect((error as Error).message).toContain('3002607');
    expect((error as Error).cause).toBeInstanceOf(QueryFailedError);

    expect(await trades.countBy({ merchantTradeNo: input.merchantTradeNo })).toBe(1);
    expect(await store.findByMerchantTradeNo('3002607', input.merchantTradeNo)).toEqual(original);

    const other = await store.createPending({ ...input, merchantId: '2000132' });
    expect(other.id).not.toBe(original.id);
    expect(await trades.countBy({ merchantTradeNo: input.merchantTradeNo })).toBe(2);

    // The store still works after the failed insert (PostgreSQL aborts a transaction on an error).
    await expect(store.createPending(newTrade())).resolves.toBeInstanceOf(EcpayTrade);
  });

  it('passes other unique violations on untouched (a colliding primary key is not a duplicate trade)', async () => {
    const existing = await store.createPending(newTrade());
    // A repository whose create() reuses an existing id: the insert breaks the primary key, not the trade-no index.
    const colliding: Repository<EcpayTrade> = Object.create(trades);
    colliding.create = ((fields: Partial<EcpayTrade>) =>
      trades.create({ ...fields, id: existing.id })) as typeof trades.create;
    const attempt = new EcpayTradeStore(colliding).createPending(newTrade());
    await expect(attempt).rejects.toBeInstanceOf(QueryFailedError);
    await expect(attempt).rejects.not.toBeInstanceOf(EcpayDuplicateTradeError);
  });

  it('refuses amounts that are not whole TWD', async () => {
    for (const totalAmount of [0, -1, 10.5, Number.NaN, 2_147_483_648]) {
      await expect(store.createPending(newTrade({ totalAmount }))).rejects.toThrow(RangeError);
    }
  });

  it('optimistic locking: the version increments and a write from a stale copy is refused', async () => {
    const created = await store.createPending(newTrade());
    const first = (await trades.findOneByOrFail({ id: created.id }))!;
    const second = (await trades.findOneByOrFail({ id: created.id }))!;
    expect([first.version, second.version]).toEqual([1, 1]);

    const paidAt = new Date('2026-11-22T04:05:06.789Z');
    expect(
      await store.updateIfVersion(first.id, first.version, {
        status: 'paid',
        ecpayTradeNo: '2611221205061234',
        paymentType: 'Credit_CreditCard',
        paidAt,
      }),
    ).toBe(true);
    const afterFirst = await trades.findOneByOrFail({ id: created.id });
    expect(afterFirst).toMatchObject({
      status: 'paid',
      ecpayTradeNo: '2611221205061234',
      paymentType: 'Credit_CreditCard',
      version: 2,
    });
    // Dates round-trip exactly, milliseconds included.
    expect(afterFirst.paidAt?.toISOString()).toBe('2026-11-22T04:05:06.789Z');
    expect(afterFirst.updatedAt.getTime()).toBeGreaterThanOrEqual(afterFirst.createdAt.getTime());
    expect(secondsApart(afterFirst.updatedAt, new Date())).toBeLessThan(60);

    // The second copy still says version 1: its write must not land.
    expect(await store.updateIfVersion(second.id, second.version, { status: 'failed' })).toBe(false);
    expect(await trades.findOneByOrFail({ id: created.id })).toEqual(afterFirst);

    // TypeORM's own check when reading with an expected version.
    await expect(
      trades.findOne({ where: { id: created.id }, lock: { mode: 'optimistic', version: second.version } }),
    ).rejects.toBeInstanceOf(OptimisticLockVersionMismatchError);
    await expect(
      trades.findOne({ where: { id: created.id }, lock: { mode: 'optimistic', version: 2 } }),
    ).resolves.toEqual(afterFirst);

    // save() of an entity also increments the version (and sets updatedAt from JavaScript).
    afterFirst.simulated = true;
    const saved = await trades.save(afterFirst);
    expect(saved.version).toBe(3);
    expect(await trades.findOneByOrFail({ id: created.id })).toMatchObject({ simulated: true, version: 3 });
  });

  it('a bound card round-trips, keeps only the first 6 and last 4 digits, and is unique per merchant, member and BindCardID', async () => {
    const card = await cards.save(
      cards.create({
        merchantId: '3002607',
        merchantMemberId: 'member-1',
        bindCardId: 'BC0001',
        card6No: '431195',
        card4No: '2222',
        cardValidMm: '12',
        cardValidYy: '30',
      }),
    );
    expect(card.id).toMatch(/^[0-9a-f-]{36}$/);
    const found = await cards.findOneByOrFail({ id: card.id });
    expect(found).toEqual({
      id: card.id,
      merchantId: '3002607',
      merchantMemberId: 'member-1',
      bindCardId: 'BC0001',
      card6No: '431195',
      card4No: '2222',
      cardValidMm: '12',
      cardValidYy: '30',
      status: 'active',
      version: 1,
      createdAt: card.createdAt,
      updatedAt: card.updatedAt,
    });
    expect(secondsApart(found.createdAt, new Date())).toBeLessThan(60);

    await expect(
      cards.insert(
        cards.create({
          merchantId: '3002607',
          merchantMemberId: 'member-1',
          bindCardId: 'BC0001',
          card6No: '431195',
          card4No: '3333',
        }),
      ),
    ).rejects.toBeInstanceOf(QueryFailedError);
    await cards.save(
      cards.create({
        merchantId: '3002607',
        merchantMemberId: 'member-2',
        bindCardId: 'BC0001',
        card6No: '431195',
        card4No: '2222',
      }),
    );
    await cards.save(
      cards.create({
        merchantId: '2000132',
        merchantMemberId: 'member-1',
        bindCardId: 'BC0001',
        card6No: '431195',
        card4No: '2222',
      }),
    );
    expect(await cards.countBy({ bindCardId: 'BC0001' })).toBe(3);

    found.status = 'deleted';
    const deleted = await cards.save(found);
    expect(deleted.version).toBe(2);
    const reread = await cards.findOneByOrFail({ id: card.id });
    expect(reread).toMatchObject({ status: 'deleted', cardValidMm: '12', cardValidYy: '30', version: 2 });
    expect(reread.updatedAt.getTime()).toBeGreaterThanOrEqual(reread.createdAt.getTime());
    expect(secondsApart(reread.updatedAt, new Date())).toBeLessThan(60);
  });

  it('every migration reverts (all tables gone) and applies again', async () => {
    for (let i = 0; i < ALL_MIGRATIONS.length; i++) await dataSource.undoLastMigration();
    const queryRunner = dataSource.createQueryRunner();
    try {
      for (const table of [
        'ecpay_trade',
        'ecpay_bound_card',
        'ecpay_notification',
        'ecpay_rate_limit',
        'ecpay_trade_action',
      ])
        expect(await queryRunner.hasTable(table)).toBe(false);
    } finally {
      await queryRunner.release();
    }
    // Errors other than a duplicate pass through as they are.
    const attempt = store.createPending(newTrade());
    await expect(attempt).rejects.toBeInstanceOf(QueryFailedError);
    await expect(attempt).rejects.not.toBeInstanceOf(EcpayDuplicateTradeError);

    expect((await dataSource.runMigrations()).map((migration) => migration.name)).toEqual(ALL_MIGRATIONS);
    expect((await dataSource.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
    const again = await store.createPending(newTrade());
    expect(await store.findByMerchantTradeNo(again.merchantId, again.merchantTradeNo)).toEqual(again);
  });
});

describe('EcpayTradeStore through Nest DI (TypeOrmModule, sql.js)', () => {
  it('works with TypeOrmModule.forRoot (migrationsRun) and forFeature', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot({
          type: 'sqljs',
          autoSave: false,
          entities: [...ECPAY_ENTITIES],
          migrations: [...ECPAY_MIGRATIONS],
          migrationsRun: true,
        }),
        TypeOrmModule.forFeature([...ECPAY_ENTITIES]),
      ],
      // The store is built on a repository of the app's DataSource (EcpayModule does this through its data-source
      // alias).
      providers: [
        {
          provide: EcpayTradeStore,
          useFactory: (dataSource: DataSource) => new EcpayTradeStore(dataSource.getRepository(EcpayTrade)),
          inject: [DataSource],
        },
      ],
    }).compile();
    try {
      const store = moduleRef.get(EcpayTradeStore);
      const input = newTrade();
      const created = await store.createPending(input);
      expect(await store.findByMerchantTradeNo(input.merchantId, input.merchantTradeNo)).toEqual(created);
      await expect(store.createPending(input)).rejects.toThrow(EcpayDuplicateTradeError);
      const dataSource = moduleRef.get(DataSource);
      expect((await dataSource.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
    } finally {
      await moduleRef.close();
    }
  });
});
