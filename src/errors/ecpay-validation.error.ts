import { EcpayError } from './ecpay.error.js';

/** One broken rule: the field (ECPay's parameter name, or the input path such as `items[1].price`), a stable rule code, a message. @publicApi */
export interface EcpayValidationIssue {
  readonly field: string;
  /** A stable, machine-readable rule name such as `required`, `max-length`, `waf-command`. */
  readonly rule: string;
  readonly message: string;
  /** An excerpt of the offending value (at most 40 characters), when it helps to see it. */
  readonly value?: string;
}

/**
 * Thrown before anything is persisted or sent when a request breaks ECPay's rules. Lists every problem at once.
 *
 * @publicApi
 */
export class EcpayValidationError extends EcpayError {
  readonly code = 'ECPAY_VALIDATION_FAILED';

  constructor(readonly issues: readonly EcpayValidationIssue[]) {
    super(
      `The ECPay request breaks ${issues.length} rule${issues.length === 1 ? '' : 's'}:\n` +
        issues.map((issue) => `  - ${issue.field} (${issue.rule}): ${issue.message}${issue.value === undefined ? '' : ` [${JSON.stringify(issue.value)}]`}`).join('\n'),
    );
  }
}

/** At most 40 characters of a value, for error messages. */
export const excerpt = (value: string): string => (value.length > 40 ? `${value.slice(0, 37)}...` : value);
