import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, In } from 'typeorm';
import {
  ECPAY_ENTITIES,
  ECPAY_MIGRATIONS,
  EcpayNotification,
  EcpayTesting,
  EcpayTrade,
  EcpayTradeStore,
} from '../../src/index.js';
import { STAGE_MERCHANT } from '../support/test-module.js';

const ROOT = join(import.meta.dirname, '..', '..');
const APP = join(import.meta.dirname, 'support', 'demo-app.mjs');

const TRADES = 240; // one first ReturnURL post per trade
const IN_FLIGHT = 16;
const KILL_AFTER_ACKS = 80; // SIGKILL once this many posts were answered 1|OK: a third into the burst
const BURST_LIMIT_MS = 30_000;

/** Starts the demo in `cwd` and resolves with it and its port once it prints "ready <port>". */
function startDemo(cwd: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [APP], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
      reject(new Error(`demo exited (${code ?? signal}) before it was ready: ${stderr.slice(0, 500)}`)),
    );
  });
}

const exited = (child: ChildProcess): Promise<NodeJS.Signals | number | null> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.signalCode ?? child.exitCode)
    : new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));

// The demo on its embedded default (.data/demo-shop.sqlite, better-sqlite3 in WAL mode) is killed with SIGKILL — no
// shutdown hook, no checkpoint, writes in flight — a third into a burst of signed first ReturnURL posts on loopback.
// Every post answered 1|OK was acknowledged to ECPay, which will not send it again: each must be stored, its trade
// paid, and the file must open and pass SQLite's integrity check. Needs dist/ (npm test builds it); compiles the demo.
describe('the demo on its embedded SQLite killed (SIGKILL) during a burst of notifications', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecpay-sqlite-kill-'));
  // Where the demo puts its database when ECPAY_DEMO_DATABASE is unset, relative to its working directory.
  const file = join(dir, '.data', 'demo-shop.sqlite');
  // Plain options, not the demo's: the WAL mode found afterwards must be the one the demo switched on.
  const plain = { type: 'better-sqlite3', database: file } as const;
  const children: ChildProcess[] = [];
  let dataSource: DataSource | undefined;
  const trades: { merchantTradeNo: string }[] = [];

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'index.js')))
      throw new Error('dist/ is missing: run npm run build (npm test does)');
    // What `npm start` compiles: the demo, against the library in dist/.
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'demo', 'tsconfig.json')],
      { cwd: ROOT, stdio: 'pipe' },
    );
    // The shop's pending trades, stored before the demo starts (its migrations then find nothing to do).
    const seed = new DataSource({ ...plain, entities: [...ECPAY_ENTITIES], migrations: [...ECPAY_MIGRATIONS] });
    await seed.initialize();
    try {
      await seed.runMigrations();
      const store = new EcpayTradeStore(seed.getRepository(EcpayTrade));
      const stamp = Date.now().toString(36).toUpperCase();
      for (let i = 0; i < TRADES; i++) {
        trades.push(
          await store.createPending({
            merchantId: STAGE_MERCHANT.merchantId,
            merchantTradeNo: `K${stamp}${i.toString().padStart(4, '0')}`,
            totalAmount: 590,
            choosePayment: 'Credit',
            itemName: 'Oolong tea',
            tradeDesc: 'Tea order',
            merchantTradeDate: '2026/11/22 10:00:00',
          }),
        );
      }
    } finally {
      await seed.destroy();
    }
  }, 120_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (dataSource?.isInitialized) await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every notification answered 1|OK is stored and its trade paid; the file opens and passes integrity_check', async () => {
    // The demo's defaults: its own database setting, the sandbox and ECPay's public stage merchant.
    const env = { ...process.env };
    for (const name of ['ECPAY_DEMO_DATABASE', 'ECPAY_ENV', 'ECPAY_MERCHANT_ID', 'ECPAY_HASH_KEY', 'ECPAY_HASH_IV'])
      delete env[name];
    const demo = await startDemo(dir, env);
    children.push(demo.child);

    const testing = new EcpayTesting(STAGE_MERCHANT);
    const acked: string[] = [];
    let failed = 0;
    let next = 0;
    let killed = false;
    const deadline = Date.now() + BURST_LIMIT_MS;
    const worker = async (): Promise<void> => {
      while (!killed && next < trades.length && Date.now() < deadline) {
        const { merchantTradeNo } = trades[next++]!;
        try {
          const response = await fetch(`http://127.0.0.1:${demo.port}/ecpay/return`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: testing.form(
              testing.paymentSucceeded({ merchantId: STAGE_MERCHANT.merchantId, merchantTradeNo, totalAmount: 590 }),
            ),
            signal: AbortSignal.timeout(10_000),
          });
          const answer = `${response.status} ${await response.text()}`;
          // An answer read after the kill was still sent by the demo: it counts as acknowledged too.
          if (answer !== '200 1|OK') throw new Error(answer);
          acked.push(merchantTradeNo);
          if (acked.length >= KILL_AFTER_ACKS && !killed) {
            killed = true;
            demo.child.kill('SIGKILL');
          }
        } catch {
          failed++; // in flight when the process died (or refused): not acknowledged, ECPay would post it again
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    expect(killed).toBe(true);
    expect(await exited(demo.child)).toBe('SIGKILL');
    // Killed mid-burst: answers had been given and posts were still coming.
    expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    expect(acked.length).toBeLessThan(trades.length);

    dataSource = new DataSource({ ...plain, entities: [...ECPAY_ENTITIES] });
    await dataSource.initialize();
    expect(await dataSource.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(await dataSource.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    const stored = await dataSource
      .getRepository(EcpayNotification)
      .findBy({ kind: 'aio-return', merchantTradeNo: In(acked) });
    expect(acked.filter((no) => !stored.some((row) => row.merchantTradeNo === no))).toEqual([]);
    expect(stored.every((row) => row.outcome === 'applied')).toBe(true);
    const paid = await dataSource.getRepository(EcpayTrade).findBy({ merchantTradeNo: In(acked), status: 'paid' });
    expect(paid).toHaveLength(acked.length);
    // Writes that were not acknowledged either committed whole or not at all: a trade is paid exactly when its
    // notification is stored.
    const allStored = await dataSource.getRepository(EcpayNotification).countBy({ kind: 'aio-return' });
    const allPaid = await dataSource.getRepository(EcpayTrade).countBy({ status: 'paid' });
    expect(allPaid).toBe(allStored);
    console.info(
      `SIGKILL after ${acked.length} of ${trades.length} posts answered 1|OK (${failed} cut off); ${allStored} stored`,
    );
  }, 60_000);
});
