import { describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeMerchantTradeNoTime, generateMerchantTradeNo, MERCHANT_TRADE_NO_PATTERN } from './merchant-trade-no.js';

type MerchantTradeNoModule = typeof import('./merchant-trade-no.js');

// The sequence state is per module instance (= per process). Tests that need a known starting state — a fixed or
// backwards clock, "decodes back to exactly t" — get a fresh instance, as a newly started process would have.
async function freshModule(): Promise<MerchantTradeNoModule> {
  let loaded: MerchantTradeNoModule | undefined;
  await jest.isolateModulesAsync(async () => {
    loaded = await import('./merchant-trade-no.js');
  });
  return loaded!;
}

const fixedClock = (ms: number): { now(): Date } => ({ now: () => new Date(ms) });
const body = (no: string): string => no.slice(-18);
const node = (no: string): string => no.slice(-6);
const timePart = (no: string): string => no.slice(-18, -9);
const counterOf = (no: string): number => Number.parseInt(no.slice(-9, -6), 36);

/** Index of the first value not strictly above its predecessor, or -1: one number instead of a 100k-line diff. */
function firstNonIncreasing(values: readonly string[]): number {
  for (let i = 1; i < values.length; i++) if (!(values[i - 1]! < values[i]!)) return i;
  return -1;
}

const T2030 = Date.UTC(2030, 0, 1);
const Y2000 = Date.UTC(2000, 0, 1);
const Y2100 = Date.UTC(2100, 0, 1);

describe('MERCHANT_TRADE_NO_PATTERN', () => {
  it('accepts 1–20 ASCII letters/digits and nothing else, the same on every call', () => {
    for (const ok of ['ecpay20230312153023', 'A', '0', 'a'.repeat(20), 'Zz09']) {
      expect([MERCHANT_TRADE_NO_PATTERN.test(ok), MERCHANT_TRADE_NO_PATTERN.test(ok)]).toEqual([true, true]);
    }
    for (const bad of ['', 'a'.repeat(21), 'a_b', 'ab-c', '中文', 'é', ' ab', 'ab\n', '１２']) {
      expect(MERCHANT_TRADE_NO_PATTERN.test(bad)).toBe(false);
    }
  });
});

describe('generateMerchantTradeNo — format', () => {
  const prefixes = [undefined, '', '7', 'A', 'z', 'zZ', '09', 'Ab'];

  it('is 18 upper-case base36 characters after the prefix, for every prefix length (2,000 samples each)', () => {
    const bodies: string[] = [];
    for (const prefix of prefixes) {
      const samples = Array.from({ length: 2_000 }, () => generateMerchantTradeNo({ prefix }));
      const bad = samples.filter(
        (no) =>
          !MERCHANT_TRADE_NO_PATTERN.test(no) ||
          no.length !== 18 + (prefix ?? '').length ||
          !no.startsWith(prefix ?? '') ||
          !/^[0-9A-Z]{18}$/.test(body(no)),
      );
      expect({ prefix, bad }).toEqual({ prefix, bad: [] });
      bodies.push(...samples.map(body));
    }
    // One sequence for all prefixes: the prefix only groups, the 18 characters after it are unique on their own.
    expect(firstNonIncreasing(bodies)).toBe(-1);
    expect(new Set(bodies.map(node)).size).toBe(1);
    expect(generateMerchantTradeNo({ prefix: 'zZ' })).toHaveLength(20);
  });

  it('treats an empty prefix as no prefix', () => {
    expect(generateMerchantTradeNo({ prefix: '' })).toMatch(/^[0-9A-Z]{18}$/);
  });

  const badPrefixes = ['a_', 'abc', '中', '中文', ' ', 'A-', 'é', 'a\n', '１', 'ab '];
  it.each(badPrefixes)('rejects the prefix %j with a RangeError', (prefix) => {
    expect(() => generateMerchantTradeNo({ prefix })).toThrow(RangeError);
    expect(() => generateMerchantTradeNo({ prefix })).toThrow(
      /^MerchantTradeNoOptions\.prefix must be at most 2 ASCII letters or digits \(a-zA-Z0-9\)/,
    );
  });

  it('rejects a non-string prefix from untyped callers', () => {
    expect(() => generateMerchantTradeNo({ prefix: 12 as unknown as string })).toThrow(RangeError);
  });

  it.each([
    ['an invalid Date', Number.NaN],
    ['1969', -1],
    ['the year 5188 (36^9 ms)', 36 ** 9],
  ])('rejects a clock returning %s', (_name, ms) => {
    expect(() => generateMerchantTradeNo({ clock: fixedClock(ms) })).toThrow(
      /^MerchantTradeNoOptions\.clock\.now\(\) must be a valid Date from 1970 to 5188/,
    );
  });

  it('leaves the sequence untouched when it rejects a call', async () => {
    const { generateMerchantTradeNo: generate } = await freshModule();
    const first = generate({ clock: fixedClock(T2030) });
    expect(() => generate({ clock: fixedClock(T2030), prefix: 'abc' })).toThrow(RangeError);
    expect(() => generate({ clock: fixedClock(Number.NaN) })).toThrow(RangeError);
    const second = generate({ clock: fixedClock(T2030) });
    expect([timePart(second), counterOf(second)]).toEqual([timePart(first), counterOf(first) + 1]);
  });
});

describe('generateMerchantTradeNo — strictly increasing within a process', () => {
  it('over 100,000 calls in a tight loop on the real clock, many in the same millisecond', () => {
    const values = Array.from({ length: 100_000 }, () => generateMerchantTradeNo());
    expect(firstNonIncreasing(values)).toBe(-1);
    const sameMillisecond = values.filter((no, i) => i > 0 && timePart(no) === timePart(values[i - 1]!)).length;
    expect(sameMillisecond).toBeGreaterThan(10_000); // the counter, not the clock, did the ordering here
  });

  it('over 100,000 calls with a fixed clock: the counter overflows into the next logical millisecond', async () => {
    const { generateMerchantTradeNo: generate } = await freshModule();
    const clock = fixedClock(T2030);
    const values = Array.from({ length: 100_000 }, () => generate({ clock }));
    expect(firstNonIncreasing(values)).toBe(-1);

    const counts = new Map<number, number>();
    const lastOf = new Map<number, string>();
    for (const no of values) {
      const ms = decodeMerchantTradeNoTime(no).getTime();
      counts.set(ms, (counts.get(ms) ?? 0) + 1);
      lastOf.set(ms, no);
    }
    const times = [...counts.keys()];
    // Consecutive logical milliseconds from the clock's, each full one holding 23,329–46,656 numbers
    // (random start below 23,328, overflow after 36^3 − 1): 100,000 numbers span 3 to 5 of them.
    expect(times).toEqual(times.map((_, i) => T2030 + i));
    expect(times.length).toBeGreaterThanOrEqual(3);
    expect(times.length).toBeLessThanOrEqual(5);
    for (const ms of times.slice(0, -1)) {
      expect(counts.get(ms)).toBeGreaterThanOrEqual(23_329);
      expect(counts.get(ms)).toBeLessThanOrEqual(46_656);
      expect(counterOf(lastOf.get(ms)!)).toBe(36 ** 3 - 1);
    }
  });

  it('over 100,000 calls with a clock going backwards 1 ms per call', async () => {
    const { generateMerchantTradeNo: generate } = await freshModule();
    let ms = T2030 + 100_000;
    const clock = { now: () => new Date(ms--) };
    const values = Array.from({ length: 100_000 }, () => generate({ clock }));
    expect(firstNonIncreasing(values)).toBe(-1);
    expect(decodeMerchantTradeNoTime(values[0]!).getTime()).toBe(T2030 + 100_000);
  });

  it('holds its logical time through a backward step and rejoins the clock once it passes', async () => {
    const { generateMerchantTradeNo: generate } = await freshModule();
    const before = generate({ clock: fixedClock(T2030) });
    const stepBack = Array.from({ length: 1_000 }, (_, i) => generate({ clock: fixedClock(T2030 - 60_000 + i) }));
    const after = generate({ clock: fixedClock(T2030 + 10) });
    expect(firstNonIncreasing([before, ...stepBack, after])).toBe(-1);
    expect(new Set(stepBack.map((no) => decodeMerchantTradeNoTime(no).getTime()))).toEqual(new Set([T2030]));
    expect(decodeMerchantTradeNoTime(after).getTime()).toBe(T2030 + 10);
  });

  it('property: the time part is max(clock, last issued) for any sequence of clock readings in 2000–2100', async () => {
    const readingsArb = fc.array(fc.integer({ min: Y2000, max: Y2100 }), { minLength: 1, maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(readingsArb, async (readings) => {
        const { generateMerchantTradeNo: generate } = await freshModule();
        let logical = -1;
        let previous = '';
        for (const ms of readings) {
          const no = generate({ clock: fixedClock(ms) });
          logical = Math.max(ms, logical);
          expect(decodeMerchantTradeNoTime(no).getTime()).toBe(logical);
          expect(no > previous).toBe(true);
          previous = no;
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('decodeMerchantTradeNoTime', () => {
  it('property: a fresh process at clock time t (2000–2100) issues a number whose time part decodes to t', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: Y2000, max: Y2100 }),
        fc.stringMatching(/^[A-Za-z0-9]{0,2}$/),
        async (ms, prefix) => {
          const { generateMerchantTradeNo: generate } = await freshModule();
          const no = generate({ clock: fixedClock(ms), prefix });
          expect(no.startsWith(prefix) && MERCHANT_TRADE_NO_PATTERN.test(no)).toBe(true);
          expect(decodeMerchantTradeNoTime(no).getTime()).toBe(ms);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('property: numbers from two processes at different milliseconds sort as string in time order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: Y2000, max: Y2100 - 1 }),
        fc.integer({ min: 1, max: Y2100 - Y2000 }),
        async (earlier, gap) => {
          const first = await freshModule();
          const second = await freshModule(); // one at a time: isolation does not nest
          const a = first.generateMerchantTradeNo({ clock: fixedClock(earlier) });
          const b = second.generateMerchantTradeNo({ clock: fixedClock(Math.min(earlier + gap, Y2100)) });
          expect(a < b).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  const zeros = (n: number): string => '0'.repeat(n);
  const notGenerated = [
    ...['', 'ABC', 'ecpay20230312153023'],
    ...[`abc${zeros(18)}`, zeros(17), `${zeros(17)}a`, `${zeros(9)}_${zeros(8)}`],
  ];
  it.each(notGenerated)('rejects %j, which is not a generated number', (no) => {
    expect(() => decodeMerchantTradeNoTime(no)).toThrow(RangeError);
  });
});

// ---- Separate processes: the built module (dist/, `npm test` builds it first) in real child Node processes. ----

const BUILT = resolve(process.cwd(), 'dist/checkout/merchant-trade-no.js');
const CHILD = resolve(process.cwd(), 'test/fixtures/merchant-trade-no-child.mjs');

interface Child {
  process: ChildProcess;
  /** Resolves with everything the child printed once it exits with code 0. */
  stdout: Promise<string>;
}

async function startChild(args: string[]): Promise<Child> {
  if (!existsSync(BUILT)) {
    throw new Error(`${BUILT} is missing: run "npm run build" (npm test does) before the cross-process tests.`);
  }
  const child = fork(CHILD, args, { execArgv: [], env: { PATH: process.env.PATH ?? '' }, silent: true });
  const out: Buffer[] = [];
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const stdout = new Promise<string>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolvePromise(Buffer.concat(out).toString()) : reject(new Error(`child exited ${code}: ${err}`)),
    );
  });
  await new Promise<void>((resolvePromise, reject) => {
    child.once('message', () => resolvePromise());
    stdout.catch(reject); // died before it was ready (e.g. a broken dist/)
  });
  return { process: child, stdout };
}

describe('generateMerchantTradeNo — across processes', () => {
  it('4 processes × 50,000 numbers at the same time: no duplicates, each process strictly increasing', async () => {
    const PROCESSES = 4;
    const EACH = 50_000;
    const children = await Promise.all(Array.from({ length: PROCESSES }, () => startChild(['burst', String(EACH)])));
    const startAt = Date.now() + 100;
    for (const child of children) child.process.send({ startAt });
    const texts = await Promise.all(children.map((child) => child.stdout));
    const outputs = texts.map((text) => text.trimEnd().split('\n'));

    for (const values of outputs) {
      expect(values).toHaveLength(EACH);
      expect(values.filter((no) => !/^[0-9A-Z]{18}$/.test(no))).toEqual([]);
      expect(firstNonIncreasing(values)).toBe(-1);
      expect(new Set(values.map(node)).size).toBe(1);
    }
    const all = outputs.flat();
    expect(new Set(all).size).toBe(PROCESSES * EACH);
    expect(new Set(outputs.map((values) => node(values[0]!))).size).toBe(PROCESSES);

    // Evidence the processes really overlapped: milliseconds in which more than one of them issued numbers.
    const seen = new Map<string, number>();
    for (const values of outputs) for (const t of new Set(values.map(timePart))) seen.set(t, (seen.get(t) ?? 0) + 1);
    expect([...seen.values()].filter((n) => n > 1).length).toBeGreaterThan(0);
  }, 20_000);

  it('numbers issued by different live processes ≥ 3 ms apart sort in the order they were issued', async () => {
    const children = await Promise.all(Array.from({ length: 4 }, () => startChild(['serve'])));
    const issued: string[] = [];
    try {
      for (let i = 0; i < 24; i++) {
        const child = children[i % children.length]!.process;
        const next = new Promise<string>((resolvePromise) => child.once('message', (no) => resolvePromise(String(no))));
        child.send('next');
        issued.push(await next);
        const answeredAt = Date.now();
        await sleep(3);
        while (Date.now() < answeredAt + 3) await sleep(1);
      }
    } finally {
      for (const child of children) child.process.send('exit');
      await Promise.all(children.map((child) => child.stdout));
    }
    expect(firstNonIncreasing(issued)).toBe(-1);
    expect([...issued].sort()).toEqual(issued);
    const times = issued.map((no) => decodeMerchantTradeNoTime(no).getTime());
    expect(times.slice(1).every((ms, i) => ms - times[i]! >= 2)).toBe(true);
    expect(new Set(issued.map(node)).size).toBe(4);
  }, 15_000);
});
