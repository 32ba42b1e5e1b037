import { EcpayValidationError, type EcpayValidationIssue } from '../errors/ecpay-validation.error.js';
import { MERCHANT_TRADE_NO_PATTERN } from '../rules/index.js';

// The client checks its inputs before anything is sent, so a typo is a validation error, never a call ECPay refuses.
export const DIGITS = /^\d{1,20}$/;
export const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Throws one {@link EcpayValidationError} listing every problem; returns `value` (typed) otherwise. */
export function checked<T>(api: string, issues: (EcpayValidationIssue | undefined)[], value?: T): T {
  const found = issues.filter((issue): issue is EcpayValidationIssue => issue !== undefined);
  if (found.length > 0)
    throw new EcpayValidationError(found.map((issue) => ({ ...issue, message: `${api}: ${issue.message}` })));
  return value as T;
}

export const tradeNoIssue = (value: unknown): EcpayValidationIssue | undefined =>
  typeof value === 'string' && MERCHANT_TRADE_NO_PATTERN.test(value)
    ? undefined
    : { field: 'MerchantTradeNo', rule: 'format', message: 'must be 1–20 letters and digits' };

export const positiveInt = (value: unknown, field: string): EcpayValidationIssue | undefined =>
  Number.isSafeInteger(value) && (value as number) >= 1
    ? undefined
    : { field, rule: 'integer', message: 'must be a whole number of TWD of at least 1' };
