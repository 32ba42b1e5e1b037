// Diagnostics for bench/demo-notifications.bench.mjs, loaded into the demo's process with `node --import` only when
// ECPAY_BENCH_DIAGNOSE is set (a normal run starts the demo untouched). Counts the SQL statements the drivers run
// (pg's Client#query; better-sqlite3's statements' run/all/get/iterate — TypeORM caches prepared ones) by kind,
// and runs a V8 CPU profile between two messages from the orchestrator. Both slow the app down: a diagnostic run's
// figures are not the benchmark's.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(join(process.cwd(), 'package.json'));
const statements = {};
const count = (text) => {
  if (typeof text !== 'string') text = text?.text ?? text?.name ?? '';
  const word = text.trimStart().split(/\s+/, 1)[0].toUpperCase() || '(prepared)';
  const kind = word === 'WITH' && /\bINSERT\b/i.test(text) ? 'WITH … INSERT' : word;
  statements[kind] = (statements[kind] ?? 0) + 1;
};
try {
  const { Client } = require('pg');
  const query = Client.prototype.query;
  Client.prototype.query = function (config, ...rest) {
    count(config);
    return query.call(this, config, ...rest);
  };
} catch {
  // no pg: the SQLite setup
}
try {
  const Database = require('better-sqlite3');
  const scratch = new Database(':memory:');
  const Statement = Object.getPrototypeOf(scratch.prepare('SELECT 1'));
  scratch.close();
  for (const method of ['run', 'all', 'get', 'iterate']) {
    const original = Statement[method];
    Statement[method] = function (...args) {
      count(this.source);
      return original.apply(this, args);
    };
  }
} catch {
  // no better-sqlite3
}

let session;
const post = (method) =>
  new Promise((resolve, reject) => session.post(method, (error, result) => (error ? reject(error) : resolve(result))));
process.on('message', async (message) => {
  if (message?.probe === 'start') {
    session = new Session();
    session.connect();
    await post('Profiler.enable');
    await post('Profiler.start');
    for (const key of Object.keys(statements)) delete statements[key];
    process.send({ probe: 'started' });
  } else if (message?.probe === 'stop') {
    const { profile } = await post('Profiler.stop');
    session.disconnect();
    const file = join(message.dir, `demo-${message.label}-${process.pid}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    process.send({ probe: 'stopped', file, statements: { ...statements } });
  }
});
