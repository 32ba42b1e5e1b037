import { ECPAY_RATE_LIMIT_WINDOW_MS } from './ecpay-rate-limit-store.interface.js';
import { EcpayConfigError, type EcpayConfigIssue } from '../errors/ecpay-config.error.js';
import { HASH_KEY_LENGTH, MERCHANT_ID_PATTERN as MERCHANT_ID } from '../rules/index.js';
import { DEFAULT_HANDLER_TIMEOUT_MS, MAX_HANDLER_TIMEOUT_MS } from '../handlers/ecpay-handlers.constants.js';
import { DEFAULT_LEASE_MS, leaseIssue } from './dispatch-lease.js';
import { systemClock } from '../time/ecpay-clock.js';
import { EcpayMerchant } from './ecpay-merchant.js';
import { ECPAY_ENVIRONMENTS, type EcpayModuleOptions } from './ecpay-options.interface.js';
import type { ResolvedEcpayOptions } from './resolved-ecpay-options.interface.js';
import { PUBLIC_STAGE_MERCHANT_IDS, PUBLIC_STAGE_SECRETS } from './stage-credentials.js';

const TOP_LEVEL_OPTIONS = [
  'environment',
  'merchantId',
  'hashKey',
  'hashIv',
  'merchants',
  'publicUrl',
  'orderResultPage',
  'sandboxUrl',
  'clock',
  'dispatch',
  'notifications',
  'rateLimit',
  'autoClose',
  'reconciliation',
];
const MERCHANT_OPTIONS = ['merchantId', 'hashKey', 'hashIv', 'platformId'];
const MERCHANT_NAME = /^[A-Za-z0-9_-]{1,50}$/;

type Raw = Record<string, unknown>;

/**
 * Validates module options and resolves them. Collects every problem before throwing one
 * {@link EcpayConfigError}, so a broken configuration is fixed in one go. Messages name the option and the rule,
 * never a secret's value.
 */
export function validateEcpayOptions(input: EcpayModuleOptions | unknown): ResolvedEcpayOptions {
  const issues: EcpayConfigIssue[] = [];
  const report = (option: string, message: string): void => void issues.push({ option, message });

  if (!isObject(input)) {
    throw new EcpayConfigError([
      { option: 'options', message: 'must be an object (did the forRootAsync factory return nothing?)' },
    ]);
  }
  reportUnknown(input, TOP_LEVEL_OPTIONS, '', report);

  const environment = input.environment;
  if (!ECPAY_ENVIRONMENTS.includes(environment as never)) {
    report(
      'environment',
      `must be one of ${ECPAY_ENVIRONMENTS.map((e) => `'${e}'`).join(', ')} (got ${printable(environment)})`,
    );
  }
  const production = environment === 'production';

  checkMerchantId(input.merchantId, 'merchantId', production, report);
  checkSecret(input.hashKey, 'hashKey', production, report);
  checkSecret(input.hashIv, 'hashIv', production, report);

  const named = input.merchants;
  if (named !== undefined && !isObject(named)) report('merchants', 'must be an object of merchants by name');
  const entries = isObject(named) ? Object.entries(named) : [];
  for (const [name, merchant] of entries) {
    const path = `merchants.${name}`;
    if (!MERCHANT_NAME.test(name) || name === 'default') {
      report(path, 'a merchant name must be 1–50 letters, digits, "_" or "-", and not "default"');
    }
    if (!isObject(merchant)) {
      report(path, 'must be { merchantId, hashKey, hashIv } or { merchantId, platformId }');
      continue;
    }
    reportUnknown(merchant, MERCHANT_OPTIONS, `${path}.`, report);
    checkMerchantId(merchant.merchantId, `${path}.merchantId`, production, report);
    if (merchant.platformId !== undefined) {
      if (merchant.hashKey !== undefined || merchant.hashIv !== undefined) {
        report(
          path,
          "a platform member signs with its platform's keys: give either platformId or hashKey/hashIv, not both",
        );
      }
      if (typeof merchant.platformId !== 'string' || !MERCHANT_ID.test(merchant.platformId)) {
        report(
          `${path}.platformId`,
          'must be the MerchantID of a configured platform merchant (letters and digits, at most 10)',
        );
      }
    } else {
      checkSecret(merchant.hashKey, `${path}.hashKey`, production, report);
      checkSecret(merchant.hashIv, `${path}.hashIv`, production, report);
    }
  }

  if (input.publicUrl !== undefined && !isHttpUrl(input.publicUrl)) {
    report(
      'publicUrl',
      'must be an absolute http(s) URL (the shop as ECPay reaches it, e.g. https://shop.example.com)',
    );
  }
  if (input.orderResultPage !== undefined && !(isHttpUrl(input.orderResultPage) || isShopPath(input.orderResultPage))) {
    report(
      'orderResultPage',
      'must be a path of the shop (one leading "/", not "//" or "/\\", no backslash or control character) or an absolute http(s) URL',
    );
  }
  if (input.sandboxUrl !== undefined && !isHttpUrl(input.sandboxUrl)) {
    report('sandboxUrl', 'must be an absolute http(s) URL');
  }
  if (input.clock !== undefined && !(isObject(input.clock) && typeof input.clock.now === 'function')) {
    report('clock', 'must be an object with a now(): Date method');
  }
  checkMerchantReferences(input, entries, report);
  checkDispatch(input.dispatch, report);
  checkNotifications(input.notifications, report);
  checkRateLimit(input.rateLimit, report);
  if (input.autoClose !== undefined && typeof input.autoClose !== 'boolean')
    report('autoClose', 'must be true or false');
  checkReconciliation(input.reconciliation, report);
  if (issues.length > 0) throw new EcpayConfigError(issues);

  const merchants = resolveMerchants(input as unknown as EcpayModuleOptions, entries as [string, Raw][]);

  return Object.freeze({
    environment: environment as EcpayModuleOptions['environment'],
    merchants,
    defaultMerchant: merchants[0]!,
    publicUrl: input.publicUrl as string | undefined,
    orderResultPage: input.orderResultPage as string | undefined,
    sandboxUrl: input.sandboxUrl as string | undefined,
    clock: (input.clock as ResolvedEcpayOptions['clock'] | undefined) ?? systemClock,
    dispatch: (input.dispatch as ResolvedEcpayOptions['dispatch'] | undefined) ?? {},
    notifications: Object.freeze({
      preparedStatements: (input.notifications as Raw | undefined)?.preparedStatements !== false,
    }),
    rateLimit: resolveRateLimit(input.rateLimit as Raw | undefined),
    autoClose: (input.autoClose as boolean | undefined) ?? true,
    reconciliation: Object.freeze({
      ...((input.reconciliation as Raw | undefined) ?? {}),
    }) as ResolvedEcpayOptions['reconciliation'],
  });
}

/** Cross-merchant rules, checked in the same pass as the rest so every problem is reported at once. */
function checkMerchantReferences(
  input: Raw,
  entries: [string, unknown][],
  report: (o: string, m: string) => void,
): void {
  const seen = new Map<unknown, string>([[input.merchantId, 'merchantId']]);
  const keyed = new Set<unknown>([input.merchantId]);
  for (const [name, merchant] of entries) {
    if (!isObject(merchant)) continue;
    const previous = seen.get(merchant.merchantId);
    if (previous !== undefined && typeof merchant.merchantId === 'string') {
      report(
        `merchants.${name}.merchantId`,
        `MerchantID ${merchant.merchantId} is already configured at "${previous}"; each merchant may appear once`,
      );
    }
    seen.set(merchant.merchantId, `merchants.${name}`);
    if (merchant.platformId === undefined) keyed.add(merchant.merchantId);
  }
  for (const [name, merchant] of entries) {
    if (isObject(merchant) && typeof merchant.platformId === 'string' && !keyed.has(merchant.platformId)) {
      report(
        `merchants.${name}.platformId`,
        `no merchant with MerchantID ${merchant.platformId} and its own hashKey/hashIv is configured to act as the platform`,
      );
    }
  }
}

/** Builds the merchants of options already validated: members get their platform's keys. */
function resolveMerchants(options: EcpayModuleOptions, entries: [string, Raw][]): EcpayMerchant[] {
  const keyed = new Map<string, { hashKey: string; hashIv: string }>([[options.merchantId, options]]);
  for (const [, merchant] of entries) {
    if (merchant.platformId === undefined)
      keyed.set(merchant.merchantId as string, merchant as { hashKey: string; hashIv: string });
  }
  return [
    new EcpayMerchant('default', options.merchantId, undefined, options),
    ...entries.map(([name, merchant]) => {
      const platformId = merchant.platformId as string | undefined;
      return new EcpayMerchant(
        name,
        merchant.merchantId as string,
        platformId,
        keyed.get(platformId ?? (merchant.merchantId as string))!,
      );
    }),
  ];
}

const DISPATCH_OPTIONS = [
  'pollIntervalMs',
  'maxAttempts',
  'backoffMs',
  'maxBackoffMs',
  'leaseMs',
  'handlerTimeoutMs',
  'batchSize',
];

function checkDispatch(dispatch: unknown, report: (o: string, m: string) => void): void {
  if (dispatch === undefined) return;
  if (!isObject(dispatch)) return report('dispatch', 'must be an object');
  reportUnknown(dispatch, DISPATCH_OPTIONS, 'dispatch.', report);
  for (const name of DISPATCH_OPTIONS) {
    const value = dispatch[name];
    const min = name === 'pollIntervalMs' ? 0 : 1;
    if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) >= min)) {
      report(`dispatch.${name}`, `must be an integer of at least ${min}`);
    }
  }
  const { leaseMs, handlerTimeoutMs } = dispatch;
  if (
    handlerTimeoutMs !== undefined &&
    Number.isSafeInteger(handlerTimeoutMs) &&
    (handlerTimeoutMs as number) > MAX_HANDLER_TIMEOUT_MS
  ) {
    report('dispatch.handlerTimeoutMs', `must be at most ${MAX_HANDLER_TIMEOUT_MS}`);
  }
  // A lease shorter than one handler's run would let a second instance run an event whose handler is still running.
  if (
    (leaseMs === undefined || Number.isSafeInteger(leaseMs)) &&
    (handlerTimeoutMs === undefined || Number.isSafeInteger(handlerTimeoutMs))
  ) {
    const issue = leaseIssue(
      (leaseMs as number | undefined) ?? DEFAULT_LEASE_MS,
      (handlerTimeoutMs as number | undefined) ?? DEFAULT_HANDLER_TIMEOUT_MS,
    );
    if (issue) report(issue.option, issue.message);
  }
}

function checkNotifications(notifications: unknown, report: (o: string, m: string) => void): void {
  if (notifications === undefined) return;
  if (!isObject(notifications)) return report('notifications', 'must be an object');
  reportUnknown(notifications, ['preparedStatements'], 'notifications.', report);
  if (notifications.preparedStatements !== undefined && typeof notifications.preparedStatements !== 'boolean') {
    report('notifications.preparedStatements', 'must be true or false (false behind PgBouncer in transaction mode)');
  }
}

const RECONCILIATION_OPTIONS = ['enabled', 'intervalMs', 'batchSize', 'leaseMs', 'retryDelayMs'];

function checkReconciliation(reconciliation: unknown, report: (o: string, m: string) => void): void {
  if (reconciliation === undefined) return;
  if (!isObject(reconciliation)) return report('reconciliation', 'must be an object');
  reportUnknown(reconciliation, RECONCILIATION_OPTIONS, 'reconciliation.', report);
  if (reconciliation.enabled !== undefined && typeof reconciliation.enabled !== 'boolean')
    report('reconciliation.enabled', 'must be true or false');
  for (const name of RECONCILIATION_OPTIONS.slice(1)) {
    const value = reconciliation[name];
    if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) >= 1))
      report(`reconciliation.${name}`, 'must be an integer of at least 1');
  }
}

const RATE_LIMIT_OPTIONS = ['windowMs', 'redis', 'keyPrefix', 'store'];

function checkRateLimit(rateLimit: unknown, report: (o: string, m: string) => void): void {
  if (rateLimit === undefined) return;
  if (!isObject(rateLimit)) return report('rateLimit', 'must be an object');
  reportUnknown(rateLimit, RATE_LIMIT_OPTIONS, 'rateLimit.', report);
  const { windowMs, redis, keyPrefix, store } = rateLimit;
  if (windowMs !== undefined && !(Number.isSafeInteger(windowMs) && (windowMs as number) >= 1)) {
    report(
      'rateLimit.windowMs',
      'must be a whole number of milliseconds of at least 1 (ECPay asks for 30 minutes: 1800000)',
    );
  }
  if (redis !== undefined && !hasMethods(redis, ['get', 'set', 'del'])) {
    report('rateLimit.redis', 'must be a Redis client with get, set and del (e.g. an ioredis 5 instance)');
  }
  if (store !== undefined && !hasMethods(store, ['blockedUntil', 'block', 'clear'])) {
    report('rateLimit.store', 'must implement EcpayRateLimitStore (blockedUntil, block, clear)');
  }
  if (redis !== undefined && store !== undefined) report('rateLimit', 'give either redis or store, not both');
  if (keyPrefix !== undefined && (typeof keyPrefix !== 'string' || keyPrefix.length === 0)) {
    report('rateLimit.keyPrefix', 'must be a non-empty string');
  } else if (keyPrefix !== undefined && redis === undefined) {
    report('rateLimit.keyPrefix', 'only applies to the Redis store: give rateLimit.redis too');
  }
}

function resolveRateLimit(rateLimit: Raw | undefined): ResolvedEcpayOptions['rateLimit'] {
  return Object.freeze({
    windowMs: (rateLimit?.windowMs as number | undefined) ?? ECPAY_RATE_LIMIT_WINDOW_MS,
    redis: rateLimit?.redis as ResolvedEcpayOptions['rateLimit']['redis'],
    keyPrefix: rateLimit?.keyPrefix as string | undefined,
    store: rateLimit?.store as ResolvedEcpayOptions['rateLimit']['store'],
  });
}

const hasMethods = (value: unknown, names: readonly string[]): boolean =>
  typeof value === 'object' && value !== null && names.every((name) => typeof (value as Raw)[name] === 'function');

function checkMerchantId(
  value: unknown,
  option: string,
  production: boolean,
  report: (o: string, m: string) => void,
): void {
  if (typeof value !== 'string' || value.length === 0) {
    report(option, 'is required (your ECPay MerchantID, e.g. from the ECPAY_MERCHANT_ID environment variable)');
  } else if (value.length > 10) {
    report(option, `must be at most 10 characters (got ${value.length})`);
  } else if (!MERCHANT_ID.test(value)) {
    report(option, 'must contain only letters and digits');
  } else if (production && PUBLIC_STAGE_MERCHANT_IDS.has(value)) {
    report(option, `${value} is one of ECPay's public stage MerchantIDs and cannot be used in production`);
  }
}

function checkSecret(
  value: unknown,
  option: string,
  production: boolean,
  report: (o: string, m: string) => void,
): void {
  if (typeof value !== 'string' || value.length === 0) {
    report(option, "is required (from ECPay's vendor back office; there is no default)");
  } else if (/\s/.test(value)) {
    report(option, 'must not contain whitespace (a trailing newline from a .env file or secret store?)');
  } else if (value.length !== HASH_KEY_LENGTH) {
    report(option, `must be exactly ${HASH_KEY_LENGTH} characters (got ${value.length})`);
  } else if (!/^[\x21-\x7e]+$/.test(value)) {
    report(option, 'must contain only printable ASCII characters (it is used as 16 raw AES key bytes)');
  } else if (production && PUBLIC_STAGE_SECRETS.has(value)) {
    report(option, "is one of ECPay's public stage credentials and cannot be used in production");
  }
}

function reportUnknown(
  object: Raw,
  known: readonly string[],
  prefix: string,
  report: (o: string, m: string) => void,
): void {
  for (const key of Object.keys(object)) {
    if (known.includes(key)) continue;
    const near = known.find((candidate) => candidate.toLowerCase() === key.toLowerCase());
    report(
      `${prefix}${key}`,
      near ? `is not an option; did you mean "${near}"?` : `is not an option (known: ${known.join(', ')})`,
    );
  }
}

const isObject = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);

const printable = (value: unknown): string =>
  typeof value === 'string' ? JSON.stringify(value.slice(0, 20)) : value === undefined ? 'nothing' : typeof value;

/**
 * A path on the shop's own origin. URL parsers (and browsers following a redirect) read `//host`, `/\\host` and a
 * path with a tab or newline inside (`/\t/host`, the control character dropped) as another host, so the path must
 * start with exactly one "/" not followed by "/" or "\\", and carry no backslash or control character anywhere.
 * Dot segments can still fold a path into `//host` (`/a/..//host`): the parsed path must not start with "//" either.
 */
function isShopPath(value: unknown): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (typeof value !== 'string' || !/^\/(?![/\\])[^\\\x00-\x1f\x7f]*$/.test(value)) return false;
  const parsed = new URL(value, 'http://shop.invalid');
  return parsed.origin === 'http://shop.invalid' && !parsed.pathname.startsWith('//');
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
