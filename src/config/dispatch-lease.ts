import type { EcpayConfigIssue } from '../errors/ecpay-config.error.js';

/** How long an instance holds a claimed event by default (`dispatch.leaseMs`). */
export const DEFAULT_LEASE_MS = 120_000;

/**
 * How much longer than one handler's timeout a lease must be: room for the writes around the handler (renewing the
 * lease, recording the outcome) and for clock steps. A quarter of the timeout, at least 200 ms.
 */
export const leaseMarginMs = (handlerTimeoutMs: number): number => Math.max(200, Math.ceil(handlerTimeoutMs / 4));

/** The issue with a lease that does not outlive one handler's timeout with its margin, or undefined. */
export function leaseIssue(leaseMs: number, handlerTimeoutMs: number): EcpayConfigIssue | undefined {
  const needed = handlerTimeoutMs + leaseMarginMs(handlerTimeoutMs);
  return leaseMs >= needed
    ? undefined
    : {
        option: 'dispatch.leaseMs',
        message:
          `must be at least ${needed} ms: the handlers' timeout (${handlerTimeoutMs} ms) plus a margin of ${leaseMarginMs(handlerTimeoutMs)} ms, ` +
          `or another instance could take over an event whose handler is still running (got ${leaseMs})`,
      };
}
