import { EcpayConfigError, type EcpayConfigIssue } from '../errors/ecpay-config.error.js';
import { HASH_KEY_LENGTH, MERCHANT_ID_PATTERN } from '../rules/index.js';
import { systemClock } from '../time/ecpay-clock.js';
import { ECPAY_SANDBOX_DEFAULT_RETRY_SCHEDULE, ECPAY_SANDBOX_STAGE_MERCHANT } from './ecpay-sandbox.constants.js';
import type {
  EcpaySandboxFaults,
  EcpaySandboxOptions,
  ResolvedEcpaySandboxOptions,
} from './ecpay-sandbox-options.interface.js';

/** Applies the defaults and refuses options that would make the sandbox misbehave silently. */
export function resolveSandboxOptions(options: EcpaySandboxOptions = {}): ResolvedEcpaySandboxOptions {
  const issues: EcpayConfigIssue[] = [];
  const merchants = options.merchants ?? [ECPAY_SANDBOX_STAGE_MERCHANT];
  if (merchants.length === 0) issues.push({ option: 'sandbox.merchants', message: 'must name at least one merchant' });
  const seen = new Set<string>();
  merchants.forEach((merchant, index) => {
    if (!MERCHANT_ID_PATTERN.test(merchant?.merchantId ?? '')) {
      issues.push({ option: `sandbox.merchants[${index}].merchantId`, message: 'must be 1–10 letters or digits' });
    }
    if (seen.has(merchant?.merchantId))
      issues.push({ option: `sandbox.merchants[${index}].merchantId`, message: 'is listed twice' });
    seen.add(merchant?.merchantId);
    for (const key of ['hashKey', 'hashIv'] as const) {
      if (typeof merchant?.[key] !== 'string' || merchant[key].length !== HASH_KEY_LENGTH) {
        issues.push({
          option: `sandbox.merchants[${index}].${key}`,
          message: `must be exactly ${HASH_KEY_LENGTH} characters`,
        });
      }
    }
  });
  const prefix = normalizePrefix(options.prefix ?? '');
  if (prefix === undefined)
    issues.push({
      option: 'sandbox.prefix',
      message: 'must be a path such as "/ecpay-sandbox" (letters, digits, - _ . /)',
    });
  const retrySchedule = options.retrySchedule ?? ECPAY_SANDBOX_DEFAULT_RETRY_SCHEDULE;
  if (!Array.isArray(retrySchedule) || !retrySchedule.every(isDelay)) {
    issues.push({ option: 'sandbox.retrySchedule', message: 'must be a list of non-negative millisecond delays' });
  }
  const timeout = options.notificationTimeoutMs ?? 10_000;
  if (!isDelay(timeout) || timeout === 0)
    issues.push({ option: 'sandbox.notificationTimeoutMs', message: 'must be a positive number of milliseconds' });
  const faultIssue = checkFaults(options.faults ?? {});
  if (faultIssue) issues.push({ option: 'sandbox.faults', message: faultIssue });
  if (issues.length > 0) throw new EcpayConfigError(issues);
  return {
    merchants: merchants.map((m) => ({ merchantId: m.merchantId, hashKey: m.hashKey, hashIv: m.hashIv })),
    prefix: prefix!,
    retrySchedule: [...retrySchedule],
    clock: options.clock ?? systemClock,
    faults: { ...options.faults },
    notificationTimeoutMs: timeout,
    autoClose: options.autoClose ?? true,
  };
}

/** `''`, or `/a/b` without a trailing slash; `undefined` when it is not a plain path. */
function normalizePrefix(prefix: string): string | undefined {
  if (typeof prefix !== 'string') return undefined;
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return '';
  return /^[A-Za-z0-9\-_.]+(?:\/[A-Za-z0-9\-_.]+)*$/.test(trimmed) ? `/${trimmed}` : undefined;
}

const isDelay = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/** Why a set of faults is unusable, or `undefined`. Shared by forRoot and the runtime control API. */
export function checkFaults(faults: unknown): string | undefined {
  if (typeof faults !== 'object' || faults === null || Array.isArray(faults)) return 'must be an object';
  const known: Record<keyof EcpaySandboxFaults, 'boolean' | 'count'> = {
    rateLimit: 'boolean',
    serverError: 'boolean',
    delayMs: 'count',
    dropNotifications: 'count',
    duplicateNotifications: 'boolean',
  };
  for (const [name, value] of Object.entries(faults)) {
    const kind = known[name as keyof EcpaySandboxFaults];
    if (!kind) return `has an unknown fault "${name}" (known: ${Object.keys(known).join(', ')})`;
    if (value === undefined) continue;
    if (kind === 'boolean' && typeof value !== 'boolean') return `${name} must be true or false`;
    if (kind === 'count' && !(Number.isSafeInteger(value) && (value as number) >= 0))
      return `${name} must be a non-negative integer`;
  }
  return undefined;
}
