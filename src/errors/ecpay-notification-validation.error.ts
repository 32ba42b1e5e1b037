import { EcpayError } from './ecpay.error.js';

/** One field of a notification that does not fit its schema, with the rules it broke (never its value). @publicApi */
export interface EcpayNotificationIssue {
  readonly field: string;
  readonly messages: readonly string[];
}

/**
 * Thrown by `normalizeNotification` when a notification whose MAC was verified does not fit its schema (e.g.
 * `TradeAmt=abc`). ECPay signed it, so it is no attack, but it cannot be applied: answer `0|Malformed body` (HTTP
 * 400; {@link EcpayCallbackExceptionFilter} does) and look into it — ECPay retries, and the trade can be queried.
 * The message names the fields and rules, never the values.
 *
 * @publicApi
 */
export class EcpayNotificationValidationError extends EcpayError {
  readonly code = 'ECPAY_NOTIFICATION_INVALID';

  constructor(
    /** Which notification schema was applied, e.g. `aio-return`. */
    readonly kind: string,
    readonly issues: readonly EcpayNotificationIssue[],
  ) {
    super(
      `ECPay ${kind} notification does not fit its schema: ` +
        issues.map((issue) => `${issue.field} (${issue.messages.join('; ')})`).join(', '),
    );
  }
}
