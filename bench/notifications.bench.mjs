// Notification benchmark: ECPay posting payment results (ReturnURL) to `POST /ecpay/return` — verify the
// CheckMacValue (guard), validate the DTO, store the notification and the trade's state change in one transaction,
// answer `1|OK` — measured over HTTP with autocannon at 64 connections, against a bare Nest POST endpoint in an app
// created the same way (the baseline), on an in-memory sql.js database and on PostgreSQL (a scratch database created
// for the run and always dropped). Run with `npm run bench` (builds dist/ first, after the signing and checkout
// benches). Prints one Markdown table and the issue's two targets; exits 0 once the correctness checks pass whether
// or not the targets are met — it is a benchmark, not a test. See docs/BENCHMARKS.md.
//
// Each app runs in a child process of its own (this file with `--serve <setup>`), so autocannon, which runs here,
// never shares the app's event loop. Optional arguments choose setups (`bare`, `sqljs`, `postgres`, and
// `sqljs-otel`, `postgres-otel`: the same app with an OpenTelemetry SDK installed, so the library's metrics are
// recorded — metrics on vs off; default all).
// Diagnostics: ECPAY_BENCH_DIAGNOSE=<dir> writes a V8 CPU profile of each app process during its timed run to <dir>
// and counts the SQL statements TypeORM sends (through a counting TypeORM logger); the profiler slows the app down,
// so the figures of such a run are not the benchmark's. ECPAY_BENCH_PG_POOL=<n> sets TypeORM's poolSize on PostgreSQL
// (default: pg's 10). PostgreSQL is reached through the same ECPAY_TEST_PG_* variables as the persistence tests.
import 'reflect-metadata';
import { execFileSync, fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  BenchAbort,
  check,
  createScratchDatabase,
  describeError,
  leftoverScratchDatabases,
  onInterrupt,
  packageVersion,
  PG as SHARED_PG,
  pgAdmin,
} from './support.mjs';

// ---------------------------------------------------------------------------------------------------------------
// Inputs shared by both processes: ECPay's public stage merchant and the order every trade is made from (the same
// three items with Chinese names as the checkout bench, credit card, TotalAmount 2470).
// ---------------------------------------------------------------------------------------------------------------

const STAGE = { merchantId: '3002607', hashKey: 'pwFHCqoQZGmho4w6', hashIv: 'EkRm7iFT261dpevs' };
const ecpayOptions = { environment: 'stage', ...STAGE, publicUrl: 'https://shop.example.com' }; // dispatch: the default
const ORDER = Object.freeze({
  items: [
    { name: '阿里山高山烏龍茶 150g', price: 680, quantity: 2 },
    { name: '鳳梨酥禮盒 (12入)', price: 450, quantity: 1 },
    { name: '手工花生牛軋糖', price: 220, quantity: 3 },
  ],
  description: '台灣茶與伴手禮訂單',
  payment: { method: 'Credit' },
});
const TOTAL_AMOUNT = 2470;
const ACK = '1|OK';
const FORM = 'application/x-www-form-urlencoded';

/** MerchantTradeNo number i of a batch: letters and digits, 15 characters. */
const tradeNo = (prefix, i) => `${prefix}${String(i).padStart(8, '0')}`;

if (process.argv[2] === '--serve') await serve(process.argv[3], JSON.parse(process.argv[4] ?? '{}'));
else await main();

// ===============================================================================================================
// The app process. Builds the app, listens on 127.0.0.1 port 0, then answers the orchestrator's messages:
// trades (create a batch), mark (CPU and request counters), settle (wait for in-flight requests), counts, close.
// ===============================================================================================================

async function serve(key, config) {
  // `<setup>-otel`: the same app, with an OpenTelemetry MeterProvider (read by the Prometheus exporter, as the demo
  // does, its server off) and a TracerProvider installed before Nest starts — the library's instruments record.
  const otel = key.endsWith('-otel') ? await installOpenTelemetry() : undefined;
  const setup = key.replace(/-otel$/, '');
  const { Controller, Header, HttpCode, Module, Post, Req } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  const { getDataSourceToken, TypeOrmModule } = await import('@nestjs/typeorm');
  const { Like } = await import('typeorm');
  const lib = await import('../dist/index.js');

  process.on('disconnect', () => process.exit(0)); // the orchestrator is gone: do not outlive it
  process.on('SIGINT', () => undefined); // Ctrl-C reaches the whole group; the orchestrator decides when we stop

  // Diagnostics only (see the top of the file): statements by kind, and a CPU profile of the timed run.
  const diagnose = config.diagnose;
  const statements = {};
  const countingLogger = {
    logQuery(query) {
      const words = query.trimStart().split(/\s+/, 2);
      const kind = words[0].toUpperCase() === 'START' ? 'START TRANSACTION' : words[0].toUpperCase();
      const key = kind === 'SELECT' && /\bFOR UPDATE\b/i.test(query) ? 'SELECT … FOR UPDATE' : kind;
      statements[key] = (statements[key] ?? 0) + 1;
    },
    logQueryError() {
      statements['(failed)'] = (statements['(failed)'] ?? 0) + 1;
    },
    logQuerySlow() {},
    logSchemaBuild() {},
    logMigration() {},
    log() {},
  };
  let profiler;

  class AppModule {}
  /** Makes `controller.ack` the app's POST /ecpay/return, answered 200 as text/plain (the baselines' one route). */
  const serveAck = (controller) => {
    const proto = controller.prototype;
    Reflect.decorate(
      [Post('return'), HttpCode(200), Header('Content-Type', 'text/plain; charset=utf-8')],
      proto,
      'ack',
      Object.getOwnPropertyDescriptor(proto, 'ack'),
    );
    Reflect.decorate([Controller('ecpay')], controller);
    Module({ controllers: [controller] })(AppModule);
  };
  let closeBareWrite;
  if (setup === 'bare-write') {
    // The least a durable `1|OK` costs: the bare endpoint, plus one INSERT of the raw body into PostgreSQL (a
    // named prepared statement on a pg pool of pg's default size, as TypeORM's) before it answers. No guard, no DTO.
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ ...config, ...(config.poolSize ? { max: config.poolSize } : {}) });
    closeBareWrite = () => pool.end();
    await pool.query(
      'CREATE TABLE IF NOT EXISTS bench_bare_write (id bigserial PRIMARY KEY, body text NOT NULL, received_at timestamptz NOT NULL)',
    );
    const insert = 'INSERT INTO bench_bare_write (body, received_at) VALUES ($1, now())';
    class BareWriteController {
      async ack(request) {
        await pool.query({ name: 'bench_bare_write', text: insert, values: [request.rawBody.toString('utf8')] });
        return ACK;
      }
    }
    Req()(BareWriteController.prototype, 'ack', 0);
    serveAck(BareWriteController);
  } else if (setup === 'bare') {
    // The baseline: the same route, answered 1|OK as text/plain, with no guard, no DTO and no database.
    class BareCallbacksController {
      ack() {
        return ACK;
      }
    }
    serveAck(BareCallbacksController);
  } else {
    const typeorm =
      setup === 'sqljs'
        ? { type: 'sqljs', autoSave: false }
        : {
            type: 'postgres',
            host: config.host,
            port: config.port,
            username: config.user,
            password: config.password,
            database: config.database,
            ...(config.poolSize ? { poolSize: config.poolSize } : {}),
          };
    Module({
      imports: [
        TypeOrmModule.forRoot({
          ...typeorm,
          entities: [...lib.ECPAY_ENTITIES],
          migrations: [...lib.ECPAY_MIGRATIONS],
          migrationsRun: true, // the committed migrations, as an app would deploy them
          synchronize: false,
          logging: false,
          ...(diagnose ? { logger: countingLogger } : {}),
        }),
        lib.EcpayModule.forRoot(ecpayOptions),
      ],
    })(AppModule);
  }

  // Created as the README says an app must be: Express (the default platform), rawBody kept for the guard.
  const app = await NestFactory.create(AppModule, { rawBody: true, logger: false, abortOnError: false });
  const server = app.getHttpServer();
  let received = 0;
  let finished = 0;
  // How long the event loop is held up at a time (a 10 ms timer; negligible cost): reset by every mark.
  const { monitorEventLoopDelay } = await import('node:perf_hooks');
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  server.on('request', (_request, response) => {
    received++;
    response.once('close', () => finished++);
  });
  await app.listen(0, '127.0.0.1');
  const port = server.address().port;

  const dataSource = setup.startsWith('bare') ? undefined : app.get(getDataSourceToken());
  let info = {};
  if (dataSource) {
    const pending = await dataSource.showMigrations();
    const applied = await dataSource.query('SELECT name FROM migrations');
    if (pending || applied.length !== lib.ECPAY_MIGRATIONS.length)
      throw new Error(`${setup}: ${applied.length} of ${lib.ECPAY_MIGRATIONS.length} migrations applied`);
    info = { migrations: applied.length };
  }

  const handlers = {
    // A batch of pending trades. The first goes through EcpayService.createCheckout (the real path: build, validate,
    // sign, store); the rest are copies of its row with their own id and MerchantTradeNo, inserted through the
    // repository in chunks, which is much faster than one createCheckout each and stores the same columns.
    async trades({ prefix, count }) {
      const started = performance.now();
      const checkout = await app
        .get(lib.EcpayService)
        .createCheckout({ ...ORDER, merchantTradeNo: tradeNo(prefix, 0) });
      if (checkout.trade.totalAmount !== TOTAL_AMOUNT || checkout.trade.status !== 'pending')
        throw new Error('unexpected checkout trade');
      const repository = dataSource.getRepository(lib.EcpayTrade);
      const { id: _id, version: _version, createdAt: _c, updatedAt: _u, ...template } = checkout.trade;
      for (let from = 1; from < count; from += 500) {
        const rows = [];
        const now = new Date();
        for (let i = from; i < Math.min(count, from + 500); i++) {
          rows.push({
            ...template,
            id: randomUUID(),
            merchantTradeNo: tradeNo(prefix, i),
            createdAt: now,
            updatedAt: now,
          });
        }
        await repository.insert(rows);
      }
      const stored = await repository.countBy({ merchantTradeNo: Like(`${prefix}%`), status: 'pending' });
      if (stored !== count) throw new Error(`${stored} pending trades stored, expected ${count}`);
      return {
        ms: performance.now() - started,
        template: { merchantId: template.merchantId, totalAmount: template.totalAmount },
      };
    },
    mark() {
      const loop = { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 };
      loopDelay.reset();
      return { cpu: process.cpuUsage(), received, finished, statements: { ...statements }, loop };
    },
    async profileStart() {
      const { Session } = await import('node:inspector');
      profiler = new Session();
      profiler.connect();
      const post = (method) =>
        new Promise((resolve, reject) =>
          profiler.post(method, (error, result) => (error ? reject(error) : resolve(result))),
        );
      profiler.run = post;
      await post('Profiler.enable');
      await post('Profiler.start');
      return {};
    },
    async profileStop() {
      const { profile } = await profiler.run('Profiler.stop');
      profiler.disconnect();
      const file = join(diagnose, `notifications-${setup}-${process.pid}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      return { file };
    },
    // Waits until every request that reached the server has been answered and no new one has arrived for 500 ms:
    // autocannon stops with up to 64 requests in flight, and a busy app may read some of them from its sockets only
    // after the run (sql.js keeps the event loop busy in long synchronous stretches).
    async settle() {
      const deadline = Date.now() + 10_000;
      let seen = -1;
      let quietSince = Date.now();
      while (Date.now() < deadline) {
        if (received !== seen || finished < received) {
          seen = received;
          quietSince = Date.now();
        } else if (Date.now() - quietSince >= 500) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return { received, finished };
    },
    // Rows of one batch: inbox rows by outcome and dispatch status, trades by status, and the dispatcher's backlog.
    async counts({ prefix }) {
      const inbox = dataSource.getRepository(lib.EcpayNotification);
      const trades = dataSource.getRepository(lib.EcpayTrade);
      const like = Like(`${prefix}%`);
      const count = (repository, where) => repository.countBy({ merchantTradeNo: like, ...where });
      return {
        notifications: await count(inbox, {}),
        applied: await count(inbox, { outcome: 'applied', eventName: 'payment.succeeded' }),
        dispatchDone: await count(inbox, { dispatchStatus: 'done' }),
        dispatchPending: await count(inbox, { dispatchStatus: 'pending' }),
        paid: await count(trades, { status: 'paid' }),
        pending: await count(trades, { status: 'pending' }),
      };
    },
    // Lets the dispatcher finish the backlog (bounded), as it would once the burst is over.
    async drain({ prefix, timeoutMs }) {
      const started = performance.now();
      const inbox = dataSource.getRepository(lib.EcpayNotification);
      const dispatcher = app.get(lib.EcpayNotificationDispatcher);
      const pending = () => inbox.countBy({ merchantTradeNo: Like(`${prefix}%`), dispatchStatus: 'pending' });
      let left = await pending();
      while (left > 0 && performance.now() - started < timeoutMs) {
        await dispatcher.kick();
        left = await pending();
      }
      return { left, ms: performance.now() - started };
    },
    // What the library's metrics add to one notification, measured alone (the whole-app comparison is noisy on a
    // shared machine): one received count and one duration, as the controller records them, in CPU µs per call.
    async recordingCost({ calls }) {
      const { EcpayTelemetry } = await import('../dist/observability/ecpay-telemetry.js');
      const telemetry = app.get(EcpayTelemetry);
      const outcomes = ['applied', 'duplicate'];
      const cpu = process.cpuUsage();
      for (let i = 0; i < calls; i++) telemetry.notificationReceived('aio-return', outcomes[i & 1], 0.004);
      const used = process.cpuUsage(cpu);
      return { cpuUsPerCall: (used.user + used.system) / calls };
    },
    // The library's own count of notifications, from the SDK (with metrics on): proves they were recorded.
    async recorded() {
      if (!otel) return { notifications: undefined };
      const { resourceMetrics } = await otel.reader.collect();
      const points = resourceMetrics.scopeMetrics
        .flatMap((scope) => scope.metrics)
        .filter((metric) => metric.descriptor.name === 'ecpay.notifications.received')
        .flatMap((metric) => metric.dataPoints);
      return { notifications: points.reduce((sum, point) => sum + point.value, 0) };
    },
    async close() {
      await app.close();
      await closeBareWrite?.();
      setImmediate(() => process.exit(0));
      return {};
    },
  };

  process.on('message', async ({ id, type, payload }) => {
    try {
      process.send({ id, ok: true, result: await handlers[type](payload ?? {}) });
    } catch (error) {
      process.send({ id, ok: false, error: error?.stack ?? describeError(error) });
    }
  });
  process.send({ id: 0, ok: true, result: { port, ...info } });
}

/** What an app's instrumentation file does (docs/examples/src/operations/instrumentation.ts), minus the servers. */
async function installOpenTelemetry() {
  const { metrics, trace } = await import('@opentelemetry/api');
  const { MeterProvider } = await import('@opentelemetry/sdk-metrics');
  const { PrometheusExporter } = await import('@opentelemetry/exporter-prometheus');
  const { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter } =
    await import('@opentelemetry/sdk-trace-base');
  const reader = new PrometheusExporter({ preventServerStart: true });
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new InMemorySpanExporter())] }),
  );
  return { reader };
}

// ===============================================================================================================
// The orchestrator: creates the scratch database, starts each app, builds the signed bodies, runs autocannon,
// checks the rows, reports.
// ===============================================================================================================

async function main() {
  const { default: autocannon } = await import('autocannon');
  const { EcpayTesting, verifyCheckMacValue } = await import('../dist/index.js');

  // Harness settings: 64 connections, a short warm-up, then one timed run of DURATION_S per setup. The whole script
  // stays within about 90 s on a small machine (app start-up, the trade batches and the dispatcher's drain are the
  // rest).
  const CONNECTIONS = 64;
  const WARMUP_S = 5;
  const DURATION_S = 10;
  // With a database, every run posts a batch of signed bodies in order, one per trade, and wraps around to the start
  // of the list at some point: the requests before are first deliveries (store + state change), the ones after
  // duplicates (ECPay's retries). The warm-up wraps at WARMUP_WRAP_AT of its time and so measures both rates; the
  // timed run wraps at the time that makes about FIRST_SHARE of its requests first deliveries at those rates (within
  // 60–90% of its time). Its batch is sized at twice what the warm-up's best second predicts; should it run out
  // before the wrap, the list wraps there (more duplicates, reported as such).
  const WARMUP_WRAP_AT = 0.75;
  const FIRST_SHARE = 0.75;
  const WARMUP_TRADES = 4000;
  const MIN_TRADES = 2000;
  const MAX_TRADES = 40_000;

  const env = process.env;
  const PG = {
    ...SHARED_PG,
    poolSize: env.ECPAY_BENCH_PG_POOL ? Number(env.ECPAY_BENCH_PG_POOL) : undefined, // default: pg's 10
  };
  const PROBE_TIMEOUT_MS = 1000;
  const DIAGNOSE = env.ECPAY_BENCH_DIAGNOSE || undefined;
  const SETUPS = ['bare', 'sqljs', 'sqljs-otel', 'postgres', 'postgres-otel'];
  const chosen = process.argv.slice(2).filter((arg) => SETUPS.includes(arg));
  const wanted = (setup) => chosen.length === 0 || chosen.includes(setup);
  const started = performance.now();

  // The app process of the setup being measured, and the autocannon instance running against it.
  let child;
  let cannon;
  const isInterrupted = onInterrupt(() => {
    cannon?.stop();
    child?.kill('SIGKILL');
  });

  /**
   * Starts the app process of a setup; resolves once it listens. Returns { port, info, call(type, payload), stop() }.
   */
  function startApp(setup, config = {}) {
    const proc = fork(
      fileURLToPath(import.meta.url),
      ['--serve', setup, JSON.stringify({ ...config, diagnose: DIAGNOSE })],
      {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    child = proc;
    const waiting = new Map();
    let nextId = 1;
    let exited = false;
    const ready = new Promise((resolve, reject) => {
      waiting.set(0, { resolve, reject });
      setTimeout(() => reject(new BenchAbort(`${setup}: the app did not start within 60 s`)), 60_000).unref();
    });
    proc.on('message', ({ id, ok, result, error }) => {
      const pending = waiting.get(id);
      waiting.delete(id);
      if (ok) pending?.resolve(result);
      else pending?.reject(new BenchAbort(`${setup}: ${error}`));
    });
    proc.on('exit', (code, signal) => {
      exited = true;
      for (const { reject } of waiting.values())
        reject(new BenchAbort(`${setup}: the app process exited (${signal ?? code})`));
      waiting.clear();
    });
    const call = (type, payload, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        if (exited) return reject(new BenchAbort(`${setup}: the app process has exited`));
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        setTimeout(
          () =>
            waiting.has(id) &&
            (waiting.delete(id), reject(new BenchAbort(`${setup}: ${type} took over ${timeoutMs} ms`))),
          timeoutMs,
        ).unref();
        proc.send({ id, type, payload });
      });
    const stop = async () => {
      if (exited) return;
      const gone = new Promise((resolve) => proc.once('exit', resolve));
      await call('close', {}, 15_000).catch(() => proc.kill('SIGKILL'));
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 15_000).unref())]);
      if (!exited) proc.kill('SIGKILL');
    };
    return ready.then(({ port, ...info }) => ({ port, info, call, stop }));
  }

  /** One signed ReturnURL body (RtnCode 1) per trade of a batch, as ECPay posts them. */
  const testing = new EcpayTesting({ hashKey: STAGE.hashKey, hashIv: STAGE.hashIv });
  function signedBodies(prefix, count, template = { merchantId: STAGE.merchantId, totalAmount: TOTAL_AMOUNT }) {
    const bodies = new Array(count);
    for (let i = 0; i < count; i++) {
      const fields = testing.paymentSucceeded({
        merchantId: template.merchantId,
        merchantTradeNo: tradeNo(prefix, i),
        totalAmount: template.totalAmount,
      });
      if (i === 0)
        check(
          verifyCheckMacValue(fields, { hashKey: STAGE.hashKey, hashIv: STAGE.hashIv }),
          'EcpayTesting produced a body that does not verify',
        );
      bodies[i] = testing.form(fields);
    }
    return bodies;
  }

  /**
   * One autocannon run of durationS: the bodies posted in order (one counter shared by all connections), wrapping
   * around to the start of the list when it runs out or, with wrapAtS, at that time, to what was posted so far.
   * autocannon finalises its result on its next one-second tick, so the elapsed time used for req/s is measured here:
   * from the start to the last response. Also returns the requests completed before the wrap and its time.
   */
  function load(port, bodies, { durationS, wrapAtS }) {
    let next = 0;
    let length = bodies.length;
    let wrap; // { at (ms since start), responses before it }
    let responses = 0;
    const startedAt = performance.now();
    let lastResponseAt = startedAt;
    return new Promise((resolve, reject) => {
      const instance = autocannon(
        {
          url: `http://127.0.0.1:${port}/ecpay/return`,
          connections: CONNECTIONS,
          // autocannon stops at its first one-second tick after `duration`; just under a whole number of seconds
          // makes that tick the one at durationS rather than a second later.
          duration: durationS - 0.1,
          verifyBody: (body) => body === ACK, // a response other than exactly 1|OK counts as a mismatch
          requests: [
            {
              method: 'POST',
              headers: { 'content-type': FORM },
              setupRequest: (request) => {
                if (wrap === undefined && wrapAtS !== undefined) {
                  if (next === bodies.length) {
                    wrap = { at: performance.now() - startedAt, responses, ranOut: true }; // the list ran out first
                  } else if (performance.now() - startedAt >= wrapAtS * 1000) {
                    wrap = { at: performance.now() - startedAt, responses, ranOut: false };
                    length = next;
                    next = 0;
                  }
                }
                request.body = bodies[next++ % length];
                return request;
              },
            },
          ],
        },
        (error, result) => {
          cannon = undefined;
          if (error) reject(error);
          else
            resolve({
              result,
              elapsedS: (lastResponseAt - startedAt) / 1000,
              wrap,
              distinct: wrap ? length : Math.min(next, bodies.length),
            });
        },
      );
      instance.on('response', () => {
        responses++;
        lastResponseAt = performance.now();
      });
      cannon = instance;
    });
  }

  const clean = (label, phase, { result }) =>
    check(
      result.non2xx === 0 && result.errors === 0 && result.timeouts === 0 && result.mismatches === 0,
      `${label}, ${phase}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts, ${result.mismatches} bodies other than ${ACK} (status codes ${JSON.stringify(result.statusCodeStats)})`,
    );
  /** Completed requests per second of a run, and of its best one-second sample (JIT and pool warm by then). */
  const rates = ({ result, elapsedS }) => ({
    mean: result.requests.total / elapsedS,
    best: Math.max(result.requests.max, result.requests.total / elapsedS),
  });
  /** Completed requests per second before the wrap (first deliveries) and after it (duplicates). */
  const phases = ({ result, elapsedS, wrap }) =>
    wrap && wrap.at < elapsedS * 1000
      ? {
          first: wrap.responses / (wrap.at / 1000),
          duplicate: (result.requests.total - wrap.responses) / (elapsedS - wrap.at / 1000),
        }
      : undefined;

  const machineTimes = () =>
    os.cpus().reduce(
      (acc, cpu) => {
        const t = cpu.times;
        acc.busy += t.user + t.nice + t.sys + t.irq;
        acc.idle += t.idle;
        return acc;
      },
      { busy: 0, idle: 0 },
    );
  const cpuMs = (before, after) => (after.user - before.user + after.system - before.system) / 1000;
  // Time the hypervisor gave to other guests (steal), in USER_HZ ticks summed over cores, from /proc/stat (Linux).
  const stealAndTotal = () => {
    try {
      const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/);
      const numbers = values.map(Number);
      return { steal: numbers[7] ?? 0, total: numbers.slice(0, 8).reduce((a, b) => a + b, 0) };
    } catch {
      return undefined;
    }
  };
  // CPU time of PostgreSQL's processes (every process named postgres: backends, WAL writer, …), in ms, from
  // /proc/<pid>/stat (Linux; USER_HZ = 100). Undefined elsewhere.
  const postgresCpuMs = () => {
    try {
      let ticks = 0;
      for (const pid of readdirSync('/proc')) {
        if (!/^\d+$/.test(pid)) continue;
        let stat;
        try {
          stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        } catch {
          continue; // gone meanwhile
        }
        const close = stat.lastIndexOf(')');
        if (!stat.slice(stat.indexOf('(') + 1, close).startsWith('postgres')) continue;
        const fields = stat.slice(close + 2).split(' '); // fields[0] is field 3 (state): utime is 14, stime 15
        ticks += Number(fields[11]) + Number(fields[12]);
      }
      return ticks * 10;
    } catch {
      return undefined;
    }
  };

  const rows = [];
  const notes = [];
  const checks = [];
  let pgVersion;
  let pgCommit;

  /** Warm-up, then the timed run, of one setup; with a database, the batches and the row checks. */
  async function runSetup(setup, label, config) {
    console.log(`${label}: starting…`);
    const app = await startApp(setup, config);
    try {
      const tag = randomBytes(3).toString('hex').toUpperCase();
      const withDb = setup !== 'bare';
      const prefix = `M${tag}`;
      let template;
      let count;
      let bodies;
      let batchMs;
      let warmup;
      let wrapAt;
      if (withDb) {
        // Warm-up the same way, on a batch of its own, so that the timed run starts on trades nobody has paid yet.
        const batch = await app.call('trades', { prefix: `W${tag}`, count: WARMUP_TRADES });
        template = batch.template;
        check(
          template.totalAmount === TOTAL_AMOUNT && template.merchantId === STAGE.merchantId,
          `${label}: unexpected trade ${JSON.stringify(template)}`,
        );
        const warm = await load(app.port, signedBodies(`W${tag}`, WARMUP_TRADES, template), {
          durationS: WARMUP_S,
          wrapAtS: WARMUP_WRAP_AT * WARMUP_S,
        });
        clean(label, 'warm-up', warm);
        warmup = { ...rates(warm), phases: phases(warm) };
        // With k = duplicates per second ÷ first deliveries per second, first deliveries are FIRST_SHARE of the
        // requests when the wrap comes at FIRST_SHARE·k ÷ (FIRST_SHARE·k + 1 − FIRST_SHARE) of the time.
        const k = warmup.phases ? warmup.phases.duplicate / warmup.phases.first : 1;
        wrapAt = Math.min(0.9, Math.max(0.6, (FIRST_SHARE * k) / (FIRST_SHARE * k + (1 - FIRST_SHARE))));
        count = Math.max(MIN_TRADES, Math.min(MAX_TRADES, Math.ceil(2 * warmup.best * wrapAt * DURATION_S)));
        batchMs = (await app.call('trades', { prefix, count }, 120_000)).ms;
        bodies = signedBodies(prefix, count, template);
      } else {
        // The baseline ignores the body, so any realistic one will do: the same kind, for trades that do not exist.
        bodies = signedBodies(prefix, WARMUP_TRADES);
        const warm = await load(app.port, bodies, { durationS: WARMUP_S });
        clean(label, 'warm-up', warm);
        warmup = rates(warm);
      }
      await app.call('settle');

      if (DIAGNOSE) await app.call('profileStart');
      const before = await app.call('mark');
      const machineBefore = machineTimes();
      const stealBefore = stealAndTotal();
      const postgresBefore = setup.startsWith('postgres') ? postgresCpuMs() : undefined;
      const selfBefore = process.cpuUsage();
      const run = await load(
        app.port,
        bodies,
        withDb ? { durationS: DURATION_S, wrapAtS: wrapAt * DURATION_S } : { durationS: DURATION_S },
      );
      const { result, elapsedS } = run;
      const selfAfter = process.cpuUsage();
      const postgresAfter = setup.startsWith('postgres') ? postgresCpuMs() : undefined;
      const machineAfter = machineTimes();
      const stealAfter = stealAndTotal();
      const settled = await app.call('settle');
      const after = await app.call('mark');
      if (isInterrupted()) return;
      if (DIAGNOSE) {
        const { file } = await app.call('profileStop');
        const received = after.received - before.received;
        const perRequest = Object.entries(after.statements)
          .map(([kind, n]) => [kind, n - (before.statements[kind] ?? 0)])
          .filter(([, n]) => n > 0)
          .map(([kind, n]) => `${kind} ${(n / received).toFixed(2)}`);
        notes.push(
          `DIAGNOSTIC ${label}: CPU profile of the timed run in ${file}; SQL statements per request (dispatcher included): ${perRequest.join(', ') || 'none'}`,
        );
      }

      const received = after.received - before.received;
      const completed = result.requests.total;
      const row = {
        setup: label,
        key: setup,
        rps: completed / elapsedS,
        p50: result.latency.p50,
        p99: result.latency.p99,
        mean: result.latency.mean,
        max: result.latency.max,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        mismatches: result.mismatches,
        completed,
        received,
        durationS: elapsedS,
        serverCpuUs: (cpuMs(before.cpu, after.cpu) * 1000) / received,
        clientCpuUs: (cpuMs(selfBefore, selfAfter) * 1000) / completed,
        machineBusy:
          (machineAfter.busy - machineBefore.busy) /
          (machineAfter.busy - machineBefore.busy + machineAfter.idle - machineBefore.idle),
        // os.cpus() times are ms summed over cores.
        machineBusyMs: machineAfter.busy - machineBefore.busy,
        appCpuMs: cpuMs(before.cpu, after.cpu),
        clientCpuMs: cpuMs(selfBefore, selfAfter),
        steal:
          stealBefore && stealAfter && stealAfter.total > stealBefore.total
            ? (stealAfter.steal - stealBefore.steal) / (stealAfter.total - stealBefore.total)
            : undefined,
        postgresCpuMs:
          postgresBefore !== undefined && postgresAfter !== undefined ? postgresAfter - postgresBefore : undefined,
        trades: withDb ? count : undefined,
        batchMs,
        warmup,
        phases: phases(run),
        wrapped: run.wrap
          ? `at ${(run.wrap.at / 1000).toFixed(1)} s${run.wrap.ranOut ? ' (the list ran out)' : ''}`
          : 'never',
        loop: after.loop,
      };
      check(
        settled.finished === settled.received,
        `${label}: ${settled.received - settled.finished} request(s) still unanswered 10 s after the run`,
      );
      clean(label, 'timed run', { result });
      check(received >= completed, `${label}: ${completed} responses but only ${received} requests received`);

      if (withDb) {
        const counts = await app.call('counts', { prefix });
        if (setup.endsWith('-otel')) {
          // Cumulative since start-up, so the warm-up's requests are in it too.
          const { notifications } = await app.call('recorded');
          check(
            notifications >= received,
            `${label}: the SDK recorded ${notifications} notifications for ${received} answered in the timed run`,
          );
          checks.push(
            `${label}: the OpenTelemetry SDK recorded ${notifications.toLocaleString('en-US')} notifications (warm-up included)`,
          );
        }
        // After the counts above: this adds synthetic notifications to the SDK's figures.
        row.recordingUs = (await app.call('recordingCost', { calls: 200_000 }, 60_000)).cpuUsPerCall;
        // Every request that reached the app was answered (settle); the distinct bodies among them are the first
        // deliveries, each of which must have left exactly one inbox row and one paid trade; the rest are duplicates.
        row.first = counts.notifications;
        row.duplicates = received - counts.notifications;
        row.counts = counts;
        // Every body before the wrap was posted and answered well before the end of the run, so the inbox must hold
        // exactly one row per distinct body posted. (Without a timed wrap, a request written just as autocannon
        // stopped may never have reached the app: at most one per connection.)
        check(
          counts.notifications <= run.distinct && counts.notifications >= run.distinct - (run.wrap ? 0 : CONNECTIONS),
          `${label}: ${counts.notifications} inbox rows for ${run.distinct} distinct notifications posted`,
        );
        check(
          counts.applied === counts.notifications,
          `${label}: ${counts.notifications - counts.applied} inbox rows not applied as payment.succeeded`,
        );
        check(
          counts.paid === counts.notifications && counts.paid + counts.pending === count,
          `${label}: ${counts.paid} trades paid, ${counts.pending} pending, for ${counts.notifications} first deliveries of ${count} trades`,
        );
        const drained = await app.call('drain', { prefix, timeoutMs: 10_000 }, 30_000);
        row.backlog = counts.dispatchPending;
        row.drain = drained;
        checks.push(
          `${label}: ${received.toLocaleString('en-US')} requests received and answered 200 ${ACK}; ${counts.notifications.toLocaleString('en-US')} inbox rows = ` +
            `${counts.paid.toLocaleString('en-US')} trades now paid (first deliveries), ${row.duplicates.toLocaleString('en-US')} duplicates; ` +
            `${counts.dispatchPending.toLocaleString('en-US')} events still pending dispatch when the load stopped, ` +
            (drained.left === 0
              ? `all marked done ${(drained.ms / 1000).toFixed(1)} s later`
              : `${drained.left} still pending after ${(drained.ms / 1000).toFixed(1)} s`),
        );
      } else {
        checks.push(`${label}: ${received.toLocaleString('en-US')} requests received and answered 200 ${ACK}`);
      }
      rows.push(row);
      console.log(`${label}: ${Math.round(row.rps)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms`);
    } finally {
      await app.stop();
      child = undefined;
    }
  }

  let exitCode = 0;
  try {
    if (wanted('bare')) await runSetup('bare', 'bare Nest POST (no guard, no DB)');
    if (!isInterrupted() && wanted('sqljs')) await runSetup('sqljs', 'EcpayModule, sql.js (in memory)');
    if (!isInterrupted() && wanted('sqljs-otel'))
      await runSetup('sqljs-otel', 'EcpayModule, sql.js (in memory), OpenTelemetry metrics on');
    if (!isInterrupted() && (wanted('postgres') || wanted('postgres-otel'))) {
      let reachable = false;
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
          const config = {
            host: PG.host,
            port: PG.port,
            user: PG.user,
            password: PG.password,
            database: database.name,
            poolSize: PG.poolSize,
          };
          // Both on one scratch database: each run has its own trades (its own MerchantTradeNo prefix).
          if (wanted('postgres'))
            await runSetup('postgres', `EcpayModule, PostgreSQL ${pgVersion.split(' ')[0]}`, config);
          if (!isInterrupted() && wanted('postgres-otel'))
            await runSetup(
              'postgres-otel',
              `EcpayModule, PostgreSQL ${pgVersion.split(' ')[0]}, OpenTelemetry metrics on`,
              config,
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

  // -------------------------------------------------------------------------------------------------------------
  // Report.
  // -------------------------------------------------------------------------------------------------------------

  const version = packageVersion;
  function gitDescribe() {
    try {
      const git = (...args) =>
        execFileSync('git', args, {
          cwd: fileURLToPath(new URL('..', import.meta.url)),
          encoding: 'utf8',
          timeout: 5000,
          stdio: ['ignore', 'pipe', 'ignore'],
        }).trim();
      const dirty = git('status', '--porcelain', '--', 'src') !== '';
      return `commit ${git('rev-parse', '--short', 'HEAD')}${dirty ? ' with uncommitted changes in src/' : ''} (dist/ as built before the run)`;
    } catch {
      return 'unknown (not a git checkout)';
    }
  }
  const int = (n) => Math.round(n).toLocaleString('en-US');
  const ms = (n) => `${Number.isInteger(n) ? n : n.toFixed(2)} ms`;

  console.log('');
  console.log('# nestjs-ecpay notification benchmark (POST /ecpay/return)');
  console.log('');
  console.log(`- Date: ${new Date().toISOString()}`);
  console.log(`- Node: ${process.version} (${process.platform}/${process.arch})`);
  console.log(`- Code: ${gitDescribe()}`);
  console.log(`- CPU: ${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length} logical cores`);
  console.log(
    `- autocannon ${version('autocannon')}, @nestjs/core ${version('@nestjs/core')} (Express), typeorm ${version('typeorm')}, sql.js ${version('sql.js')}, pg ${version('pg')}` +
      `${pgVersion ? `, PostgreSQL server ${pgVersion} (synchronous_commit=${pgCommit}, pool ${PG.poolSize ?? 'default (10)'})` : ''}`,
  );
  console.log(
    `- Each setup: its own app process (NestFactory.create(AppModule, { rawBody: true }), Express, 127.0.0.1 port 0); autocannon ${version('autocannon')} in this process, ${CONNECTIONS} connections`,
  );
  console.log(
    `- Each setup: ${WARMUP_S} s warm-up, then ${DURATION_S} s timed. With a database, each run posts its own batch of trades' bodies in order and wraps around to the start of the list once: ` +
      `first deliveries before, duplicates after. The warm-up (a batch of ${int(WARMUP_TRADES)} trades) wraps at ${100 * WARMUP_WRAP_AT}% of its time and so measures both rates; the timed run (a fresh batch sized at 2× the warm-up's best second) wraps when about ${100 * FIRST_SHARE}% of its requests should be first deliveries at those rates`,
  );
  console.log(
    `- Bodies: one ReturnURL notification (RtnCode 1, TradeAmt ${TOTAL_AMOUNT}) per trade, signed with the stage merchant's keys (EcpayTesting), posted round-robin; dispatch options: the default (poll every 1 s; each stored event also kicks the dispatcher), no handlers`,
  );
  console.log(
    `- req/s = requests autocannon completed ÷ run time (from the start to the last response); p50/p99 = autocannon's latency percentiles (ms, 1 ms resolution); ` +
      `requests answered = requests the app received and answered 200 ${ACK}, including the ≤ ${CONNECTIONS} still in flight when autocannon stopped; first = inbox rows stored, duplicate = the rest`,
  );
  console.log(`- Total run: ${elapsedS.toFixed(1)} s`);
  console.log('');
  console.log('| setup | req/s | p50 | p99 | non-2xx | errors | requests answered (first / duplicate) | run |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const mix =
      r.first === undefined ? `${int(r.received)}` : `${int(r.received)} (${int(r.first)} / ${int(r.duplicates)})`;
    console.log(
      `| ${r.setup} | ${int(r.rps)} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.non2xx} | ${r.errors} | ${mix} | ${r.durationS.toFixed(1)} s |`,
    );
  }
  console.log('');
  for (const note of notes) console.log(`- ${note}`);
  for (const r of rows) {
    console.log(
      `- ${r.setup}: mean ${ms(r.mean)}, max ${ms(r.max)}; app process CPU ${int(r.serverCpuUs)} µs per request, autocannon ${int(r.clientCpuUs)} µs; ` +
        `app event-loop delay p99 ${ms(r.loop.p99)}, max ${ms(r.loop.max)}; ` +
        `machine busy ${(100 * r.machineBusy).toFixed(0)}% of ${os.cpus().length} cores` +
        (r.postgresCpuMs !== undefined
          ? `, of which PostgreSQL's processes ${int((r.postgresCpuMs * 1000) / r.received)} µs per request`
          : '') +
        `, everything else (kernel, other processes) ${((100 * Math.max(0, r.machineBusyMs - r.appCpuMs - r.clientCpuMs - (r.postgresCpuMs ?? 0))) / r.machineBusyMs).toFixed(0)}% of the busy time` +
        (r.steal !== undefined ? `; steal ${(100 * r.steal).toFixed(1)}%` : '') +
        (r.trades
          ? `; batch of ${int(r.trades)} trades (stored in ${(r.batchMs / 1000).toFixed(1)} s), wrapped ${r.wrapped}` +
            (r.phases
              ? `; ${int(r.phases.first)} req/s before the wrap (first deliveries), ${int(r.phases.duplicate)} req/s after (duplicates)`
              : '')
          : ''),
    );
  }

  for (const r of rows) {
    const p = r.warmup.phases;
    console.log(
      `- Warm-up (not timed), ${r.setup}: ${int(r.warmup.mean)} req/s (best second ${int(r.warmup.best)})${p ? `; ${int(p.first)} req/s before its wrap, ${int(p.duplicate)} req/s after` : ''}`,
    );
  }

  const bare = rows.find((r) => r.key === 'bare');
  const postgres = rows.find((r) => r.key === 'postgres');
  const sqljs = rows.find((r) => r.key === 'sqljs');
  const metricsOn = (off, on) =>
    off && on
      ? `${(100 * (on.rps / off.rps - 1)).toFixed(1)}% throughput (${int(on.rps)} vs ${int(off.rps)} req/s), p99 ${ms(on.p99)} vs ${ms(off.p99)}, app CPU ${int(on.serverCpuUs)} vs ${int(off.serverCpuUs)} µs per request; ` +
        `recording one notification's metrics alone: ${on.recordingUs.toFixed(2)} µs on, ${off.recordingUs.toFixed(2)} µs off (the API's no-op), i.e. ${((100 * (on.recordingUs - off.recordingUs)) / off.serverCpuUs).toFixed(2)}% of the app CPU per request without metrics`
      : undefined;
  console.log('');
  console.log(`## Targets (PostgreSQL vs the bare endpoint, ${CONNECTIONS} connections)`);
  console.log('');
  if (bare && postgres) {
    const share = postgres.rps / bare.rps;
    const p99 = postgres.p99 / bare.p99;
    console.log(
      `- throughput ≥ 40% of the bare endpoint's: ${(100 * share).toFixed(1)}% (${int(postgres.rps)} ÷ ${int(bare.rps)} req/s) — **${share >= 0.4 ? 'met' : 'not met'}**`,
    );
    console.log(
      `- p99 ≤ 3× the bare endpoint's p99: ${p99.toFixed(2)}× (${ms(postgres.p99)} ÷ ${ms(bare.p99)}) — **${p99 <= 3 ? 'met' : 'not met'}**`,
    );
  } else {
    console.log(
      `- not evaluated: ${[bare ? null : 'the bare endpoint', postgres ? null : 'PostgreSQL'].filter(Boolean).join(' and ')} not measured`,
    );
  }
  if (bare && sqljs) {
    console.log(
      `- for information, sql.js: ${(100 * (sqljs.rps / bare.rps)).toFixed(1)}% of the bare throughput, p99 ${(sqljs.p99 / bare.p99).toFixed(2)}× the bare p99`,
    );
  }
  const overheads = [
    [
      'PostgreSQL',
      metricsOn(
        postgres,
        rows.find((r) => r.key === 'postgres-otel'),
      ),
    ],
    [
      'sql.js',
      metricsOn(
        sqljs,
        rows.find((r) => r.key === 'sqljs-otel'),
      ),
    ],
  ].filter(([, line]) => line);
  if (overheads.length > 0) {
    console.log('');
    console.log('## OpenTelemetry metrics on vs off (same setup, one run each: compare several runs)');
    console.log('');
    for (const [name, line] of overheads) console.log(`- ${name}: ${line}`);
  }
  console.log('');
  console.log('## Checks');
  console.log('');
  console.log(
    `- every response 200 ${ACK} (autocannon: 0 non-2xx, 0 errors, 0 timeouts, 0 bodies other than ${ACK}), warm-up included`,
  );
  for (const line of checks) console.log(`- ${line}`);
}
