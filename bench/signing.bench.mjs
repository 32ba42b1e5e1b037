// Signing / AES micro-benchmark: nestjs-ecpay against ECPay's official Node SDK (ecpay_aio_nodejs), Rytass'
// adapter (@rytass/payments-adapter-ecpay) and a bare node:crypto baseline. Run with `npm run bench`
// (builds dist/ first). Prints one Markdown table plus the target ratios; always exits 0 once the
// correctness checks pass — it is a benchmark, not a test. See docs/BENCHMARKS.md.
import { deepStrictEqual } from 'node:assert/strict';
import { createCipheriv, createDecipheriv, createHash, hash as cryptoHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { Bench } from 'tinybench';
import {
  checkMacValueSource,
  computeCheckMacValue,
  decryptEcpayData,
  encryptEcpayData,
  phpJsonEncode,
  phpUrlEncode,
  verifyCheckMacValue,
} from '../dist/index.js';

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------------------------
// Inputs: the ECPay documentation example (docs/protocol.md §1.5) and a BackAuth-like JSON object for the AES envelope.
// ---------------------------------------------------------------------------------------------------------------

const HASH_KEY = 'pwFHCqoQZGmho4w6';
const HASH_IV = 'EkRm7iFT261dpevs';
const MERCHANT_ID = '3002607';
const keys = { hashKey: HASH_KEY, hashIv: HASH_IV };

const params = Object.freeze({
  TradeDesc: '促銷方案',
  PaymentType: 'aio',
  MerchantTradeDate: '2023/03/12 15:30:23',
  MerchantTradeNo: 'ecpay20230312153023',
  MerchantID: MERCHANT_ID,
  ReturnURL: 'https://www.ecpay.com.tw/receive.php',
  ItemName: 'Apple iphone 15',
  TotalAmount: '30000',
  ChoosePayment: 'ALL',
  EncryptType: '1',
});
const EXPECTED_MAC = '6C51C9E6888DE861FD62FB1DD17029FC742634498FD813DC43D4243B5685B840';
const signedParams = Object.freeze({ ...params, CheckMacValue: EXPECTED_MAC });

const dataObject = Object.freeze({
  MerchantID: MERCHANT_ID,
  OrderInfo: {
    MerchantTradeNo: 'Test1700000000',
    MerchantTradeDate: '2024/01/01 12:00:00',
    TotalAmount: 100,
    ItemName: '測試商品 x1#贈品',
    TradeDesc: 'DESC',
    ReturnURL: 'https://example.com/ecpay/return',
  },
});

// ---------------------------------------------------------------------------------------------------------------
// Harness settings. Each tinybench sample runs BATCH calls so that the per-sample timer read and loop bookkeeping
// (tens of ns) do not distort operations that take ~1–3 µs; ns/op = sample mean / BATCH.
// ---------------------------------------------------------------------------------------------------------------

const BATCH = 50;
const TIME_MS = 700;
const WARMUP_MS = 200;

let sink; // results are stored here so the JIT cannot drop the calls
const batched = (op) => () => {
  for (let i = 0; i < BATCH; i++) sink = op();
};

const noop = () => {};
/** ecpay_aio_nodejs console.logs the raw MAC source — HashKey and HashIV included — on every call. Never print it. */
function silenced(fn) {
  const log = console.log;
  console.log = noop;
  try {
    return fn();
  } finally {
    console.log = log;
  }
}
const batchedSilenced = (op) => {
  const run = batched(op);
  return () => silenced(run);
};

const fail = (message) => {
  console.error(`\nABORT: ${message}`);
  process.exit(1);
};
const warnings = [];
const warn = (message) => {
  warnings.push(message);
  console.log(`WARNING: ${message}`);
};

// ---------------------------------------------------------------------------------------------------------------
// Implementations. Each exposes sign / verify / encrypt / decrypt, or a reason string when it has no such operation.
// ---------------------------------------------------------------------------------------------------------------

const implementations = [];

// 1. ours
implementations.push({
  name: 'nestjs-ecpay (ours)',
  sign: () => computeCheckMacValue(params, keys, 'sha256'),
  verify: () => verifyCheckMacValue(signedParams, keys),
  encrypt: () => encryptEcpayData(dataObject, keys),
  decrypt: (data) => () => decryptEcpayData(data, keys),
  decryptCheck: (data) => decryptEcpayData(data, keys),
});

// 2. ecpay_aio_nodejs — ECPay's official SDK (CommonJS).
const EcpayAioHelper = require('ecpay_aio_nodejs/lib/ecpay_payment/helper.js');
const aio = new EcpayAioHelper({
  OperationMode: 'Test',
  MercProfile: { MerchantID: MERCHANT_ID, HashKey: HASH_KEY, HashIV: HASH_IV },
  IgnorePayment: [],
  IsProjectContractor: false,
});
const aioVerify = () => {
  // gen_chk_mac_value throws when CheckMacValue is present, so split it off first (what a caller must do).
  const { CheckMacValue: received, ...rest } = signedParams;
  return aio.gen_chk_mac_value(rest, 1) === received;
};
implementations.push({
  name: 'ecpay_aio_nodejs 1.2.2',
  quiet: true,
  sign: () => aio.gen_chk_mac_value(params, 1),
  verify: aioVerify,
  encrypt: 'n/a (no general AES; gen_aes_encrypt only encrypts params.PaymentToken)',
  decrypt: 'n/a (no AES decrypt)',
});

// 3. @rytass/payments-adapter-ecpay. No `withServer` → no HTTP server; issuePoll:false → no background poll timers.
const { ECPayPayment, ECPayTicketGateway } = await import('@rytass/payments-adapter-ecpay');
const rytassPayment = new ECPayPayment({ merchantId: MERCHANT_ID, hashKey: HASH_KEY, hashIv: HASH_IV });
const rytassTicket = new ECPayTicketGateway({
  merchantId: MERCHANT_ID,
  hashKey: HASH_KEY,
  hashIv: HASH_IV,
  issuePoll: false,
});
implementations.push({
  name: '@rytass/payments-adapter-ecpay 0.5.0',
  sign: () => rytassPayment.addMac(params).CheckMacValue,
  verify: () => rytassPayment.checkMac(signedParams),
  // Its AES takes a JSON string, so serialising the object is part of the operation (as ours does).
  encrypt: () => rytassTicket.encrypt(JSON.stringify(dataObject)),
  decrypt: (data) => () => rytassTicket.decrypt(data),
  decryptCheck: (data) => rytassTicket.decrypt(data),
});

// 4. bare node:crypto over pre-computed inputs: the lower bound for the hashing / cipher work alone.
const macSource = checkMacValueSource(params, keys); // computed once, outside the timed loop
const expectedLowerMac = EXPECTED_MAC.toLowerCase();
const plaintextBytes = Buffer.from(phpUrlEncode(phpJsonEncode(dataObject)), 'latin1'); // the bytes ours enciphers
const keyBytes = Buffer.from(HASH_KEY, 'latin1');
const ivBytes = Buffer.from(HASH_IV, 'latin1');
// Enciphers the already URL-encoded plaintext bytes (no JSON encoding, no URL encoding, no base64 output).
const bareEncrypt = () => {
  const cipher = createCipheriv('aes-128-cbc', keyBytes, ivBytes);
  return Buffer.concat([cipher.update(plaintextBytes), cipher.final()]);
};
implementations.push({
  name: 'bare node:crypto',
  sign: () => createHash('sha256').update(macSource).digest('hex'),
  verify: () => createHash('sha256').update(macSource).digest('hex') === expectedLowerMac,
  encrypt: bareEncrypt,
  // Decrypts the raw ciphertext bytes (no base64, no URL-decoding, no JSON.parse).
  decrypt: (cipherBytes) => () => {
    const decipher = createDecipheriv('aes-128-cbc', keyBytes, ivBytes);
    return Buffer.concat([decipher.update(cipherBytes), decipher.final()]);
  },
  decryptCheck: (cipherBytes) => {
    const decipher = createDecipheriv('aes-128-cbc', keyBytes, ivBytes);
    return Buffer.concat([decipher.update(cipherBytes), decipher.final()]);
  },
});

const [ours, aioImpl, rytass, bare] = implementations;
const peers = [aioImpl, rytass];

// ---------------------------------------------------------------------------------------------------------------
// Correctness checks before any timing.
// ---------------------------------------------------------------------------------------------------------------

const oursMac = ours.sign();
if (oursMac !== EXPECTED_MAC)
  fail(`nestjs-ecpay computeCheckMacValue returned ${oursMac}, expected ${EXPECTED_MAC} (docs/protocol.md §1.5).`);
if (ours.verify() !== true) fail('nestjs-ecpay verifyCheckMacValue rejected the documented CheckMacValue.');
if (verifyCheckMacValue({ ...params, CheckMacValue: EXPECTED_MAC.replace(/^6/, '7') }, keys) !== false) {
  fail('nestjs-ecpay verifyCheckMacValue accepted a tampered CheckMacValue.');
}
if (bare.sign() !== expectedLowerMac) fail('bare SHA-256 of checkMacValueSource() does not give the expected MAC.');

for (const impl of peers) {
  const run = (fn) => (impl.quiet ? silenced(fn) : fn());
  let mac;
  try {
    mac = run(impl.sign);
  } catch (error) {
    warn(`${impl.name} sign threw: ${error?.message}`);
  }
  if (mac !== undefined && mac !== EXPECTED_MAC) warn(`${impl.name} sign gives ${mac}, expected ${EXPECTED_MAC}.`);
  let verified;
  try {
    verified = run(impl.verify);
  } catch (error) {
    warn(`${impl.name} verify threw: ${error?.message}`);
  }
  if (verified !== undefined && verified !== true) warn(`${impl.name} verify rejected the documented CheckMacValue.`);
}

const oursData = ours.encrypt();
try {
  deepStrictEqual(decryptEcpayData(oursData, keys), dataObject);
} catch {
  fail('nestjs-ecpay encryptEcpayData → decryptEcpayData does not round-trip.');
}
const rytassData = rytass.encrypt();
try {
  deepStrictEqual(rytass.decryptCheck(rytassData), dataObject);
} catch {
  warn(`${rytass.name} encrypt → decrypt does not round-trip.`);
}
const bareCipher = bareEncrypt();
if (!bare.decryptCheck(bareCipher).equals(plaintextBytes)) fail('bare aes-128-cbc does not round-trip.');
if (bareCipher.toString('base64') !== oursData)
  fail('bare aes-128-cbc ciphertext differs from encryptEcpayData output.');

// Interoperability (informational): can each side open the other's Data?
const interop = [];
const tryOpen = (label, open) => {
  try {
    const value = open();
    let same = true;
    try {
      deepStrictEqual(value, dataObject);
    } catch {
      same = false;
    }
    interop.push(
      `${label}: ${same ? 'same object' : `DIFFERENT object (ItemName = ${JSON.stringify(value?.OrderInfo?.ItemName)})`}`,
    );
  } catch (error) {
    interop.push(`${label}: throws (${error?.name}: ${error?.message})`);
  }
};
tryOpen('ours decrypts rytass Data', () => decryptEcpayData(rytassData, keys));
tryOpen('rytass decrypts our Data', () => rytassTicket.decrypt(oursData));

// ---------------------------------------------------------------------------------------------------------------
// Timing.
// ---------------------------------------------------------------------------------------------------------------

const OPERATIONS = ['sign', 'verify', 'encrypt', 'decrypt'];
const taskName = (impl, op) => `${impl.name} :: ${op}`;
const decryptInput = new Map([
  [ours, oursData],
  [rytass, rytassData],
  [bare, bareCipher],
]);

/** [name, batched fn] in table order. */
const tasks = [];
for (const op of OPERATIONS) {
  for (const impl of implementations) {
    let fn = impl[op];
    if (typeof fn === 'string' || fn === undefined) continue;
    if (op === 'decrypt') fn = fn(decryptInput.get(impl));
    tasks.push([taskName(impl, op), impl.quiet ? batchedSilenced(fn) : batched(fn)]);
  }
}
// Extra (info only): the SDK's only built-in verifier, valid_chkmc_string(), fed an unencoded "k=v&…" string.
const AIO_RAW = 'ecpay_aio_nodejs valid_chkmc_string';
const aioRawString = Object.entries(signedParams)
  .map(([k, v]) => `${k}=${v}`)
  .join('&');
if (silenced(() => aio.valid_chkmc_string(aioRawString)) === true) {
  tasks.push([AIO_RAW, batchedSilenced(() => aio.valid_chkmc_string(aioRawString))]);
} else {
  warn('ecpay_aio_nodejs valid_chkmc_string() rejected the documented example given as a raw k=v&… string.');
}
// Extra (info only): the one-shot crypto.hash() (Node ≥ 20.12), which skips the Hash object that createHash() builds.
const ONE_SHOT = 'bare crypto.hash one-shot';
if (typeof cryptoHash === 'function') {
  if (cryptoHash('sha256', macSource, 'hex') !== expectedLowerMac)
    fail('crypto.hash() of checkMacValueSource() disagrees.');
  tasks.push([ONE_SHOT, batched(() => cryptoHash('sha256', macSource, 'hex'))]);
}

// Two rounds, the second in reverse order, so that drift over the run (JIT state, GC, a noisy neighbour on a
// shared VM) does not always favour the same tasks; each cell reports the faster round.
const ROUNDS = 2;
const rounds = [];
const started = performance.now();
for (let round = 0; round < ROUNDS; round++) {
  const bench = new Bench({ time: TIME_MS, warmupTime: WARMUP_MS, timestampProvider: 'hrtimeNow', throws: true });
  for (const [name, fn] of round % 2 === 0 ? tasks : [...tasks].reverse()) bench.add(name, fn, { async: false });
  await bench.run();
  rounds.push(bench);
}
const elapsedS = (performance.now() - started) / 1000;
if (typeof sink === 'undefined') fail('benchmark produced no results');

let worstSpread = { pct: 0, name: '' };
const stats = (name) => {
  const perRound = [];
  for (const bench of rounds) {
    const result = bench.getTask(name)?.result;
    if (!result || (result.state !== 'completed' && result.state !== 'aborted-with-statistics')) return undefined;
    const nsPerOp = (result.latency.mean * 1e6) / BATCH;
    perRound.push({ nsPerOp, opsPerSec: 1e9 / nsPerOp, rme: result.latency.rme, samples: result.latency.samplesCount });
  }
  perRound.sort((a, b) => a.nsPerOp - b.nsPerOp);
  const best = perRound[0];
  const spread = (100 * (perRound[perRound.length - 1].nsPerOp - best.nsPerOp)) / best.nsPerOp;
  if (spread > worstSpread.pct) worstSpread = { pct: spread, name };
  return { ...best, spread };
};

// ---------------------------------------------------------------------------------------------------------------
// Report.
// ---------------------------------------------------------------------------------------------------------------

const int = (n) => Math.round(n).toLocaleString('en-US');
const cell = (s) => (s ? `${int(s.opsPerSec)} ops/s (${int(s.nsPerOp)} ns, ±${s.rme.toFixed(1)}%)` : 'failed');
const tinybenchVersion = (() => {
  try {
    return JSON.parse(readFileSync(new URL('../node_modules/tinybench/package.json', import.meta.url), 'utf8')).version;
  } catch {
    return '(version unknown)';
  }
})();

console.log('');
console.log('# nestjs-ecpay signing / AES benchmark');
console.log('');
console.log(`- Date: ${new Date().toISOString()}`);
console.log(`- Node: ${process.version} (${process.platform}/${process.arch})`);
console.log(`- CPU: ${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length} logical cores`);
console.log(
  `- tinybench ${tinybenchVersion}: ${ROUNDS} rounds (2nd in reverse order), each task ${TIME_MS} ms + ${WARMUP_MS} ms warmup per round, ${BATCH} calls per sample; cells show the faster round, ±x% = its 95% relative margin of error`,
);
console.log(`- Total timed run: ${elapsedS.toFixed(1)} s`);
console.log('');
console.log('| implementation | sign | verify | encrypt | decrypt |');
console.log('| --- | ---: | ---: | ---: | ---: |');
const results = new Map();
for (const impl of implementations) {
  const row = {};
  const cells = OPERATIONS.map((op) => {
    if (typeof impl[op] === 'string') return impl[op];
    row[op] = stats(taskName(impl, op));
    return cell(row[op]);
  });
  results.set(impl, row);
  console.log(`| ${impl.name} | ${cells.join(' | ')} |`);
}
console.log('');
const aioRaw = stats(AIO_RAW);
if (aioRaw) console.log(`- Extra (verify): ecpay_aio_nodejs valid_chkmc_string(raw "k=v&…" string) = ${cell(aioRaw)}`);
const oneShot = stats(ONE_SHOT);
if (oneShot) console.log(`- Extra (sign): bare crypto.hash('sha256', source, 'hex') one-shot = ${cell(oneShot)}`);
console.log(`- Largest difference between the two rounds: ${worstSpread.pct.toFixed(1)}% (${worstSpread.name})`);
console.log('');

const oursSign = results.get(ours).sign;
const bareSign = results.get(bare).sign;
const peerSigns = peers.map((impl) => ({ impl, s: results.get(impl).sign })).filter((p) => p.s);
const fastestPeer = peerSigns.reduce((best, p) => (!best || p.s.opsPerSec > best.s.opsPerSec ? p : best), undefined);

console.log('## Ratios');
console.log('');
if (oursSign && fastestPeer) {
  const x = oursSign.opsPerSec / fastestPeer.s.opsPerSec;
  console.log(`- ours sign ÷ fastest peer sign (${fastestPeer.impl.name}) = ${x.toFixed(2)}×`);
  console.log(`- ours ÷ fastest peer ≥ 3× target: ${x >= 3 ? 'met' : 'NOT MET'}`);
}
if (oursSign && bareSign) {
  const y = bareSign.opsPerSec / oursSign.opsPerSec;
  console.log(
    `- bare SHA-256 (createHash) ÷ ours sign = ${y.toFixed(2)}× (target ≤ 2.5×): ${y <= 2.5 ? 'met' : 'NOT MET'}`,
  );
}
if (oursSign && oneShot) {
  // The stricter reading of the target: the cheapest way Node can hash the same string (ours uses it too).
  const z = oneShot.opsPerSec / oursSign.opsPerSec;
  console.log(
    `- bare SHA-256 (one-shot crypto.hash) ÷ ours sign = ${z.toFixed(2)}× (target ≤ 2.5×): ${z <= 2.5 ? 'met' : 'NOT MET'}`,
  );
}
const ratio = (a, b) => (a && b ? `${(a.opsPerSec / b.opsPerSec).toFixed(2)}×` : 'n/a');
console.log(
  `- (info) ours verify ÷ fastest peer verify = ${ratio(results.get(ours).verify, [results.get(aioImpl).verify, results.get(rytass).verify].filter(Boolean).sort((a, b) => b.opsPerSec - a.opsPerSec)[0])}`,
);
console.log(
  `- (info) ours encrypt ÷ rytass encrypt = ${ratio(results.get(ours).encrypt, results.get(rytass).encrypt)}; bare ÷ ours = ${ratio(results.get(bare).encrypt, results.get(ours).encrypt)}`,
);
console.log(
  `- (info) ours decrypt ÷ rytass decrypt = ${ratio(results.get(ours).decrypt, results.get(rytass).decrypt)}; bare ÷ ours = ${ratio(results.get(bare).decrypt, results.get(ours).decrypt)}`,
);
console.log('');
console.log('## Checks');
console.log('');
console.log(`- ours CheckMacValue = ${EXPECTED_MAC} (docs/protocol.md §1.5): ok; AES round-trip: ok`);
for (const line of interop) console.log(`- interop, ${line}`);
if (warnings.length === 0) console.log('- all peers agree with the expected CheckMacValue and round-trip');
for (const message of warnings) console.log(`- WARNING: ${message}`);
