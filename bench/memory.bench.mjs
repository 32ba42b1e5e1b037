// Memory over 100,000 notifications: does the app hold on to anything per notification? One app (EcpayModule on a
// scratch PostgreSQL database, the callback routes, a no-op payment.succeeded handler so the dispatcher works as in
// production) receives 100,000 ReturnURL posts over HTTP on loopback — 25,000 trades, each paid once and its
// notification repeated three more times (ECPay's retries) — 16 in flight. After every 10,000 posts, and once the
// dispatcher has drained, the heap is measured after a full GC, with the RSS. Run with `npm run bench` or
// `npx tsc -p tsconfig.build.json && node --expose-gc bench/memory.bench.mjs`. The load generator runs in the same
// process (fetch, keep-alive), which is why the figures are of the whole process; it holds nothing per request.
// Prints a Markdown table; exits 1 if a reply was not 200 1|OK or the inbox does not hold exactly 25,000 rows.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { check, createScratchDatabase, describeError, leftoverScratchDatabases, onInterrupt, PG } from './support.mjs';

if (typeof globalThis.gc !== 'function') {
  console.error('Run with node --expose-gc (npm run bench does).');
  process.exit(2);
}

const TRADES = 25_000;
const COPIES = 4; // 1 first delivery + 3 retries
const IN_FLIGHT = 16;
const SAMPLE_EVERY = 10_000;
const STAGE = { merchantId: '3002607', hashKey: 'pwFHCqoQZGmho4w6', hashIv: 'EkRm7iFT261dpevs' };

const { Injectable, Module } = await import('@nestjs/common');
const { NestFactory } = await import('@nestjs/core');
const { getDataSourceToken, TypeOrmModule } = await import('@nestjs/typeorm');
const lib = await import('../dist/index.js');

const scratch = createScratchDatabase();
let app;
onInterrupt(async () => app?.close());

const mib = (bytes) => (bytes / 1024 / 1024).toFixed(1);
function sample(label, posted) {
  globalThis.gc();
  globalThis.gc();
  const { heapUsed, rss, external, arrayBuffers } = process.memoryUsage();
  return { label, posted, heapUsed, rss, external: external + arrayBuffers };
}

try {
  await scratch.created;
  class Listener {
    handled = 0;
    paid() {
      this.handled++;
    }
  }
  Reflect.decorate(
    [lib.OnEcpayEvent('payment.succeeded')],
    Listener.prototype,
    'paid',
    Object.getOwnPropertyDescriptor(Listener.prototype, 'paid'),
  );
  Reflect.decorate([Injectable()], Listener);
  class AppModule {}
  Module({
    imports: [
      TypeOrmModule.forRoot({
        type: 'postgres',
        host: PG.host,
        port: PG.port,
        username: PG.user,
        password: PG.password,
        database: scratch.name,
        entities: [...lib.ECPAY_ENTITIES],
        migrations: [...lib.ECPAY_MIGRATIONS],
        migrationsRun: true,
        logging: false,
      }),
      lib.EcpayModule.forRoot({ environment: 'stage', ...STAGE, publicUrl: 'https://shop.example.com' }),
    ],
    providers: [Listener],
  })(AppModule);
  app = await NestFactory.create(AppModule, { rawBody: true, logger: false });
  await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${app.getHttpServer().address().port}/ecpay/return`;
  const dataSource = app.get(getDataSourceToken());

  // The trades: one through createCheckout, the rest copies of its row (as the notifications bench does).
  const checkout = await app.get(lib.EcpayService).createCheckout({
    items: [{ name: '阿里山高山烏龍茶 150g', price: 680, quantity: 1 }],
    description: '記憶體測試',
    payment: { method: 'Credit' },
  });
  const { id: _i, version: _v, createdAt: _c, updatedAt: _u, ...template } = checkout.trade;
  const tradeNos = [checkout.merchantTradeNo];
  for (let from = 1; from < TRADES; from += 1_000) {
    const now = new Date();
    const rows = [];
    for (let i = from; i < Math.min(TRADES, from + 1_000); i++) {
      const merchantTradeNo = `MEM${String(i).padStart(8, '0')}`;
      tradeNos.push(merchantTradeNo);
      rows.push({ ...template, id: randomUUID(), merchantTradeNo, createdAt: now, updatedAt: now });
    }
    await dataSource.getRepository(lib.EcpayTrade).insert(rows);
  }
  const testing = new lib.EcpayTesting(STAGE);
  const bodies = tradeNos.map((merchantTradeNo) =>
    testing.form(
      testing.paymentSucceeded({ merchantId: STAGE.merchantId, merchantTradeNo, totalAmount: template.totalAmount }),
    ),
  );

  const samples = [sample('before the first post', 0)];
  const total = TRADES * COPIES;
  let next = 0;
  let bad = 0;
  const started = performance.now();
  let nextSample = SAMPLE_EVERY;
  // Workers run in slices so that the samples are taken between slices, with nothing in flight.
  while (next < total) {
    const until = Math.min(total, nextSample);
    // Round-robin over the trades: each pass delivers every trade once, so passes 2–4 are ECPay's retries.
    const sliceWorkers = Array.from({ length: IN_FLIGHT }, async () => {
      while (next < until) {
        const i = next++;
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: bodies[i % TRADES],
        });
        if (response.status !== 200 || (await response.text()) !== '1|OK') bad++;
      }
    });
    await Promise.all(sliceWorkers);
    samples.push(sample(`after ${until.toLocaleString('en')} posts`, until));
    nextSample += SAMPLE_EVERY;
  }
  const seconds = (performance.now() - started) / 1000;
  // Let the dispatcher deliver every event, then measure once more.
  const inbox = dataSource.getRepository(lib.EcpayNotification);
  const dispatcher = app.get(lib.EcpayNotificationDispatcher);
  for (let round = 0; round < 2_000 && (await inbox.countBy({ dispatchStatus: 'pending' })) > 0; round++)
    await dispatcher.kick();
  samples.push(sample('after the dispatcher drained', total));
  const stored = await inbox.count();
  const handled = app.get(Listener).handled;

  check(bad === 0, `${bad} replies were not 200 1|OK`);
  check(stored === TRADES, `${stored} inbox rows, expected ${TRADES}`);
  check(handled === TRADES, `${handled} handler runs, expected ${TRADES}`);

  console.log(
    `# Memory over ${total.toLocaleString('en')} notifications (PostgreSQL, ${TRADES.toLocaleString('en')} trades × ${COPIES} posts, ${IN_FLIGHT} in flight)\n`,
  );
  console.log(
    `- Node ${process.version}; posted in ${seconds.toFixed(1)} s (${Math.round(total / seconds).toLocaleString('en')} req/s, load generator in the same process); ${stored.toLocaleString('en')} inbox rows, ${handled.toLocaleString('en')} handler runs, every reply 200 1|OK\n`,
  );
  console.log('| when | heap used (after GC) | RSS | external + array buffers |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const s of samples)
    console.log(`| ${s.label} | ${mib(s.heapUsed)} MiB | ${mib(s.rss)} MiB | ${mib(s.external)} MiB |`);
  // The first samples still shed the start-up garbage (the trades' insert batches, the bodies' build-up); the second
  // half of the run is the steady state.
  const half = samples.find((s) => s.posted === total / 2 && !s.label.includes('dispatcher'));
  const last = samples.filter((s) => s.posted === total && !s.label.includes('dispatcher')).at(-1);
  const growth = last.heapUsed - half.heapUsed;
  console.log(
    `\n- heap growth over the second half (${(total / 2).toLocaleString('en')} to ${total.toLocaleString('en')} posts): ${mib(growth)} MiB (${(growth / (total / 2)).toFixed(1)} bytes per notification)`,
  );
} catch (error) {
  console.error(`ABORT: ${describeError(error)}`);
  process.exitCode = 1;
} finally {
  await app?.close().catch(() => undefined);
  await scratch.drop();
  const left = await leftoverScratchDatabases().catch(() => ['(could not check)']);
  console.log(
    `- scratch database ${scratch.name} dropped; ecpay_bench_% databases left: ${left.length ? left.join(', ') : 'none'}`,
  );
}
