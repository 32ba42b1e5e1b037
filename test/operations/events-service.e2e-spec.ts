import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { EcpayEventsService, EcpayNotification, EcpayValidationError } from '../../src/index.js';
import type { EcpayDispatchStatus } from '../../src/index.js';
import {
  createTestDatabase,
  describeEachDatabase,
  testDatabaseTargets,
  type TestDatabase,
} from '../support/databases.js';
import { openMigratedDataSource } from '../support/migrated-data-source.js';
import { TestClock } from './support/operations-app.js';

const targets = await testDatabaseTargets();

describeEachDatabase(targets, 'EcpayEventsService (what an operator reads and does)', (kind) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let events: EcpayEventsService;
  const clock = new TestClock(Date.parse('2026-03-01T04:00:30.000Z'));

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    dataSource = await openMigratedDataSource(database);
    events = new EcpayEventsService(dataSource, clock);
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.drop();
  });

  beforeEach(async () => {
    await dataSource.getRepository(EcpayNotification).clear();
  });

  /** An inbox row received `secondsAgo` before the clock's now, in a given dispatch status. */
  async function row(status: EcpayDispatchStatus, secondsAgo: number, extra: Partial<EcpayNotification> = {}) {
    const receivedAt = new Date(clock.now().getTime() - secondsAgo * 1000);
    const id = randomUUID();
    await dataSource.getRepository(EcpayNotification).insert({
      id,
      version: 1,
      createdAt: receivedAt,
      updatedAt: receivedAt,
      kind: 'aio-return',
      dedupeKey: `k-${id}`,
      merchantId: '3002607',
      merchantTradeNo: `T${id.slice(0, 8)}`,
      tradeId: null,
      outcome: status === 'none' ? 'orphan' : 'applied',
      eventName: status === 'none' ? null : 'payment.succeeded',
      payload: { RtnCode: '1' },
      dispatchStatus: status,
      attempts: status === 'failed' ? 8 : 0,
      completedHandlers: null,
      lastError: status === 'failed' ? 'Shop.ship: warehouse unreachable' : null,
      nextAttemptAt: null,
      lockedUntil: null,
      lockedBy: null,
      receivedAt,
      ...extra,
    } as never);
    return id;
  }

  it('lists events by status, newest first, within the limit, and refuses a bad query', async () => {
    const older = await row('failed', 300);
    const newer = await row('failed', 10);
    await row('done', 5);
    expect((await events.listEvents({ status: 'failed' })).map((e) => e.id)).toEqual([newer, older]);
    expect((await events.listEvents({ limit: 1 })).map((e) => e.dispatchStatus)).toEqual(['done']);
    expect(await events.listEvents()).toHaveLength(3);
    await expect(events.listEvents({ limit: 0 })).rejects.toBeInstanceOf(EcpayValidationError);
    await expect(events.listEvents({ limit: 501 })).rejects.toBeInstanceOf(EcpayValidationError);
    await expect(events.listEvents({ status: 'parked' as never })).rejects.toThrow(/status/);
  });

  it('shows one event with its attempts and last error; null for none', async () => {
    const id = await row('failed', 1);
    expect(await events.getEvent(id)).toMatchObject({
      id,
      attempts: 8,
      lastError: 'Shop.ship: warehouse unreachable',
      payload: { RtnCode: '1' },
    });
    expect(await events.getEvent(randomUUID())).toBeNull();
  });

  it('counts events in every status, zeros included', async () => {
    await row('failed', 1);
    await row('done', 1);
    await row('done', 2);
    expect(await events.countEventsByStatus()).toEqual({ failed: 1, pending: 0, done: 2, none: 0 });
  });

  it('counts notifications per minute of the module clock, every minute present', async () => {
    // now = 04:00:30Z: the last three minutes are 03:58, 03:59 and 04:00.
    await row('done', 30); // 04:00:00
    await row('done', 120); // 03:58:30
    await row('none', 121); // 03:58:29
    await row('done', 11 * 60); // 03:49:30, before the window
    const minutes = await events.notificationsPerMinute(3);
    expect(minutes.map((m) => [m.at.toISOString(), m.count])).toEqual([
      ['2026-03-01T03:58:00.000Z', 2],
      ['2026-03-01T03:59:00.000Z', 0],
      ['2026-03-01T04:00:00.000Z', 1],
    ]);
    expect(await events.notificationsPerMinute()).toHaveLength(60);
    await expect(events.notificationsPerMinute(0)).rejects.toBeInstanceOf(EcpayValidationError);
    await expect(events.notificationsPerMinute(24 * 60 + 1)).rejects.toBeInstanceOf(EcpayValidationError);
  });

  it('re-queues a parked event with a fresh budget, keeping the handlers that already succeeded', async () => {
    const id = await row('failed', 1, { completedHandlers: ['Audit.record'] });
    expect(await events.requeueEvent(id)).toBe(true);
    expect(await events.getEvent(id)).toMatchObject({
      dispatchStatus: 'pending',
      attempts: 0,
      lastError: null,
      completedHandlers: ['Audit.record'],
      nextAttemptAt: clock.now(),
    });
    // An orphan raises no event: nothing to re-queue.
    expect(await events.requeueEvent(await row('none', 1))).toBe(false);
    expect(await events.requeueEvent(randomUUID())).toBe(false);
  });
});
