import { EcpayError } from './ecpay.error.js';

/**
 * One broken rule: the field (ECPay's parameter name, or the input path such as `items[1].price`), a stable rule code,
 * a message.
 *
 * @publicApi
 */
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
        issues
          .map(
            (issue) =>
              `  - ${issue.field} (${issue.rule}): ${issue.message}${issue.value === undefined ? '' : ` [${JSON.stringify(issue.value)}]`}`,
          )
          .join('\n'),
    );
  }
}

/**
 * At most 40 characters of a value, for error messages. The user name and password of a URL (`https://user:pw@…`)
 * are never quoted: they become `***`, before the value is cut, whatever rule the value broke.
 */
export const excerpt = (value: string): string => {
  const shown = withoutUrlUserinfo(value);
  return shown.length > 40 ? `${shown.slice(0, 37)}...` : shown;
};

/**
 * `value` with the userinfo of a URL (everything between `//` and the last `@` before the path, query or fragment)
 * replaced by `***`; text that does not start like a URL (`scheme://` or `//`) is returned as it is. Works on text
 * that does not parse as a URL too, which is exactly when a validation message would quote it.
 */
export const withoutUrlUserinfo = (value: string): string =>
  value.replace(/^((?:[A-Za-z][A-Za-z0-9+.-]*:)?[/\\]{2})[^/?#]*@/, '$1***@');
