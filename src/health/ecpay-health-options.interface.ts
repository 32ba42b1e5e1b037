import { EcpayConfigError, type EcpayConfigIssue } from '../errors/ecpay-config.error.js';

/**
 * When the ECPay health indicator reports `degraded` (still serving, but something needs a look). Only an
 * unreachable database makes it `down`: without it no notification can be stored, so none may be acknowledged.
 *
 * @publicApi
 */
export interface EcpayHealthOptions {
  /** How long the oldest event may wait for its handlers before it is a problem (default 5 minutes). */
  maxPendingAgeMs?: number;
  /** How many events may be parked (`failed`, waiting for a re-drive) before it is a problem (default 0). */
  maxParkedEvents?: number;
  /** How many events may be in retry after a handler failed before it is a problem (default 0). */
  maxRetryingEvents?: number;
  /** The window over which refused notifications (bad CheckMacValue, malformed…) are counted (default 15 minutes). */
  rejectionWindowMs?: number;
  /** How many refused notifications the window may hold before it is a problem (default 5). */
  maxRejections?: number;
  /** How long the database has to answer `SELECT 1` before it counts as unreachable (default 3 seconds). */
  databaseTimeoutMs?: number;
}

export type ResolvedEcpayHealthOptions = Required<EcpayHealthOptions>;

export const ECPAY_HEALTH_DEFAULTS: ResolvedEcpayHealthOptions = {
  maxPendingAgeMs: 5 * 60_000,
  maxParkedEvents: 0,
  maxRetryingEvents: 0,
  rejectionWindowMs: 15 * 60_000,
  maxRejections: 5,
  databaseTimeoutMs: 3_000,
};

/**
 * The thresholds with their defaults, checked: each a whole number of at least 0 (a window or timeout at least 1),
 * so a typo stops start-up instead of making the indicator always or never degraded.
 */
export function resolveEcpayHealthOptions(options: EcpayHealthOptions = {}): ResolvedEcpayHealthOptions {
  const resolved = { ...ECPAY_HEALTH_DEFAULTS, ...options };
  const issues: EcpayConfigIssue[] = [];
  for (const [name, value] of Object.entries(resolved) as [keyof ResolvedEcpayHealthOptions, unknown][]) {
    const least = name === 'rejectionWindowMs' || name === 'databaseTimeoutMs' ? 1 : 0;
    if (!(Number.isSafeInteger(value) && (value as number) >= least))
      issues.push({ option: `health.${name}`, message: `must be a whole number of at least ${least}` });
  }
  if (issues.length > 0) throw new EcpayConfigError(issues);
  return resolved;
}

export { ECPAY_HEALTH_OPTIONS, InjectEcpayHealthOptions } from '../tokens/ecpay.tokens.js';
