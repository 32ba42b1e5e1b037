import { randomBytes } from 'node:crypto';
import { MERCHANT_TRADE_NO_PATTERN as MERCHANT_TRADE_NO } from '../rules/index.js';

/**
 * What ECPay accepts as a MerchantTradeNo (docs/protocol.md §5.2): String(20), letters and digits only. The official
 * Node SDK validates `^\w{4,20}$`, which lets `_` through; the documentation ("僅支援a-zA-z0-9") does not, nor do we.
 * No `g`/`y` flag: such a RegExp keeps `lastIndex` between `test()` calls and would answer differently on reuse.
 *
 * @publicApi
 */
export const MERCHANT_TRADE_NO_PATTERN: RegExp = MERCHANT_TRADE_NO;

/** Options of {@link generateMerchantTradeNo}. @publicApi */
export interface MerchantTradeNoOptions {
  /**
   * 0–2 ASCII letters or digits put in front, e.g. to tell shops or environments apart in ECPay's back office.
   * Two, because the generated part is 18 of ECPay's 20 characters. `''` is the same as no prefix (so an empty
   * config value just means "none"). Numbers only sort in time order among those with the same prefix.
   */
  prefix?: string;
  /** Where "now" comes from (structurally an `EcpayClock`); default `new Date()`. Read once per call. */
  clock?: { now(): Date };
}

// Layout widths, in base36 digits. See generateMerchantTradeNo's JSDoc for why these sizes.
const TIME_WIDTH = 9;
const COUNTER_WIDTH = 3;
const NODE_WIDTH = 6;
const BODY_WIDTH = TIME_WIDTH + COUNTER_WIDTH + NODE_WIDTH;
const MAX_PREFIX_LENGTH = 20 - BODY_WIDTH;

const TIME_LIMIT = 36 ** TIME_WIDTH; // 101,559,956,668,416 ms after 1970 = year 5188; still an exact double
const COUNTER_LIMIT = 36 ** COUNTER_WIDTH; // 46,656
// A fresh millisecond starts its counter at a random value in the lower half: the upper half guarantees ≥ 23,328
// numbers per logical millisecond before overflow, and the random start makes two generators that drew the same
// node (see below) still unlikely to meet on the same counter value within the same millisecond.
const COUNTER_START_LIMIT = COUNTER_LIMIT / 2;
const NODE_LIMIT = 36 ** NODE_WIDTH; // 2,176,782,336 ≈ 2^31

const PREFIX_PATTERN = /^[A-Za-z0-9]{0,2}$/;
const GENERATED_PATTERN = /^[A-Za-z0-9]{0,2}[0-9A-Z]{18}$/;

const systemClock = { now: (): Date => new Date() };

/** Uniform integer in [0, bound) from crypto.randomBytes; rejection sampling, so no modulo bias (bound ≤ 2^48). */
function randomBelow(bound: number): number {
  const range = 2 ** 48;
  const accept = range - (range % bound);
  for (;;) {
    const value = randomBytes(6).readUIntBE(0, 6);
    if (value < accept) return value % bound;
  }
}

// Upper case only: ASCII order ('0'–'9' < 'A'–'Z') is then numeric order, and a case-insensitive comparison on
// ECPay's side (or in a spreadsheet) cannot fold two of our numbers into one.
const base36 = (value: number, width: number): string => value.toString(36).toUpperCase().padStart(width, '0');

// Per process (strictly: per module instance, so each worker thread counts as a process of its own).
// The node is drawn on first use, not at import, so a V8 startup snapshot cannot freeze one value into every process.
let node: string | undefined;
let lastMs = -1;
let counter = 0;

/**
 * A new MerchantTradeNo: unique across processes and machines, time-sortable, 18 characters plus the optional prefix.
 *
 * Layout `[prefix 0–2][time 9][counter 3][node 6]`, all but the prefix upper-case base36, zero-padded to fixed width
 * so that plain string order (`<`, `ORDER BY` with a binary collation) is time order:
 * - time: the logical millisecond since 1970. 36^9 ms ≈ 3,218 years (to the year 5188); 8 digits would run out in 2059.
 *   Logical, because it never goes below the last issued value: if the clock steps backwards the process keeps
 *   counting from where it was, so its own numbers stay strictly increasing.
 * - counter: position within the logical millisecond; starts at a random value below 23,328 and, when it would pass
 *   36^3 − 1, moves on to the next logical millisecond. That allows ≥ 23 million numbers a second per process
 *   before the logical clock runs ahead of the wall clock — far beyond what one process can sign and send.
 * - node: a per-process random value (36^6 ≈ 2.18·10^9 choices, from crypto.randomBytes). Two processes can only
 *   produce the same number if they drew the same node *and* issued in the same logical millisecond *and* hit the
 *   same counter value. With k processes running at once, P(any two share a node) ≤ k(k−1)/2 / 36^6: 2.1·10^-8 for
 *   k = 10, 2.3·10^-6 for k = 100 — and even then a duplicate further needs a shared millisecond and (for one number
 *   per millisecond each) a 1-in-23,328 counter match. Processes that never run at the same time get different time
 *   parts (while their clocks agree); the node is what protects against clock skew between machines.
 * - prefix: 20 − 9 − 3 − 6 = 2 characters left. It does not take part in uniqueness (the 18 characters after it are
 *   unique on their own), it only groups.
 *
 * Numbers from different processes sort in wall-clock order when issued at least a millisecond or so apart and the
 * machines' clocks agree; within one process every number sorts after the previous one. ECPay requires that a
 * MerchantTradeNo is never reused, so a retried payment needs a new number, not this one again.
 *
 * @throws RangeError if `prefix` is not 0–2 letters/digits, or `clock.now()` is not a valid date from 1970 to 5188.
 * @publicApi
 */
export function generateMerchantTradeNo(options: MerchantTradeNoOptions = {}): string {
  // Everything is validated before the sequence state changes, so a rejected call leaves it as it was.
  const prefix: unknown = options.prefix ?? '';
  if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix)) {
    throw new RangeError(
      `MerchantTradeNoOptions.prefix must be at most ${MAX_PREFIX_LENGTH} ASCII letters or digits (a-zA-Z0-9), ` +
        `got ${JSON.stringify(prefix)}: MerchantTradeNo is String(20) and the generated part takes ${BODY_WIDTH}.`,
    );
  }
  const now = (options.clock ?? systemClock).now().getTime();
  if (!Number.isSafeInteger(now) || now < 0 || now >= TIME_LIMIT) {
    throw new RangeError(
      `MerchantTradeNoOptions.clock.now() must be a valid Date from 1970 to 5188, got ${now} ms since 1970.`,
    );
  }

  node ??= base36(randomBelow(NODE_LIMIT), NODE_WIDTH);

  if (now > lastMs) {
    lastMs = now;
    counter = randomBelow(COUNTER_START_LIMIT);
  } else if (counter + 1 < COUNTER_LIMIT) {
    counter += 1;
  } else {
    if (lastMs + 1 >= TIME_LIMIT) throw new RangeError('MerchantTradeNo time part exhausted (year 5188).');
    lastMs += 1;
    counter = randomBelow(COUNTER_START_LIMIT);
  }
  return prefix + base36(lastMs, TIME_WIDTH) + base36(counter, COUNTER_WIDTH) + node;
}

/**
 * When a {@link generateMerchantTradeNo} number was issued — for support and ops, who are handed an order number and
 * need its moment.
 * This is the logical time: equal to the issuing process's clock unless that clock had stepped backwards or the
 * process issued more than ~23,000 numbers in one millisecond, in which case it is slightly later.
 * Only meaningful for numbers this library generated; the prefix may be 0–2 characters.
 *
 * @throws RangeError if `merchantTradeNo` does not have the generated layout.
 * @publicApi
 */
export function decodeMerchantTradeNoTime(merchantTradeNo: string): Date {
  if (typeof merchantTradeNo !== 'string' || !GENERATED_PATTERN.test(merchantTradeNo)) {
    throw new RangeError(
      `${JSON.stringify(merchantTradeNo)} is not a generated MerchantTradeNo ` +
        `(0–2 letters/digits, then ${BODY_WIDTH} characters 0-9A-Z).`,
    );
  }
  const time = merchantTradeNo.slice(-BODY_WIDTH, -BODY_WIDTH + TIME_WIDTH);
  return new Date(Number.parseInt(time, 36));
}
