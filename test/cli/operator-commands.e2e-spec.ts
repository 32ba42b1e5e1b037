import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { EcpayEventBus } from '../../src/handlers/ecpay-event.bus.js';
import type { EcpayEvent } from '../../src/handlers/ecpay-event.interface.js';
import { EcpayHandlerRegistry } from '../../src/handlers/ecpay-handler.registry.js';
import { EcpayHandlersModule } from '../../src/handlers/ecpay-handlers.module.js';
import { OnEcpayEvent } from '../../src/handlers/on-ecpay-event.decorator.js';
import { EcpayNotificationDispatcher } from '../../src/notifications/ecpay-notification.dispatcher.js';
import { EcpayNotification } from '../../src/persistence/ecpay-notification.entity.js';
import { EcpayTrade, EcpayTradeAction, EcpayTradeStore } from '../../src/persistence/index.js';
import {
  createTestDatabase,
  describeEachDatabase,
  testDatabaseTargets,
  type TestDatabase,
} from '../support/databases.js';
import { runEcpayCli } from '../support/ecpay-cli.js';
import { inboxServiceOn, openMigratedDataSource } from '../support/migrated-data-source.js';

// `ecpay events` and `ecpay actions` as an operator runs them: the built bin in a child process, against the database
// an app (here: a dispatcher with a failing handler) writes to. sql.js lives in one process's memory: not a target.
const targets = (await testDatabaseTargets()).filter((target) => target.kind !== 'sqljs');

const ecpay = (args: string[], env: Record<string, string> = {}) => runEcpayCli(args, { env });

/** The URL an operator would give for the test database. */
function urlOf(options: DataSourceOptions): string {
  if (options.type === 'better-sqlite3') return String(options.database);
  const o = options as {
    type: string;
    username: string;
    password?: string;
    host: string;
    port: number;
    database: string;
  };
  const scheme = o.type === 'postgres' ? 'postgres' : 'mariadb';
  return `${scheme}://${o.username}:${encodeURIComponent(o.password ?? '')}@${o.host}:${o.port}/${o.database}`;
}

const handler = { fails: false, delivered: [] as string[] };

@Injectable()
class WarehouseHandler {
  @OnEcpayEvent('payment.succeeded')
  ship(event: EcpayEvent): void {
    if (handler.fails) throw new Error('warehouse unreachable');
    handler.delivered.push(event.id);
  }
}

@Module({ providers: [WarehouseHandler] })
class ShopModule {}

let counter = 0;
const tradeNo = (): string => `C${Date.now().toString(36)}${(counter++).toString(36)}`.toUpperCase().slice(0, 20);

describeEachDatabase(targets, 'ecpay events / actions', (kind) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let module: TestingModule;
  let dispatcher: EcpayNotificationDispatcher;
  let store: EcpayTradeStore;
  let url: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    dataSource = await openMigratedDataSource(database);
    url = urlOf(database.options());
    module = await Test.createTestingModule({ imports: [EcpayHandlersModule, ShopModule] }).compile();
    await module.init();
    // The app's dispatcher: one attempt, then parked; it polls only when told to (kick).
    dispatcher = new EcpayNotificationDispatcher(
      dataSource,
      module.get(EcpayEventBus),
      module.get(EcpayHandlerRegistry),
      { now: () => new Date() },
      { pollIntervalMs: 0, maxAttempts: 1 },
    );
    store = new EcpayTradeStore(dataSource.getRepository(EcpayTrade));
  });

  afterAll(async () => {
    await module?.close();
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.drop();
  });

  beforeEach(() => {
    handler.fails = false;
    handler.delivered = [];
  });

  async function pendingTrade(): Promise<EcpayTrade> {
    return store.createPending({
      merchantId: '3002607',
      merchantTradeNo: tradeNo(),
      totalAmount: 100,
      choosePayment: 'Credit',
      itemName: 'Tea x1',
      tradeDesc: 'Tea',
      merchantTradeDate: '2024/01/01 12:00:00',
    });
  }

  /** A payment whose handler fails: parked as `failed` after the dispatcher's one attempt. */
  async function parkedEvent(): Promise<EcpayNotification> {
    const trade = await pendingTrade();
    const receipt = await inboxServiceOn(dataSource).receive(
      'aio-return',
      {
        MerchantID: '3002607',
        MerchantTradeNo: trade.merchantTradeNo,
        RtnCode: '1',
        RtnMsg: '交易成功',
        TradeNo: '2401010000000001',
        TradeAmt: '100',
        PaymentDate: '2024/01/01 12:05:00',
        PaymentType: 'Credit_CreditCard',
        SimulatePaid: '0',
        card4no: '2222',
        CheckMacValue: 'A'.repeat(64),
      },
      new Date(),
    );
    handler.fails = true;
    await dispatcher.kick();
    handler.fails = false;
    const row = await dataSource.getRepository(EcpayNotification).findOneByOrFail({ id: receipt.notification.id });
    expect(row.dispatchStatus).toBe('failed');
    return row;
  }

  // Each command is a Node process of its own; on a shared machine several take seconds (a budget, not an assertion).
  it('lists a parked event with its error, re-drives it for the app, which then delivers it', async () => {
    const parked = await parkedEvent();

    const listed = await ecpay(['events', 'list', '--status', 'failed', '--url', url]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${parked.id}\\s+failed\\s+1\\s+payment\\.succeeded`));
    expect(listed.stdout).toContain('warehouse unreachable');

    const shown = await ecpay(['events', 'show', parked.id, '--json'], { ECPAY_DATABASE_URL: url });
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      id: parked.id,
      dispatchStatus: 'failed',
      attempts: 1,
      lastError: expect.stringContaining('warehouse unreachable'),
      payload: { card4no: '2222', MerchantTradeNo: parked.merchantTradeNo },
    });

    const redriven = await ecpay(['events', 'redrive', parked.id, '--url', url]);
    expect(redriven).toMatchObject({ code: 0, stderr: '' });
    expect(redriven.stdout).toContain('was failed after 1 attempt');
    expect(redriven.stdout).toContain('dispatcher delivers it');
    // The command ran no handler: the event waits for the app.
    expect(handler.delivered).toEqual([]);
    const requeued = await dataSource.getRepository(EcpayNotification).findOneByOrFail({ id: parked.id });
    expect(requeued).toMatchObject({ dispatchStatus: 'pending', attempts: 0, lastError: null });

    expect(await dispatcher.kick()).toBe(1);
    expect(handler.delivered).toEqual([parked.id]);
    const done = await ecpay(['events', 'show', parked.id, '--url', url]);
    expect(done.stdout).toMatch(/status:\s+done/);
    expect((await ecpay(['events', 'list', '--status', 'failed', '--url', url])).stdout).not.toContain(parked.id);
  }, 120_000);

  it('lists an unknown refund and resolves it, once', async () => {
    const trade = await pendingTrade();
    await dataSource
      .getRepository(EcpayTrade)
      .update({ id: trade.id }, { status: 'paid', ecpayTradeNo: '2401010000000009' });
    const action = Object.assign(new EcpayTradeAction(), {
      tradeId: trade.id,
      merchantId: trade.merchantId,
      merchantTradeNo: trade.merchantTradeNo,
      operation: 'refund',
      operationId: '00000000-0000-4000-8000-000000000001',
      action: 'R',
      amount: 40,
      status: 'unknown',
      rtnCode: null,
      rtnMsg: null,
      error: 'ECPay did not answer within 10000 ms',
      requestedAt: new Date(Date.now() - 5 * 60_000),
      completedAt: null,
    });
    await dataSource.getRepository(EcpayTradeAction).save(action);
    await dataSource.getRepository(EcpayTrade).update({ id: trade.id }, { pendingActionId: action.id });

    const listed = await ecpay(['actions', 'list', '--url', url]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${action.id}\\s+unknown\\s+refund\\s+R\\s+40`));

    expect((await ecpay(['actions', 'resolve', action.id, '--url', url])).code).toBe(2); // --outcome is required
    const resolved = await ecpay(['actions', 'resolve', action.id, '--outcome', 'failed', '--url', url]);
    expect(resolved).toMatchObject({ code: 0, stderr: '' });
    expect(resolved.stdout).toContain('resolved as failed');
    expect(await dataSource.getRepository(EcpayTrade).findOneByOrFail({ id: trade.id })).toMatchObject({
      pendingActionId: null,
      refundedAmount: 0,
    });
    expect((await ecpay(['actions', 'list', '--url', url])).stdout).not.toContain(action.id);

    const again = await ecpay(['actions', 'resolve', action.id, '--outcome', 'succeeded', '--url', url]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already failed');
  }, 120_000);

  it('names a missing event and refuses to re-drive a notification that raises none', async () => {
    const missing = await ecpay(['events', 'show', '00000000-0000-4000-8000-00000000dead', '--url', url]);
    expect(missing).toMatchObject({ code: 1, stderr: 'ecpay: no event 00000000-0000-4000-8000-00000000dead\n' });
    const redrive = await ecpay(['events', 'redrive', '00000000-0000-4000-8000-00000000dead', '--url', url]);
    expect(redrive.code).toBe(1);
  }, 60_000);
});

describe('ecpay events — which database', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'ecpay-cli-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('refuses a SQLite path that is not there, and does not create it', async () => {
    const file = join(directory, 'missing.sqlite');
    const run = await ecpay(['events', 'list', '--url', file]);
    expect(run).toMatchObject({ code: 1, stderr: `ecpay: no SQLite database file at ${file}\n` });
    expect(existsSync(file)).toBe(false);
  });

  it('refuses a database without the tables instead of creating them', async () => {
    const file = join(directory, 'empty.sqlite');
    const empty = new DataSource({ type: 'better-sqlite3', database: file });
    await empty.initialize();
    await empty.query('CREATE TABLE other (id INTEGER)');
    await empty.destroy();
    const run = await ecpay(['events', 'list'], { ECPAY_DATABASE_URL: file });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('has no ecpay_notification table: run the app');
    const after = new DataSource({ type: 'better-sqlite3', database: file });
    await after.initialize();
    expect(await after.createQueryRunner().hasTable('ecpay_notification')).toBe(false);
    await after.destroy();
  });

  it('takes the DataSource from a file (-d) but neither synchronizes nor migrates, whatever it says', async () => {
    const file = join(directory, 'app.sqlite');
    const setup = new DataSource({ type: 'better-sqlite3', database: file });
    await setup.initialize();
    await setup.destroy();
    const dataSourceFile = join(directory, 'data-source.mjs');
    await writeFile(
      dataSourceFile,
      `import { DataSource } from ${JSON.stringify(resolve('node_modules/typeorm/index.mjs'))};\n` +
        `import { ECPAY_ENTITIES, ECPAY_MIGRATIONS } from ${JSON.stringify(resolve('dist/index.js'))};\n` +
        `export default new DataSource({ type: 'better-sqlite3', database: ${JSON.stringify(file)}, ` +
        `entities: [...ECPAY_ENTITIES], migrations: [...ECPAY_MIGRATIONS], synchronize: true, migrationsRun: true });\n`,
    );
    const refused = await ecpay(['events', 'list', '-d', dataSourceFile]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('has no ecpay_notification table');

    // Migrated as the app would: the same file then works.
    const migrated = await openMigratedDataSource({
      name: file,
      options: () => ({ type: 'better-sqlite3', database: file }),
      drop: async () => undefined,
    });
    await migrated.destroy();
    const listed = await ecpay(['events', 'list', '--data-source', dataSourceFile]);
    expect(listed).toMatchObject({ code: 0, stdout: 'No events.\n', stderr: '' });
  }, 60_000);

  it('asks for a database when none is given, and never prints a password', async () => {
    const none = await ecpay(['events', 'list']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('which database?');
    const refused = await ecpay(['events', 'list', '--url', 'postgres://shop:s3cr3t-pw@127.0.0.1:1/shop']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('postgres://shop:***@127.0.0.1:1/shop');
    expect(refused.stderr).not.toContain('s3cr3t-pw');
  });

  it('refuses an unknown status and keys it does not need', async () => {
    expect((await ecpay(['events', 'list', '--status', 'parked', '--url', 'x'])).stderr).toContain(
      '--status must be one of failed, pending, done, none',
    );
    expect((await ecpay(['events', 'list', '--hash-key', 'k', '--url', 'x'])).code).toBe(2);
  });
});
