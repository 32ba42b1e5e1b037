// Notifications as users meet them: the BUILT demo shop (demo/dist/main.js, started as `npm start` starts it, with
// the local sandbox on and its `@OnEcpayEvent` handlers) receiving ECPay's first-write ReturnURL notifications, 64
// connections (autocannon, loopback), beside a bare Nest POST endpoint measured the same way in the same run. On the
// embedded default (better-sqlite3, WAL, a scratch file in a temp dir) and on PostgreSQL (a scratch database, always
// dropped), each with 1,000 and then 100,000 trades stored. Per run: notifications/s, p50/p99, the app process's CPU
// per notification from the first request until its handler has run for every one (/proc/<pid>/stat, so the
// dispatcher's work counts), the database's CPU beside it (PostgreSQL: the backends of the scratch database; SQLite
// runs inside the app), and after each run the correctness checks: every response `1|OK`, every notification
// stored and its trade paid, every handler run exactly once (the demo's log line per event, and the inbox's
// `done`). Prints a table and each target met or NOT met; exits 0 when every check holds, whether or not the targets
// are met — it is a benchmark, not a test. On PostgreSQL a second baseline, bare-write (the bare endpoint plus one
// INSERT of each body: the least a durable `1|OK` costs), is measured too and the demo compared with it (the measure
// docs/BENCHMARKS.md proposes). See docs/BENCHMARKS.md. Linux only (/proc).
//
// Arguments choose setups (`sqlite`, `postgres`; default both). ECPAY_BENCH_NOTIFICATIONS sets the notifications per
// timed run (default 3,000, as the issue measured). ECPAY_BENCH_DIAGNOSE=<dir> loads bench/demo-probe.mjs into the
// demo (a V8 CPU profile of each timed run, written to <dir>, and SQL statements per notification); such a run's
// figures are not the benchmark's. PostgreSQL is reached through the same ECPAY_TEST_PG_* variables as the tests.
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import pg from 'pg';
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

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEMO = join(ROOT, 'demo/dist/main.js');
const BARE = join(ROOT, 'bench/notifications.bench.mjs'); // its `--serve bare` app: the baseline
const PROBE = join(ROOT, 'bench/demo-probe.mjs');
const STAGE = { merchantId: '3002607', hashKey: 'pwFHCqoQZGmho4w6', hashIv: 'EkRm7iFT261dpevs' }; // the demo's default
const ACK = '1|OK';
const CONNECTIONS = 64;
const NOTIFICATIONS = Number(process.env.ECPAY_BENCH_NOTIFICATIONS ?? 3000);
const WARMUP = 1000;
const SIZES = [1000, 100_000];
const RUN_LIMIT_MS = 120_000; // a run that has not finished by then is stopped (and fails its checks)
const DRAIN_LIMIT_MS = 120_000;
const DIAGNOSE = process.env.ECPAY_BENCH_DIAGNOSE || undefined;
// Events of earlier trades put back in the queue right before the 100,000-trade run (their handlers run during it):
// whether storing and answering ECPay waits behind queued handler work. Such a run's CPU includes that work.
const BACKLOG = Number(process.env.ECPAY_BENCH_BACKLOG ?? 0);
const TICK_MS = 1000 / 100; // USER_HZ

const { EcpayTesting } = await import('../dist/index.js');
const testing = new EcpayTesting({ hashKey: STAGE.hashKey, hashIv: STAGE.hashIv });

const SETUPS = ['sqlite', 'postgres'];
const chosen = process.argv.slice(2).filter((arg) => SETUPS.includes(arg));
const wanted = (setup) => chosen.length === 0 || chosen.includes(setup);
const children = new Set();
let cannon;
const isInterrupted = onInterrupt(() => {
  cannon?.stop();
  for (const child of children) child.kill('SIGKILL');
});

// ---------------------------------------------------------------------------------------------------------------
// /proc readings
// ---------------------------------------------------------------------------------------------------------------

/** CPU time (user + system, all threads) of a process in ms; 0 when it is gone. */
function processCpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3: utime is 14, stime 15
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}
const rssMb = (pid) => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
};
/** Busy and idle ms of the whole machine, summed over cores. */
function machineTimes() {
  return os
    .cpus()
    .reduce((acc, { times: t }) => ({ busy: acc.busy + t.user + t.nice + t.sys + t.irq, idle: acc.idle + t.idle }), {
      busy: 0,
      idle: 0,
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------------------------------------------

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function waitExit(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * The bare endpoint: bench/notifications.bench.mjs's baseline app, in its own process. `bare-write` is the same
 * endpoint storing each body with one INSERT in PostgreSQL (`config`: the pg connection) before it answers.
 */
async function startBare(setup = 'bare', config = {}) {
  const child = fork(BARE, ['--serve', setup, JSON.stringify(config)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  const { port } = await new Promise((resolve, reject) => {
    child.once('message', ({ ok, result, error }) => (ok ? resolve(result) : reject(new BenchAbort(error))));
    child.once('exit', (code) => reject(new BenchAbort(`the bare app exited (${code})`)));
  });
  return {
    pid: child.pid,
    port,
    stop: async () => {
      child.send({ id: -1, type: 'close' });
      await waitExit(child, 15_000);
      children.delete(child);
    },
  };
}

/**
 * The demo shop, as `npm start` runs it (demo/dist/main.js), on its own port and database, the sandbox on. Its log
 * is read line by line: the handler's `Order … paid (event …)` lines are counted per MerchantTradeNo.
 */
async function startDemo(database, label) {
  const port = await freePort();
  const env = {
    ...process.env,
    PORT: String(port),
    ECPAY_ENV: 'sandbox',
    ECPAY_PUBLIC_URL: `http://127.0.0.1:${port}`,
    ECPAY_DEMO_DATABASE: database,
    NO_COLOR: '1',
  };
  // The stage merchant the bodies are signed for: the demo's default when these are unset.
  for (const name of ['ECPAY_MERCHANT_ID', 'ECPAY_HASH_KEY', 'ECPAY_HASH_IV', 'ECPAY_DEMO_ADMIN_TOKEN'])
    delete env[name];
  const child = fork(DEMO, [], {
    cwd: ROOT,
    execArgv: DIAGNOSE ? ['--import', PROBE] : [],
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.add(child);
  const paidLines = new Map();
  const lastLines = [];
  let ready;
  const started = new Promise((resolve) => (ready = resolve));
  let buffered = '';
  const onLine = (line) => {
    lastLines.push(line);
    if (lastLines.length > 20) lastLines.shift();
    const paid = /Order (\w+) paid \(event /.exec(line);
    if (paid) paidLines.set(paid[1], (paidLines.get(paid[1]) ?? 0) + 1);
    else if (line.includes('nestjs-ecpay demo shop on')) ready();
  };
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    const lines = (buffered + chunk).split('\n');
    buffered = lines.pop();
    lines.forEach(onLine);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => chunk.split('\n').filter(Boolean).forEach(onLine));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  const outcome = await Promise.race([
    started.then(() => 'ready'),
    exited.then((code) => `exited (${code})`),
    new Promise((resolve) => setTimeout(() => resolve('did not start within 60 s'), 60_000).unref()),
  ]);
  if (outcome !== 'ready') {
    child.kill('SIGKILL');
    throw new BenchAbort(`${label}: the demo ${outcome}:\n${lastLines.join('\n')}`);
  }
  const probe = (message, reply) =>
    new Promise((resolve) => {
      const listener = (answer) => {
        if (answer?.probe !== reply) return;
        child.off('message', listener);
        resolve(answer);
      };
      child.on('message', listener);
      child.send({ probe: message.probe, ...message });
    });
  return {
    pid: child.pid,
    port,
    paidLines,
    probeStart: () => probe({ probe: 'start' }, 'started'),
    probeStop: (run) => probe({ probe: 'stop', dir: DIAGNOSE, label: run }, 'stopped'),
    stop: async () => {
      child.kill('SIGTERM'); // enableShutdownHooks: Nest closes the app (and the database) first
      await waitExit(child, 15_000);
      children.delete(child);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The databases, from outside the app: seeding (untimed) and the checks
// ---------------------------------------------------------------------------------------------------------------

/** SQL the two databases spell differently. Prefixes are [A-Z0-9] only, so they are written inline. */
const DIALECT = {
  sqlite: {
    uuid: `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-a' || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))`,
    tradeNo: (prefix) => `printf('${prefix}%08d', s.n)`,
    series: (from, to) => `WITH RECURSIVE s(n) AS (SELECT ${from} UNION ALL SELECT n + 1 FROM s WHERE n < ${to}) `,
    seriesFrom: 's',
    columns: async (db, table) => (await db.all(`PRAGMA table_info(${table})`)).map((c) => c.name),
  },
  postgres: {
    uuid: 'gen_random_uuid()::text',
    tradeNo: (prefix) => `'${prefix}' || lpad(s.n::text, 8, '0')`,
    series: () => '',
    seriesFrom: null, // generate_series in FROM
    columns: async (db, table) =>
      (
        await db.all(
          `SELECT column_name FROM information_schema.columns WHERE table_name = '${table}' ORDER BY ordinal_position`,
        )
      ).map((c) => c.column_name),
  },
};

async function openSqlite(file) {
  const db = new Database(file, { timeout: 10_000 });
  return {
    all: async (sql) => db.prepare(sql).all(),
    run: async (sql) => void db.exec(sql),
    close: async () => db.close(),
  };
}

async function openPostgres(database) {
  const client = new pg.Client({ host: PG.host, port: PG.port, user: PG.user, password: PG.password, database });
  await client.connect();
  return {
    all: async (sql) => (await client.query(sql)).rows,
    run: async (sql) => void (await client.query(sql)),
    close: () => client.end(),
  };
}

/**
 * Copies of one stored trade, numbered from..to under a prefix, in one INSERT … SELECT per 20,000 (each its own id;
 * a paid original gets copies with their own TradeNo).
 */
async function cloneTrades(db, dialect, { templateNo, prefix, from, count }) {
  const columns = await dialect.columns(db, 'ecpay_trade');
  const value = (column) =>
    column === 'id'
      ? dialect.uuid
      : column === 'merchant_trade_no'
        ? dialect.tradeNo(prefix)
        : column === 'ecpay_trade_no'
          ? `CASE WHEN t.ecpay_trade_no IS NULL THEN NULL ELSE 'E' || ${dialect.tradeNo(prefix)} END`
          : `t.${column}`;
  for (let start = from; start < from + count; start += 20_000) {
    const end = Math.min(from + count, start + 20_000) - 1;
    const series = dialect.seriesFrom ? dialect.seriesFrom : `generate_series(${start}, ${end}) AS s(n)`;
    await db.run(
      `${dialect.series(start, end)}INSERT INTO ecpay_trade (${columns.join(', ')}) ` +
        `SELECT ${columns.map(value).join(', ')} FROM ${series}, ecpay_trade t WHERE t.merchant_trade_no = '${templateNo}'`,
    );
  }
}

/** One inbox row per trade of a prefix, copied from a dispatched notification: the history of a shop that ran. */
/**
 * Puts `count` dispatched events of the history under `prefix` back in the queue, due at once (as a re-drive would),
 * and returns how many it queued.
 */
async function queueAgain(db, prefix, count) {
  await db.run(
    `UPDATE ecpay_notification SET dispatch_status = 'pending', next_attempt_at = received_at, attempts = 0, ` +
      `completed_handlers = NULL, locked_by = NULL, locked_until = NULL WHERE id IN (SELECT id FROM ecpay_notification ` +
      `WHERE merchant_trade_no LIKE '${prefix}%' AND dispatch_status = 'done' ORDER BY id LIMIT ${Number(count)})`,
  );
  return one(
    db,
    `SELECT COUNT(*) FROM ecpay_notification WHERE merchant_trade_no LIKE '${prefix}%' AND dispatch_status = 'pending'`,
  );
}

async function cloneInbox(db, dialect, { templateId, prefix }) {
  const columns = await dialect.columns(db, 'ecpay_notification');
  const value = (column) =>
    ({
      id: dialect.uuid,
      dedupe_key: `'bench:' || t.merchant_trade_no`,
      merchant_trade_no: 't.merchant_trade_no',
      trade_id: 't.id',
    })[column] ?? `n.${column}`;
  await db.run(
    `INSERT INTO ecpay_notification (${columns.join(', ')}) SELECT ${columns.map(value).join(', ')} ` +
      `FROM ecpay_trade t, ecpay_notification n WHERE n.id = '${templateId}' AND t.merchant_trade_no LIKE '${prefix}%'`,
  );
}

const one = async (db, sql) => Number(Object.values((await db.all(sql))[0])[0]);

// ---------------------------------------------------------------------------------------------------------------
// Load
// ---------------------------------------------------------------------------------------------------------------

const tradeNo = (prefix, i) => `${prefix}${String(i).padStart(8, '0')}`;

function signedBodies(prefix, count, totalAmount) {
  return Array.from({ length: count }, (_, i) =>
    testing.form(
      testing.paymentSucceeded({ merchantId: STAGE.merchantId, merchantTradeNo: tradeNo(prefix, i), totalAmount }),
    ),
  );
}

/** Posts each body once, 64 connections, and resolves with autocannon's result and the time to the last response. */
/** p50 and p99 (nearest rank, ms, rounded like autocannon's) of a list of latencies. */
function percentiles(latencies) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q) => Math.round(sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? NaN);
  return { p50: at(0.5), p99: at(0.99) };
}

function post(port, bodies) {
  const connected = new Set();
  const established = [];
  let next = 0;
  const startedAt = performance.now();
  let lastAt = startedAt;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}/ecpay/return`,
        connections: CONNECTIONS,
        amount: bodies.length,
        timeout: 30,
        verifyBody: (body) => body === ACK,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
          },
        ],
      },
      (error, result) => {
        clearTimeout(limit);
        cannon = undefined;
        if (error) reject(error);
        else
          resolve({
            result,
            posted: next,
            elapsedS: (lastAt - startedAt) / 1000,
            established: percentiles(established),
          });
      },
    );
    // autocannon opens its connections as the run starts; on a busy server the first request of most of them waits
    // for the connection to be accepted (seconds at worst, on the bare endpoint too), which ECPay's posts — one at a
    // time, seconds apart — never meet. So the latencies of requests on established connections are kept apart.
    instance.on('response', (client, _status, _bytes, ms) => {
      lastAt = performance.now();
      if (connected.has(client)) established.push(ms);
      else connected.add(client);
    });
    const limit = setTimeout(() => instance.stop(), RUN_LIMIT_MS);
    cannon = instance;
  });
}

const clean = (label, { result }) =>
  check(
    result.non2xx === 0 && result.errors === 0 && result.timeouts === 0 && result.mismatches === 0,
    `${label}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts, ${result.mismatches} bodies other than ${ACK}`,
  );

async function until(condition, limitMs) {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Runs
// ---------------------------------------------------------------------------------------------------------------

const rows = [];
const checks = [];
const notes = [];

/** The baseline, measured right before each demo run: the same bodies, the same way. */
async function measureBare(bare, bodies) {
  const before = processCpuMs(bare.pid);
  const run = await post(bare.port, bodies);
  const cpuMs = processCpuMs(bare.pid) - before;
  clean('bare', run);
  const n = run.result.requests.total;
  return {
    rps: n / run.elapsedS,
    p50: run.result.latency.p50,
    p99: run.result.latency.p99,
    warmP99: run.established.p99,
    cpuUs: (cpuMs * 1000) / n,
  };
}

async function runSetup(setup, label, { database, openDb, dbPids, bareWriteDb }) {
  const dialect = DIALECT[setup];
  console.log(`${label}: starting the demo…`);
  const bare = await startBare();
  const bareWrite = bareWriteDb ? await startBare('bare-write', bareWriteDb) : undefined;
  const demo = await startDemo(database, label);
  const db = await openDb();
  try {
    // The trade every batch copies: one order placed through the demo's own API (EcpayService.createCheckout).
    const response = await fetch(`http://127.0.0.1:${demo.port}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ name: '阿里山高山烏龍茶 150g', price: 680, quantity: 2 }], method: 'Credit' }),
    });
    check(response.status === 201, `${label}: POST /api/orders answered ${response.status}`);
    const { merchantTradeNo: templateNo } = await response.json();
    const totalAmount = await one(db, `SELECT total_amount FROM ecpay_trade WHERE merchant_trade_no = '${templateNo}'`);
    const tag = Math.random()
      .toString(36)
      .slice(2, 8)
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, '0');

    /** One batch: its trades stored, its bodies posted, its handlers awaited; the checks; the figures. */
    async function batch(prefix, count, { timed, stored, history }) {
      await cloneTrades(db, dialect, { templateNo, prefix, from: 0, count });
      if (setup === 'postgres') await db.run('ANALYZE');
      const bodies = signedBodies(prefix, count, totalAmount);
      const baseline = timed ? await measureBare(bare, signedBodies(`X${tag}`, count, totalAmount)) : undefined;
      const writeBaseline =
        timed && bareWrite ? await measureBare(bareWrite, signedBodies(`V${tag}`, count, totalAmount)) : undefined;
      if (timed && DIAGNOSE) await demo.probeStart();
      const pidsBefore = dbPids ? await dbPids() : [];
      const dbBefore = new Map(pidsBefore.map((pid) => [pid, processCpuMs(pid)]));
      const machineBefore = machineTimes();
      const rssBefore = rssMb(demo.pid);
      const backlog = timed && BACKLOG > 0 && history ? await queueAgain(db, history, BACKLOG) : 0;
      const cpuBefore = processCpuMs(demo.pid);
      const run = await post(demo.port, bodies);
      const backlogLeft = backlog
        ? await one(
            db,
            `SELECT COUNT(*) FROM ecpay_notification WHERE merchant_trade_no LIKE '${history}%' AND dispatch_status = 'pending'`,
          )
        : 0;
      const cpuLoad = processCpuMs(demo.pid) - cpuBefore;
      const pendingAtEnd = await one(
        db,
        `SELECT COUNT(*) FROM ecpay_notification WHERE merchant_trade_no LIKE '${prefix}%' AND dispatch_status <> 'done'`,
      );
      const drainStarted = performance.now();
      const handled = () => [...bodies.keys()].every((i) => demo.paidLines.has(tradeNo(prefix, i)));
      const drained = await until(
        async () =>
          handled() &&
          (await one(
            db,
            `SELECT COUNT(*) FROM ecpay_notification WHERE merchant_trade_no LIKE '${prefix}%' AND dispatch_status = 'done'`,
          )) === count,
        DRAIN_LIMIT_MS,
      );
      const drainS = (performance.now() - drainStarted) / 1000;
      const cpuAll = processCpuMs(demo.pid) - cpuBefore;
      const machineAfter = machineTimes();
      const pidsAfter = dbPids ? await dbPids() : [];
      const dbCpu = pidsAfter.reduce((sum, pid) => sum + processCpuMs(pid) - (dbBefore.get(pid) ?? 0), 0);
      const rssAfter = rssMb(demo.pid);
      if (timed && DIAGNOSE) {
        const { file, statements } = await demo.probeStop(`${setup}-${stored}`);
        const per = Object.entries(statements)
          .map(([kind, n]) => `${kind} ${(n / count).toFixed(2)}`)
          .join(', ');
        notes.push(`DIAGNOSTIC ${label}, ${stored} trades: profile ${file}; statements per notification: ${per}`);
      }

      // Correctness: every response 1|OK, every notification stored (its trade paid), every handler run once.
      const what = `${label}, ${timed ? `${stored.toLocaleString('en-US')} trades stored` : 'warm-up'}`;
      clean(what, run);
      check(
        run.result.requests.total === count && run.posted === count,
        `${what}: ${run.result.requests.total} responses to ${run.posted} posts of ${count} bodies`,
      );
      const inbox = await one(
        db,
        `SELECT COUNT(*) FROM ecpay_notification WHERE merchant_trade_no LIKE '${prefix}%' AND outcome = 'applied' AND event_name = 'payment.succeeded'`,
      );
      const paid = await one(
        db,
        `SELECT COUNT(*) FROM ecpay_trade WHERE merchant_trade_no LIKE '${prefix}%' AND status = 'paid'`,
      );
      check(inbox === count && paid === count, `${what}: ${inbox} inbox rows and ${paid} paid trades for ${count}`);
      check(drained, `${what}: handlers not all run ${DRAIN_LIMIT_MS / 1000} s after the load`);
      const twice = [...bodies.keys()].filter((i) => demo.paidLines.get(tradeNo(prefix, i)) !== 1).length;
      check(twice === 0, `${what}: ${twice} events whose handler did not run exactly once`);
      checks.push(
        `${what}: ${count.toLocaleString('en-US')} responses 200 ${ACK}; ${inbox.toLocaleString('en-US')} inbox rows, ${paid.toLocaleString('en-US')} trades paid; ` +
          `the handler ran once for each (${count.toLocaleString('en-US')} log lines, all rows done; ${pendingAtEnd.toLocaleString('en-US')} pending when the load ended, all done ${drainS.toFixed(1)} s later)`,
      );
      if (!timed) return;
      const busy = machineAfter.busy - machineBefore.busy;
      rows.push({
        label: backlog ? `${label} + ${backlog.toLocaleString('en-US')} queued events` : label,
        setup,
        stored,
        bare: baseline,
        bareWrite: writeBaseline,
        rps: count / run.elapsedS,
        p50: run.result.latency.p50,
        p99: run.result.latency.p99,
        warmP50: run.established.p50,
        warmP99: run.established.p99,
        max: run.result.latency.max,
        cpuUs: (cpuAll * 1000) / count,
        cpuLoadUs: (cpuLoad * 1000) / count,
        dbUs: dbPids ? (dbCpu * 1000) / count : undefined,
        pendingAtEnd,
        backlog,
        backlogLeft,
        drainS,
        rss: [rssBefore, rssAfter],
        busy: busy / (busy + machineAfter.idle - machineBefore.idle),
      });
      const r = rows.at(-1);
      if (backlog)
        notes.push(
          `BACKLOG ${label}, ${stored} trades: ${backlog.toLocaleString('en-US')} events of earlier trades queued again right before the run (their handlers ran during it: its CPU includes them); ${backlogLeft.toLocaleString('en-US')} still pending when the load ended`,
        );
      console.log(
        `${label}, ${stored} trades: ${Math.round(r.rps)} notifications/s, p50 ${r.warmP50} ms, p99 ${r.warmP99} ms on established connections, ${r.p99} ms in all (bare ${Math.round(baseline.rps)} req/s, p99 ${baseline.warmP99} / ${baseline.p99} ms)`,
      );
    }

    // Warm-up: JIT, pools and the sandbox's first requests, on a batch of its own (not reported).
    await batch(`W${tag}`, WARMUP, { timed: false });
    await measureBare(bare, signedBodies(`Y${tag}`, WARMUP, totalAmount));
    if (bareWrite) await measureBare(bareWrite, signedBodies(`U${tag}`, WARMUP, totalAmount));
    const templateId = (
      await db.all(`SELECT id FROM ecpay_notification WHERE merchant_trade_no LIKE 'W${tag}%' LIMIT 1`)
    )[0].id;
    const paidTemplate = tradeNo(`W${tag}`, 0);
    for (const [i, size] of SIZES.entries()) {
      const stored = await one(db, 'SELECT COUNT(*) FROM ecpay_trade');
      if (size > stored) {
        // A shop's history: paid trades, each with its dispatched notification (untimed).
        const started = performance.now();
        const prefix = `H${i}${tag}`;
        await cloneTrades(db, dialect, { templateNo: paidTemplate, prefix, from: 0, count: size - stored });
        await cloneInbox(db, dialect, { templateId, prefix });
        // The seeding's WAL is flushed before the timed run, not by a checkpoint that falls inside it: a real shop's
        // history was not bulk-written a second before a burst of notifications.
        if (setup === 'postgres') await db.run('VACUUM ANALYZE').then(() => db.run('CHECKPOINT'));
        else await db.run('PRAGMA wal_checkpoint(TRUNCATE)');
        notes.push(
          `${label}: ${(size - stored).toLocaleString('en-US')} paid trades with their notifications stored in ${((performance.now() - started) / 1000).toFixed(1)} s (not timed)`,
        );
      }
      const now = await one(db, 'SELECT COUNT(*) FROM ecpay_trade');
      const history = size > 1000 ? `H${i}${tag}` : undefined;
      await batch(`T${i}${tag}`, NOTIFICATIONS, { timed: true, stored: now, history });
      if (isInterrupted()) return;
    }
  } finally {
    await db.close().catch(() => undefined);
    await demo.stop();
    await bare.stop();
    await bareWrite?.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------------

check(existsSync(DEMO), 'demo/dist/main.js is missing: run `npm run build && npx tsc -p demo/tsconfig.json` first');
const started = performance.now();
let exitCode = 0;
let pgVersion;
try {
  if (wanted('sqlite')) {
    const dir = mkdtempSync(join(os.tmpdir(), 'ecpay-demo-bench-'));
    try {
      const file = join(dir, 'demo-shop.sqlite');
      await runSetup('sqlite', 'demo, SQLite file (better-sqlite3, WAL)', {
        database: file,
        openDb: () => openSqlite(file),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (!isInterrupted() && wanted('postgres')) {
    let reachable = false;
    try {
      pgVersion = await pgAdmin(async (c) => (await c.query('SHOW server_version')).rows[0].server_version, 1000);
      reachable = true;
    } catch (error) {
      notes.push(`PostgreSQL skipped: not reachable at ${PG.host}:${PG.port} (${describeError(error)})`);
    }
    if (reachable) {
      const scratch = createScratchDatabase();
      try {
        await scratch.created;
        const auth = PG.password ? `${encodeURIComponent(PG.user)}:${encodeURIComponent(PG.password)}` : PG.user;
        await runSetup('postgres', `demo, PostgreSQL ${pgVersion.split(' ')[0]}`, {
          database: `postgres://${auth}@${encodeURIComponent(PG.host)}:${PG.port}/${scratch.name}`,
          openDb: () => openPostgres(scratch.name),
          bareWriteDb: { host: PG.host, port: PG.port, user: PG.user, password: PG.password, database: scratch.name },
          // The backends serving the scratch database (the app's pool and this script's one connection).
          dbPids: () =>
            pgAdmin(async (c) =>
              (await c.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [scratch.name])).rows.map(
                (r) => r.pid,
              ),
            ),
        });
      } finally {
        await scratch.drop();
        const left = await leftoverScratchDatabases();
        checks.push(`scratch database ${scratch.name} dropped; ecpay_bench_% left: ${left.join(', ') || 'none'}`);
      }
    }
  }
} catch (error) {
  exitCode = 1;
  console.error(`\nABORT: ${error instanceof BenchAbort ? error.message : (error?.stack ?? describeError(error))}`);
}
if (isInterrupted()) await new Promise(() => undefined); // the signal handler exits once the database is dropped
if (exitCode !== 0) process.exit(exitCode);

// ---------------------------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------------------------

const int = (n) => Math.round(n).toLocaleString('en-US');
const x = (n) => `${n.toFixed(2)}×`;
console.log('');
console.log('# nestjs-ecpay: notifications through the demo shop, with its handlers');
console.log('');
console.log(
  `- Date: ${new Date().toISOString()}; Node ${process.version}; ${os.cpus()[0]?.model} × ${os.cpus().length}`,
);
console.log(
  `- autocannon ${packageVersion('autocannon')}, ${CONNECTIONS} connections, loopback; ${int(NOTIFICATIONS)} first-write ReturnURL notifications per run (one signed body per pending trade), after a ${int(WARMUP)}-notification warm-up; the bare endpoint gets the same bodies right before each run`,
);
console.log(
  `- app CPU = the demo process (/proc/<pid>/stat) from the first request until every handler had run, ÷ notifications; bare CPU the same over its run ÷ requests; ` +
    `DB CPU = the PostgreSQL backends of the scratch database over the same span (SQLite runs inside the app)`,
);
console.log(`- Total run: ${((performance.now() - started) / 1000).toFixed(0)} s`);
console.log('');
console.log(
  '| setup | trades stored | notif/s | p50 | p99 | bare req/s | bare p99 | p99 ÷ bare | all requests: p99, bare p99, ÷ | app CPU/notif | bare CPU/req | CPU ÷ bare | DB CPU/notif | pending at end → done after | machine busy | app RSS |',
);
console.log(
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
);
for (const r of rows) {
  console.log(
    `| ${r.label} | ${int(r.stored)} | ${int(r.rps)} | ${r.warmP50} ms | ${r.warmP99} ms | ${int(r.bare.rps)} | ${r.bare.warmP99} ms | ${x(r.warmP99 / r.bare.warmP99)} | ` +
      `${r.p99} ms, ${r.bare.p99} ms, ${x(r.p99 / r.bare.p99)} | ` +
      `${int(r.cpuUs)} µs | ${int(r.bare.cpuUs)} µs | ${x(r.cpuUs / r.bare.cpuUs)} | ${r.dbUs === undefined ? '(in app)' : `${int(r.dbUs)} µs`} | ` +
      `${int(r.pendingAtEnd)} → ${r.drainS.toFixed(1)} s | ${(100 * r.busy).toFixed(0)}% | ${int(r.rss[0])} → ${int(r.rss[1])} MB |`,
  );
}
console.log('');
for (const note of notes) console.log(`- ${note}`);
console.log('');
console.log('## Targets');
console.log('');
const verdict = (ok) => (ok ? 'met' : 'NOT met');
for (const r of rows) {
  const stored = `${int(r.stored)} trades`;
  if (r.setup === 'postgres') {
    console.log(
      `- PostgreSQL, ${stored}: p99 ≤ 3× bare: ${x(r.warmP99 / r.bare.warmP99)} — **${verdict(r.warmP99 <= 3 * r.bare.warmP99)}** (all requests, connection set-up included: ${x(r.p99 / r.bare.p99)})`,
    );
    console.log(
      `- PostgreSQL, ${stored}: app CPU/notification ≤ 2.5× bare CPU/request: ${x(r.cpuUs / r.bare.cpuUs)} — **${verdict(r.cpuUs <= 2.5 * r.bare.cpuUs)}**`,
    );
  } else {
    console.log(
      `- Embedded, ${stored}: p99 ≤ 5× bare: ${x(r.warmP99 / r.bare.warmP99)} — **${verdict(r.warmP99 <= 5 * r.bare.warmP99)}** (all requests, connection set-up included: ${x(r.p99 / r.bare.p99)})`,
    );
  }
}
const [small, large] = ['sqlite'].map((s) => rows.filter((r) => r.setup === s))[0];
if (small && large)
  console.log(
    `- Embedded: notifications/s with ${int(large.stored)} trades ≥ 80% of the rate with ${int(small.stored)}: ${((100 * large.rps) / small.rps).toFixed(0)}% — **${verdict(large.rps >= 0.8 * small.rps)}**`,
  );
console.log(
  '- Memory over 100,000 notifications: measured by bench/memory.bench.mjs (app RSS before → after each run above, for information)',
);
const written = rows.filter((r) => r.bareWrite);
if (written.length > 0) {
  // Not the issue's targets: the measure proposed beside them (docs/BENCHMARKS.md says why). A durable `1|OK`
  // needs at least one round trip to the database; this baseline pays exactly that and nothing else.
  console.log('');
  console.log('## Against a bare endpoint that stores each body in PostgreSQL (one INSERT; proposed measure)');
  console.log('');
  console.log('| setup | trades stored | bare-write req/s | p99 | demo p99 ÷ it | CPU/req | demo CPU ÷ it |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of written) {
    const w = r.bareWrite;
    console.log(
      `| ${r.label} | ${int(r.stored)} | ${int(w.rps)} | ${w.warmP99} ms | ${x(r.warmP99 / w.warmP99)} | ${int(w.cpuUs)} µs | ${x(r.cpuUs / w.cpuUs)} |`,
    );
  }
}
console.log('');
console.log('## Checks');
console.log('');
for (const line of checks) console.log(`- ${line}`);
