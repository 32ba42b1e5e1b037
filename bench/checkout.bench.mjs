// Checkout benchmark: EcpayService.createCheckout(order) — build + validate + sign + store the trade + render the
// form — through a real Nest application context, on an in-memory sql.js database, on PostgreSQL (a scratch
// database created for the run and always dropped), and with the store replaced by a no-op (the in-process cost
// alone). Run with `npm run bench` (builds dist/ first, after the signing bench). Prints one Markdown table; exits 0
// once the correctness checks pass — it is a benchmark, not a test. See docs/BENCHMARKS.md.
import 'reflect-metadata';
import { setMaxListeners } from 'node:events';
import os from 'node:os';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { Bench } from 'tinybench';
import {
  BenchAbort,
  check,
  createScratchDatabase,
  describeError,
  leftoverScratchDatabases,
  onInterrupt,
  packageVersion,
  PG,
  pgAdmin,
} from './support.mjs';
import {
  computeCheckMacValue,
  ECPAY_ENTITIES,
  ECPAY_MIGRATIONS,
  EcpayModule,
  EcpayService,
  EcpayTradeStore,
  MERCHANT_TRADE_NO_PATTERN,
} from '../dist/index.js';

// ---------------------------------------------------------------------------------------------------------------
// Inputs: ECPay's public stage merchant and two realistic orders (3 items with Chinese names, credit card; the same
// with periodic fixed-amount billing). No merchantTradeNo: the library generates a fresh one on every call.
// ---------------------------------------------------------------------------------------------------------------

const STAGE = { merchantId: '3002607', hashKey: 'pwFHCqoQZGmho4w6', hashIv: 'EkRm7iFT261dpevs' };
const keys = { hashKey: STAGE.hashKey, hashIv: STAGE.hashIv };
const ecpayOptions = { environment: 'stage', ...STAGE, publicUrl: 'https://shop.example.com' };

const items = Object.freeze([
  { name: '阿里山高山烏龍茶 150g', price: 680, quantity: 2 },
  { name: '鳳梨酥禮盒 (12入)', price: 450, quantity: 1 },
  { name: '手工花生牛軋糖', price: 220, quantity: 3 },
]);
const ORDERS = [
  {
    key: 'credit',
    label: 'Credit',
    order: Object.freeze({ items, description: '台灣茶與伴手禮訂單', payment: { method: 'Credit' } }),
  },
  {
    key: 'periodic',
    label: 'Credit + periodic',
    order: Object.freeze({
      items,
      description: '台灣茶與伴手禮 每月訂閱',
      payment: { method: 'Credit', periodic: { periodType: 'M', frequency: 1, execTimes: 12 } },
    }),
  },
];
const EXPECTED_TOTAL = '2470'; // 680×2 + 450 + 220×3
const EXPECTED_ITEM_NAME = '阿里山高山烏龍茶 150g x2#鳳梨酥禮盒 (12入) x1#手工花生牛軋糖 x3';

// ---------------------------------------------------------------------------------------------------------------
// Harness settings. One sample = one createCheckout call (≥ tens of µs, far above timer resolution). Every task is
// bounded by time, so the whole script takes well under a minute.
// ---------------------------------------------------------------------------------------------------------------

const TIME_MS = 2000;
const WARMUP_MS = 300;
const ROUNDS = 2;
const CONCURRENCY = 8;

const PROBE_TIMEOUT_MS = 1000;

const abortController = new AbortController();
setMaxListeners(Infinity, abortController.signal); // every Bench and task listens to it
const isInterrupted = onInterrupt(() => abortController.abort());

// ---------------------------------------------------------------------------------------------------------------
// Setups. Each returns { service, close(), countRows() } and counts its successful createCheckout calls.
// ---------------------------------------------------------------------------------------------------------------

/** A Nest application context whose app module imports TypeOrmModule.forRoot(typeorm) and EcpayModule.forRoot(). */
async function appContext(typeorm) {
  // Module() is a legacy class decorator: it records metadata on the class and returns nothing.
  class AppModule {}
  Module({
    imports: [
      TypeOrmModule.forRoot({
        ...typeorm,
        entities: [...ECPAY_ENTITIES],
        migrations: [...ECPAY_MIGRATIONS],
        migrationsRun: true, // the committed migrations, as an app would deploy them
        synchronize: false,
        logging: false,
      }),
      EcpayModule.forRoot(ecpayOptions),
    ],
  })(AppModule);
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
  const dataSource = app.get(getDataSourceToken());
  const pending = await dataSource.showMigrations();
  check(!pending, `${typeorm.type}: migrations still pending after start-up`);
  const applied = await dataSource.query('SELECT name FROM migrations');
  check(
    applied.length === ECPAY_MIGRATIONS.length,
    `${typeorm.type}: expected ${ECPAY_MIGRATIONS.length} applied migration(s), found ${applied.length}`,
  );
  return {
    service: app.get(EcpayService),
    store: app.get(EcpayTradeStore),
    close: () => app.close(),
    ping: () => dataSource.query('SELECT 1'),
    countRows: async () => Number((await dataSource.query('SELECT COUNT(*) AS n FROM ecpay_trade'))[0].n),
  };
}

/** The same module with EcpayTradeStore replaced by a no-op: build + validate + sign + render, nothing stored. */
async function noopContext() {
  const moduleRef = await Test.createTestingModule({
    // persistence stays on (the real wiring), so the module still needs a connection; it is never queried.
    imports: [
      TypeOrmModule.forRoot({ type: 'sqljs', entities: [...ECPAY_ENTITIES], synchronize: false, logging: false }),
      EcpayModule.forRoot(ecpayOptions),
    ],
  })
    .overrideProvider(EcpayTradeStore)
    .useValue({ createPending: async (trade) => ({ ...trade, id: 'x', status: 'pending' }) })
    .compile();
  moduleRef.useLogger(false);
  return {
    service: moduleRef.get(EcpayService),
    store: undefined,
    close: () => moduleRef.close(),
    countRows: undefined,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Correctness before timing: every order gives fields whose CheckMacValue verifies, a fresh valid MerchantTradeNo,
// the expected ItemName/TotalAmount (and periodic fields), and — with a database — a stored pending row.
// ---------------------------------------------------------------------------------------------------------------

async function verifySetup(label, setup, counter) {
  const seen = new Set();
  for (const { key, order } of ORDERS) {
    const checkout = await setup.service.createCheckout(order);
    counter.calls++;
    const { CheckMacValue, ...signed } = checkout.fields;
    check(
      CheckMacValue === computeCheckMacValue(signed, keys, 'sha256'),
      `${label}/${key}: CheckMacValue does not verify`,
    );
    check(
      MERCHANT_TRADE_NO_PATTERN.test(checkout.merchantTradeNo) &&
        checkout.fields.MerchantTradeNo === checkout.merchantTradeNo,
      `${label}/${key}: bad MerchantTradeNo ${checkout.merchantTradeNo}`,
    );
    check(!seen.has(checkout.merchantTradeNo), `${label}/${key}: MerchantTradeNo reused`);
    seen.add(checkout.merchantTradeNo);
    check(
      checkout.fields.TotalAmount === EXPECTED_TOTAL,
      `${label}/${key}: TotalAmount ${checkout.fields.TotalAmount}`,
    );
    check(checkout.fields.ItemName === EXPECTED_ITEM_NAME, `${label}/${key}: ItemName ${checkout.fields.ItemName}`);
    check(
      checkout.fields.ChoosePayment === 'Credit' && checkout.fields.EncryptType === '1',
      `${label}/${key}: ChoosePayment/EncryptType`,
    );
    if (key === 'periodic') {
      check(
        checkout.fields.PeriodType === 'M' &&
          checkout.fields.ExecTimes === '12' &&
          checkout.fields.PeriodAmount === EXPECTED_TOTAL,
        `${label}/${key}: periodic fields missing`,
      );
    }
    check(
      checkout.html.includes(`value="${CheckMacValue}"`),
      `${label}/${key}: the form does not carry the CheckMacValue`,
    );
    check(checkout.trade.status === 'pending', `${label}/${key}: trade status ${checkout.trade.status}`);
    if (setup.store) {
      const stored = await setup.store.findByMerchantTradeNo(STAGE.merchantId, checkout.merchantTradeNo);
      check(
        stored?.id === checkout.trade.id && stored.totalAmount === Number(EXPECTED_TOTAL),
        `${label}/${key}: trade not stored as returned`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Timing.
// ---------------------------------------------------------------------------------------------------------------

/**
 * Times createCheckout for each order: sequentially (one call in flight) and, when concurrency > 1, also with that
 * many calls in flight (tinybench `concurrency: 'task'`). Concurrent throughput is completed calls ÷ wall time of the
 * run phase; per-call latency is then the time one call waited, queueing included.
 */
async function measureRound(setup, counter, concurrency, orders) {
  const bench = new Bench({
    time: TIME_MS,
    warmupTime: WARMUP_MS,
    timestampProvider: 'hrtimeNow',
    throws: true,
    signal: abortController.signal,
    ...(concurrency > 1 ? { concurrency: 'task', threshold: concurrency } : {}),
  });
  const wall = new Map();
  for (const { key, order } of orders) {
    const phase = { calls: 0, started: 0, ended: 0, cpu: undefined, mode: 'warmup' };
    wall.set(key, phase);
    bench.add(
      key,
      async () => {
        await setup.service.createCheckout(order);
        counter.calls++;
        if (phase.mode === 'run') phase.calls++;
      },
      {
        async: true,
        // Outside the timed window: with a no-op store or sql.js a call never leaves the microtask queue, so without
        // this the event loop (and the SIGINT handler) would not run until the task ends.
        // (Sequential tasks only; concurrent ones wait on PostgreSQL's sockets anyway.)
        ...(concurrency > 1 ? {} : { beforeEach: yieldNow }),
        beforeAll(mode) {
          phase.mode = mode;
          if (mode === 'run') {
            phase.cpu = process.cpuUsage();
            phase.started = performance.now();
          }
        },
        afterAll(mode) {
          if (mode === 'run') {
            phase.ended = performance.now();
            phase.cpu = process.cpuUsage(phase.cpu);
          }
        },
      },
    );
  }
  await bench.run();
  const results = {};
  for (const { key } of orders) {
    const result = bench.getTask(key)?.result;
    if (!result || (result.state !== 'completed' && result.state !== 'aborted-with-statistics')) continue;
    const phase = wall.get(key);
    const wallMs = phase.ended - phase.started;
    results[key] = {
      meanMs: result.latency.mean,
      p99Ms: result.latency.p99,
      rme: result.latency.rme,
      samples: result.latency.samplesCount,
      // Sequential: one call at a time, so calls/s = 1000 / mean. Concurrent: completed calls per wall second.
      callsPerSec: concurrency > 1 ? (phase.calls * 1000) / wallMs : 1000 / result.latency.mean,
      // This process's CPU time (user + system, all threads) per call over the run phase: what Node itself spends.
      cpuUsPerCall: (phase.cpu.user + phase.cpu.system) / phase.calls,
    };
  }
  return results;
}

let worstSpread = { pct: 0, name: '' };
let iterations = 0;
/** Every 256th iteration, one turn of the event loop (signals, timers); otherwise nothing. */
function yieldNow() {
  if (++iterations % 256 === 0) return new Promise((resolve) => setImmediate(resolve));
  return undefined;
}
/**
 * ROUNDS rounds, the second in reverse order, so that drift within a setup (JIT state, GC, a growing table, a noisy
 * neighbour on a shared VM) does not always favour the same order; each cell keeps the round with more calls/s.
 */
async function measure(label, setup, counter, concurrency) {
  const rounds = [];
  for (let round = 0; round < ROUNDS && !isInterrupted(); round++) {
    rounds.push(await measureRound(setup, counter, concurrency, round % 2 === 0 ? ORDERS : [...ORDERS].reverse()));
  }
  const best = {};
  for (const { key, label: orderLabel } of ORDERS) {
    const perRound = rounds.map((r) => r[key]).filter(Boolean);
    if (perRound.length !== rounds.length || perRound.length === 0) continue;
    perRound.sort((a, b) => b.callsPerSec - a.callsPerSec);
    const spread =
      (100 * (perRound[0].callsPerSec - perRound[perRound.length - 1].callsPerSec)) / perRound[0].callsPerSec;
    if (spread > worstSpread.pct)
      worstSpread = { pct: spread, name: `${label}, ${concurrency} in flight, ${orderLabel}` };
    best[key] = { ...perRound[0], spread };
  }
  return best;
}

// ---------------------------------------------------------------------------------------------------------------
// Run.
// ---------------------------------------------------------------------------------------------------------------

const rows = []; // { setup, inFlight, results }
const checks = [];
const notes = [];
const pings = new Map(); // label → latency of `SELECT 1`
const started = performance.now();
let pgVersion;
let pgCommit;

/** One database round trip for comparison: `SELECT 1` through the same DataSource, sequential, one round. */
async function measurePing(setup) {
  const bench = new Bench({
    time: TIME_MS / 2,
    warmupTime: WARMUP_MS,
    timestampProvider: 'hrtimeNow',
    throws: true,
    signal: abortController.signal,
  });
  bench.add('ping', setup.ping, { async: true });
  await bench.run();
  const result = bench.getTask('ping')?.result;
  return result?.latency
    ? { meanMs: result.latency.mean, p99Ms: result.latency.p99, rme: result.latency.rme }
    : undefined;
}

async function runSetup(label, makeSetup, { concurrent = false, ping = false } = {}) {
  const counter = { calls: 0 };
  const setup = await makeSetup();
  try {
    await verifySetup(label, setup, counter);
    if (ping) pings.set(label, await measurePing(setup));
    rows.push({ setup: label, inFlight: 1, results: await measure(label, setup, counter, 1) });
    if (concurrent && !isInterrupted())
      rows.push({ setup: label, inFlight: CONCURRENCY, results: await measure(label, setup, counter, CONCURRENCY) });
    if (setup.countRows) {
      const stored = await setup.countRows();
      check(
        stored === counter.calls,
        `${label}: ${stored} rows in ecpay_trade after ${counter.calls} successful createCheckout calls`,
      );
      checks.push(
        `${label}: ${counter.calls.toLocaleString('en-US')} successful createCheckout calls (checks, warm-up and timed), ${stored.toLocaleString('en-US')} rows in ecpay_trade: equal`,
      );
    } else {
      checks.push(`${label}: ${counter.calls.toLocaleString('en-US')} successful createCheckout calls, nothing stored`);
    }
  } finally {
    await setup.close();
  }
}

let exitCode = 0;
try {
  // 1. No-op store: the in-process part of createCheckout.
  await runSetup('no-op store (nothing stored)', noopContext);

  // 2. sql.js in memory, migrations run at start-up.
  if (!isInterrupted()) await runSetup('sql.js (in memory)', () => appContext({ type: 'sqljs', autoSave: false }));

  // 3. PostgreSQL: a fresh scratch database, always dropped.
  if (!isInterrupted()) {
    let reachable = null;
    try {
      [pgVersion, pgCommit] = await pgAdmin(
        async (client) => [
          (await client.query('SHOW server_version')).rows[0].server_version,
          (await client.query('SHOW synchronous_commit')).rows[0].synchronous_commit,
        ],
        PROBE_TIMEOUT_MS,
      );
      reachable = true;
    } catch (error) {
      const line = `skipped: PostgreSQL not reachable (${PG.host}:${PG.port}, ${describeError(error)})`;
      console.log(line);
      notes.push(line);
    }
    if (reachable) {
      const database = createScratchDatabase();
      try {
        await database.created;
        await runSetup(
          `PostgreSQL ${pgVersion.split(' ')[0]}`,
          () =>
            appContext({
              type: 'postgres',
              host: PG.host,
              port: PG.port,
              username: PG.user,
              password: PG.password,
              database: database.name,
            }),
          { concurrent: true, ping: true },
        );
      } finally {
        await database.drop();
        const names = await leftoverScratchDatabases();
        checks.push(
          `scratch database ${database.name} dropped; ecpay_bench_% databases left on the server: ${names.length === 0 ? 'none' : names.join(', ')}`,
        );
      }
    }
  }
} catch (error) {
  exitCode = 1;
  console.error(`\nABORT: ${error instanceof BenchAbort ? error.message : (error?.stack ?? describeError(error))}`);
}
if (isInterrupted()) await new Promise(() => undefined); // the signal handler exits once the database is dropped
if (exitCode !== 0) process.exit(exitCode);
const elapsedS = (performance.now() - started) / 1000;

// ---------------------------------------------------------------------------------------------------------------
// Report.
// ---------------------------------------------------------------------------------------------------------------

const version = packageVersion;
const int = (n) => Math.round(n).toLocaleString('en-US');
const ms = (n) => (n >= 1 ? `${n.toFixed(2)} ms` : `${int(n * 1000)} µs`);
const cell = (r) =>
  r ? `${int(r.callsPerSec)} calls/s (mean ${ms(r.meanMs)}, p99 ${ms(r.p99Ms)}, ±${r.rme.toFixed(1)}%)` : 'failed';

console.log('');
console.log('# nestjs-ecpay checkout benchmark (EcpayService.createCheckout)');
console.log('');
console.log(`- Date: ${new Date().toISOString()}`);
console.log(`- Node: ${process.version} (${process.platform}/${process.arch})`);
console.log(`- CPU: ${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length} logical cores`);
console.log(
  `- tinybench ${version('tinybench')}, typeorm ${version('typeorm')}, sql.js ${version('sql.js')}, pg ${version('pg')}${pgVersion ? `, PostgreSQL server ${pgVersion} (synchronous_commit=${pgCommit})` : ''}`,
);
console.log(
  `- Each cell: ${ROUNDS} rounds (2nd in reverse order) of ${TIME_MS} ms + ${WARMUP_MS} ms warm-up, the faster round shown; one sample = one createCheckout call; ±x% = 95% relative margin of error of that round's mean latency`,
);
console.log(
  `- in flight 1: calls/s = 1000 ÷ mean latency; in flight ${CONCURRENCY}: calls/s = completed calls ÷ wall time, latency = per call (queueing included)`,
);
console.log(`- Total run: ${elapsedS.toFixed(1)} s`);
console.log('');
console.log(`| setup | in flight | ${ORDERS.map((o) => o.label).join(' | ')} |`);
console.log(`| --- | ---: | ${ORDERS.map(() => '---:').join(' | ')} |`);
for (const row of rows)
  console.log(`| ${row.setup} | ${row.inFlight} | ${ORDERS.map((o) => cell(row.results[o.key])).join(' | ')} |`);
console.log('');
for (const note of notes) console.log(`- ${note}`);
console.log(`- Largest difference between the two rounds: ${worstSpread.pct.toFixed(1)}% (${worstSpread.name})`);
const sequential = (label) => rows.find((row) => row.setup.startsWith(label) && row.inFlight === 1)?.results;
const noop = sequential('no-op');
for (const label of ['sql.js', 'PostgreSQL']) {
  const db = sequential(label);
  if (!noop || !db) continue;
  const parts = ORDERS.filter((o) => noop[o.key] && db[o.key]).map((o) => {
    const storeMs = db[o.key].meanMs - noop[o.key].meanMs;
    return `${o.label}: ${ms(storeMs)} (${((100 * storeMs) / db[o.key].meanMs).toFixed(0)}% of the call)`;
  });
  console.log(`- Storing the trade on ${label} (sequential mean − no-op mean): ${parts.join('; ')}`);
}
for (const row of rows) {
  const parts = ORDERS.filter((o) => row.results[o.key]).map(
    (o) => `${o.label} ${int(row.results[o.key].cpuUsPerCall)} µs`,
  );
  console.log(
    `- Node CPU per call (user + system, run phase), ${row.setup}, ${row.inFlight} in flight: ${parts.join('; ')}`,
  );
}
for (const [label, p] of pings) {
  if (p)
    console.log(
      `- Extra: one round trip on ${label}, \`SELECT 1\` through the same DataSource: mean ${ms(p.meanMs)}, p99 ${ms(p.p99Ms)} (±${p.rme.toFixed(1)}%)`,
    );
}
const pgRows = rows.filter((row) => row.setup.startsWith('PostgreSQL'));
if (pgRows.length === 2) {
  const parts = ORDERS.filter((o) => pgRows[0].results[o.key] && pgRows[1].results[o.key]).map(
    (o) => `${o.label} ${(pgRows[1].results[o.key].callsPerSec / pgRows[0].results[o.key].callsPerSec).toFixed(2)}×`,
  );
  console.log(`- PostgreSQL throughput, ${CONCURRENCY} in flight ÷ 1 in flight: ${parts.join('; ')}`);
}
console.log('');
console.log('## Checks');
console.log('');
console.log(
  `- every setup, both orders: CheckMacValue verifies (computeCheckMacValue), fresh MerchantTradeNo, ItemName/TotalAmount as expected, trade pending`,
);
for (const line of checks) console.log(`- ${line}`);
