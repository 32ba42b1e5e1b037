import 'reflect-metadata';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Test } from '@nestjs/testing';
import {
  EcpayConfigError,
  EcpayModule,
  EcpayNotification,
  EcpayService,
  EcpayTesting,
  EcpayTrade,
  type EcpayModuleOptions,
} from '../../src/index.js';
import { startAppInstances } from '../support/app-instances.js';
import { STAGE_MERCHANT } from '../support/test-module.js';
import {
  createTestDatabase,
  describeEachDatabase,
  testDatabaseTargets,
  type TestDatabase,
} from '../support/databases.js';

// Named prepared statements live on one server connection; a pooler in transaction mode (PgBouncer) hands the next
// transaction another one, where the name is unknown. `notifications: { preparedStatements: false }` sends the
// inbox's statements unnamed. Only PostgreSQL has them.
const targets = (await testDatabaseTargets()).filter((target) => target.kind === 'postgres');
const testing = new EcpayTesting(STAGE_MERCHANT);

describeEachDatabase(targets, 'prepared statements switched off', (kind) => {
  let database: TestDatabase;
  let app: INestApplication;
  /** Every statement name the inbox sent on the pg pool (undefined: unnamed). */
  const names: (string | undefined)[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    ({
      apps: [app!],
    } = await startAppInstances(database, [{}], {
      notifications: { preparedStatements: false },
      dispatch: { pollIntervalMs: 0 },
    } as Partial<EcpayModuleOptions>));
    const pool = (app.get(DataSource).driver as unknown as { master: { query: (...args: unknown[]) => unknown } })
      .master;
    const query = pool.query.bind(pool);
    pool.query = (...args: unknown[]) => {
      const config = args[0];
      if (typeof config === 'object' && config !== null && 'text' in config)
        names.push((config as { name?: string }).name);
      return query(...args);
    };
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('notifications are stored exactly once without a named prepared statement', async () => {
    const checkout = await app.get(EcpayService).createCheckout({
      items: [{ name: 'Oolong tea', price: 590, quantity: 1 }],
      description: 'Tea',
      payment: { method: 'Credit' },
    });
    const body = testing.form(
      testing.paymentSucceeded({
        merchantId: STAGE_MERCHANT.merchantId,
        merchantTradeNo: checkout.merchantTradeNo,
        totalAmount: 590,
      }),
    );
    for (let i = 0; i < 3; i++)
      await request(app.getHttpServer()).post('/ecpay/return').type('form').send(body).expect(200, '1|OK');
    const trade = await app.get(DataSource).getRepository(EcpayTrade).findOneByOrFail({ id: checkout.trade.id });
    expect(trade).toMatchObject({ status: 'paid', version: checkout.trade.version + 1 });
    expect(
      await app.get(DataSource).getRepository(EcpayNotification).findBy({ merchantTradeNo: checkout.merchantTradeNo }),
    ).toHaveLength(1);
    expect(names.length).toBeGreaterThan(0); // the inbox's statements went through the pool …
    expect(names.filter((name) => name !== undefined)).toEqual([]); // … and none of them named
  });
});

it('notifications.preparedStatements must be true or false', async () => {
  // No database: the options are refused before anything starts.
  const compile = () =>
    Test.createTestingModule({
      imports: [
        EcpayModule.forRoot({
          environment: 'stage',
          ...STAGE_MERCHANT,
          persistence: false,
          notifications: { preparedStatements: 'no' },
        } as never),
      ],
    }).compile();
  const error = await compile().catch((thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(EcpayConfigError);
  expect((error as EcpayConfigError).issues).toEqual([
    expect.objectContaining({ option: 'notifications.preparedStatements' }),
  ]);
});
