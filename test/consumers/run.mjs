// Installs the packed package into fresh Nest apps, the way users do, and drives each over HTTP.
//
//   node test/consumers/run.mjs [app-name ...]     (after `npm run build`; CI runs it from .ci/run)
//
// For each app under test/consumers/apps/: a new folder with the app's package.json plus the packed tarball, a plain
// `npm install` (no --legacy-peer-deps), the README's example sources (docs/examples/src) with the app's own files on
// top, `tsc` (also under the other module resolutions the app lists), a database of its own, the app started with
// `node dist/main.js`, then the flow: checkout → tampered ReturnURL (400, nothing changed) → signed ReturnURL
// (exactly `1|OK`, the trade paid, read through findTrade, the handler run once) → the same notification again
// (nothing twice); GET /health where the app mounts it. Prints one line per check and a closing
// `consumers: N passed, N failed`.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const root = new URL('../../', import.meta.url).pathname;
const appsDir = join(root, 'test/consumers/apps');
const examples = join(root, 'docs/examples/src');
const { EcpayTesting } = await import(join(root, 'dist/testing/index.js'));

// ECPay's public stage merchant: test credentials, published by ECPay for its test environment.
const STAGE = { merchantId: '3002607', hashKey: 'pwFHCqoQZGmho4w6', hashIv: 'EkRm7iFT261dpevs' };
const testing = new EcpayTesting(STAGE);

let passed = 0;
let failed = 0;
function check(app, what, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${app}: ${what}${ok || !detail ? '' : ` — ${detail}`}`);
  return ok;
}

function run(command, args, cwd, env = {}) {
  const result = spawnSync(command, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Each app gets a database of its own, dropped afterwards, like the test suite's.
async function createDatabase(kind) {
  const name = `ecpay_consumer_${randomBytes(4).toString('hex')}`;
  if (kind === 'postgres') {
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    return {
      url: `postgres://postgres@127.0.0.1:5432/${name}`,
      drop: async () => {
        const again = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
        await again.connect();
        await again.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await again.end();
      },
    };
  }
  const { default: mysql } = await import('mysql2/promise');
  const admin = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: `mariadb://root@127.0.0.1:3306/${name}`,
    drop: async () => {
      const again = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
      await again.query(`DROP DATABASE IF EXISTS ${name}`);
      await again.end();
    },
  };
}

async function startApp(dir, env) {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (chunk) => (log += chunk));
  child.stderr.on('data', (chunk) => (log += chunk));
  const base = `http://127.0.0.1:${env.PORT}`;
  for (let i = 0; i < 150 && child.exitCode === null; i++) {
    try {
      await fetch(`${base}/`);
      return { base, child, log: () => log };
    } catch {
      await sleep(100);
    }
  }
  child.kill('SIGKILL');
  throw new Error(`the app did not start:\n${log}`);
}

async function stopApp(app) {
  if (app.child.exitCode !== null) return;
  const exited = new Promise((resolve) => app.child.once('exit', resolve));
  app.child.kill('SIGTERM');
  await Promise.race([exited, sleep(5000).then(() => app.child.kill('SIGKILL'))]);
}

const postForm = (url, fields) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: testing.form(fields),
  }).then(async (r) => ({
    status: r.status,
    text: await r.text(),
  }));

async function until(read, done, ms = 15000) {
  const end = Date.now() + ms;
  let value = await read();
  while (!done(value) && Date.now() < end) {
    await sleep(200);
    value = await read();
  }
  return value;
}

async function shopFlow(name, base) {
  const created = await fetch(`${base}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ lines: [{ name: 'Oolong tea', price: 295, quantity: 2 }] }),
  });
  const checkout = await created.json();
  if (
    !check(
      name,
      'POST /orders creates a checkout (createCheckout)',
      created.status === 201 && checkout.fields?.CheckMacValue?.length === 64,
      JSON.stringify(checkout),
    )
  )
    return;
  const refused = await fetch(`${base}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"lines":[]}',
  });
  check(name, 'an empty cart is refused by the DTO (400)', refused.status === 400);

  const order = () => fetch(`${base}/orders/${checkout.merchantTradeNo}`).then((r) => r.json());
  const trade = { merchantId: STAGE.merchantId, merchantTradeNo: checkout.merchantTradeNo, totalAmount: 590 };
  const body = testing.paymentSucceeded(trade);

  const tampered = await postForm(`${base}/ecpay/return`, { ...body, TradeAmt: '5' });
  check(
    name,
    'a tampered ReturnURL is answered 400 0|CheckMacValue invalid',
    tampered.status === 400 && tampered.text === '0|CheckMacValue invalid',
    `${tampered.status} ${tampered.text}`,
  );
  const untouched = await order();
  check(
    name,
    '... and changes nothing',
    untouched.status === 'pending' && untouched.shipments === 0,
    JSON.stringify(untouched),
  );

  const first = await postForm(`${base}/ecpay/return`, body);
  check(
    name,
    'the signed ReturnURL is answered exactly 1|OK',
    first.status === 200 && first.text === '1|OK',
    `${first.status} ${JSON.stringify(first.text)}`,
  );
  const paid = await until(order, (o) => o.shipments >= 1);
  check(
    name,
    'findTrade reads the trade paid, and the handler ran once',
    paid.status === 'paid' && paid.totalAmount === 590 && paid.shipments === 1,
    JSON.stringify(paid),
  );

  const again = await postForm(`${base}/ecpay/return`, body);
  check(
    name,
    'the same notification again is answered 1|OK',
    again.status === 200 && again.text === '1|OK',
    `${again.status} ${again.text}`,
  );
  await sleep(2500); // two dispatcher polls: a second run would show by now
  const after = await order();
  check(name, '... and nothing happens twice', after.status === 'paid' && after.shipments === 1, JSON.stringify(after));
}

// GET /health through terminus and the indicator from nestjs-ecpay/health (a subpath of the packed package).
async function healthCheck(name, base) {
  const response = await fetch(`${base}/health`);
  const body = await response.json().catch(() => undefined);
  check(
    name,
    'GET /health reports the ECPay indicator up, its database reachable',
    response.status === 200 && body?.details?.ecpay?.status === 'up' && body.details.ecpay.database === 'up',
    `${response.status} ${JSON.stringify(body)}`,
  );
}

async function signingOnlyFlow(name, base) {
  const invoice = `Inv${randomBytes(4).toString('hex')}`;
  const page = await fetch(`${base}/pay/${invoice}?amount=1200`);
  const html = await page.text();
  check(
    name,
    'buildCheckout renders a signed form without a database',
    page.status === 200 && html.includes('name="CheckMacValue"') && html.includes(`value="${invoice}"`),
    html.slice(0, 200),
  );
  const body = testing.paymentSucceeded({ merchantId: STAGE.merchantId, merchantTradeNo: invoice, totalAmount: 1200 });
  const tampered = await postForm(`${base}/ecpay/return`, { ...body, RtnCode: '0' });
  check(
    name,
    'the guard refuses a tampered notification (400)',
    tampered.status === 400 && tampered.text.startsWith('0|'),
    `${tampered.status} ${tampered.text}`,
  );
  const missing = await fetch(`${base}/pay/${invoice}/status`);
  check(name, '... and nothing was recorded', missing.status === 404);
  const ok = await postForm(`${base}/ecpay/return`, body);
  check(
    name,
    'the guard verifies a signed notification (1|OK)',
    ok.status === 200 && ok.text === '1|OK',
    `${ok.status} ${ok.text}`,
  );
  const status = await fetch(`${base}/pay/${invoice}/status`).then((r) => r.json());
  check(name, 'the app recorded the verified payment', status.status === 'paid', JSON.stringify(status));
}

async function tryApp(name, tarball, work) {
  const spec = JSON.parse(readFileSync(join(appsDir, name, 'app.json'), 'utf8'));
  console.log(`\n== ${name}: ${spec.description}`);
  const dir = join(work, name);
  mkdirSync(join(dir, 'src'), { recursive: true });
  for (const entry of spec.examples)
    cpSync(join(examples, entry), spec.flatten === entry ? join(dir, 'src') : join(dir, 'src', entry), {
      recursive: true,
    });
  if (existsSync(join(appsDir, name, 'src'))) cpSync(join(appsDir, name, 'src'), join(dir, 'src'), { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      { name, ...spec.package, dependencies: { ...spec.package.dependencies, 'nestjs-ecpay': `file:${tarball}` } },
      null,
      2,
    ),
  );
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(spec.tsconfig, null, 2));

  const install = run('npm', ['install', '--no-audit', '--no-fund'], dir);
  if (!check(name, 'npm install (no --legacy-peer-deps)', install.ok, install.output.slice(-3000))) return;
  for (const pkg of spec.forbidden ?? [])
    check(name, `${pkg} is not installed`, !existsSync(join(dir, 'node_modules', pkg)));
  const build = run('npx', ['tsc', '-p', 'tsconfig.json'], dir);
  if (!check(name, 'tsc type-checks and builds the app', build.ok, build.output.slice(-3000))) return;
  for (const flags of spec.alsoTypeCheck ?? []) {
    const other = run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit', ...flags], dir);
    check(name, `tsc ${flags.join(' ')} type-checks it too`, other.ok, other.output.slice(-2000));
  }

  const database = spec.database ? await createDatabase(spec.database) : undefined;
  let app;
  try {
    const env = {
      PORT: String(await freePort()),
      ECPAY_ENV: 'stage',
      ECPAY_MERCHANT_ID: STAGE.merchantId,
      ECPAY_HASH_KEY: STAGE.hashKey,
      ECPAY_HASH_IV: STAGE.hashIv,
      PUBLIC_URL: 'https://shop.example.com',
      DATABASE_URL: database?.url ?? '',
    };
    if (existsSync(join(dir, 'dist/data-source.js'))) {
      const migrate = run('npx', ['typeorm', 'migration:run', '-d', 'dist/data-source.js'], dir, env);
      check(
        name,
        "the TypeORM CLI runs ECPAY_MIGRATIONS through the app's DataSource",
        migrate.ok && /CreateEcpayTables/.test(migrate.output),
        migrate.output.slice(-2000),
      );
    }
    app = await startApp(dir, env);
    check(name, 'the app starts', true);
    if (spec.flow === 'shop') await shopFlow(name, app.base);
    else await signingOnlyFlow(name, app.base);
    if (spec.health) await healthCheck(name, app.base);
  } catch (error) {
    check(name, 'the app runs', false, `${error instanceof Error ? error.message : error}`);
  } finally {
    if (app) {
      await stopApp(app);
      if (failed > 0) console.log(`-- ${name} log (last 3000 characters):\n${app.log().slice(-3000)}`);
    }
    await database?.drop();
  }
}

const work = mkdtempSync(join(tmpdir(), 'ecpay-consumers-'));
try {
  const pack = run('npm', ['pack', '--pack-destination', work, '--silent'], root);
  if (!pack.ok) throw new Error(`npm pack failed:\n${pack.output}`);
  const tarball = join(work, pack.output.trim().split('\n').pop());
  const wanted = process.argv.slice(2);
  for (const name of readdirSync(appsDir).sort())
    if (wanted.length === 0 || wanted.includes(name)) await tryApp(name, tarball, work);
} finally {
  if (!process.env.ECPAY_KEEP_CONSUMERS) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}
console.log(`\nconsumers: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
