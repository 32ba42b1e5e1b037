import 'reflect-metadata';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { ECPAY_ENTITIES, EcpayNotification, EcpayTesting, EcpayTrade, EcpayTradeStore } from '../../src/index.js';
import {
  createTestDatabase,
  describeEachDatabase,
  testDatabaseTargets,
  type TestDatabase,
} from '../support/databases.js';
import { STAGE_MERCHANT } from '../support/test-module.js';

const targets = (await testDatabaseTargets()).filter((target) => target.kind === 'postgres');
const APP = join(import.meta.dirname, 'support', 'crash-app.mjs');

/** Starts the app process and resolves with it and its port once it prints "ready <port>". */
function startApp(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [APP], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const ready = /ready (\d+)/.exec(stdout);
      if (ready) resolve({ child, port: Number(ready[1]) });
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`app exited (${code ?? signal}) before it was ready: ${stderr.slice(0, 500)}`)),
    );
  });
}

const exited = (child: ChildProcess): Promise<NodeJS.Signals | number | null> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.signalCode ?? child.exitCode)
    : new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));

// The process is killed (SIGKILL: no shutdown hook, no catch) after a notification was stored and answered 1|OK and
// while its handler runs. Nothing is lost: a new process, after the dead one's lease on the event expires, runs the
// handler to completion. Needs dist/ (npm test builds it first).
describeEachDatabase(targets, 'the app process killed between store and dispatch', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const children: ChildProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'ecpay-crash-'));
  const log = join(dir, 'handled.log');

  beforeAll(async () => {
    if (!existsSync(join(import.meta.dirname, '..', '..', 'dist', 'index.js')))
      throw new Error('dist/ is missing: run npm run build (npm test does)');
    database = await createTestDatabase('postgres');
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.drop();
  });

  it('runs the handler after a restart, exactly once to completion', async () => {
    const db = JSON.stringify(database.options());
    const first = await startApp({ ECPAY_CRASH_DB: db, ECPAY_CRASH_ON_HANDLER: '1', ECPAY_CRASH_LOG: log });
    children.push(first.child);
    dataSource = new DataSource({ ...database.options(), entities: [...ECPAY_ENTITIES] });
    await dataSource.initialize();
    const trade = await new EcpayTradeStore(dataSource.getRepository(EcpayTrade)).createPending({
      merchantId: STAGE_MERCHANT.merchantId,
      merchantTradeNo: `KILL${Date.now().toString(36).toUpperCase()}`,
      totalAmount: 590,
      choosePayment: 'Credit',
      itemName: 'Oolong tea',
      tradeDesc: 'Tea order',
      merchantTradeDate: '2026/11/22 10:00:00',
    });

    const testing = new EcpayTesting(STAGE_MERCHANT);
    const response = await fetch(`http://127.0.0.1:${first.port}/ecpay/return`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: testing.form(
        testing.paymentSucceeded({
          merchantId: STAGE_MERCHANT.merchantId,
          merchantTradeNo: trade.merchantTradeNo,
          totalAmount: 590,
        }),
      ),
    });
    expect(`${response.status} ${await response.text()}`).toBe('200 1|OK');
    expect(await exited(first.child)).toBe('SIGKILL');

    // Stored and claimed by the dead process, not done; the handler never finished.
    const inbox = dataSource.getRepository(EcpayNotification);
    const [row] = await inbox.findBy({ merchantTradeNo: trade.merchantTradeNo });
    expect(row).toMatchObject({ dispatchStatus: 'pending', eventName: 'payment.succeeded' });
    expect(row!.lockedBy).not.toBeNull();
    expect(existsSync(log)).toBe(false);
    expect(await dataSource.getRepository(EcpayTrade).findOneByOrFail({ id: trade.id })).toMatchObject({
      status: 'paid',
    });

    const second = await startApp({ ECPAY_CRASH_DB: db, ECPAY_CRASH_LOG: log });
    children.push(second.child);
    const deadline = Date.now() + 15_000;
    while ((await inbox.findOneByOrFail({ id: row!.id })).dispatchStatus !== 'done') {
      if (Date.now() > deadline) throw new Error('the restarted app did not dispatch the event');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([row!.id]);
    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
  }, 60_000);
});
