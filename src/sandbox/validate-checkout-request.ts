import {
  AIO_MAX_LENGTH,
  AIO_PAYMENT_METHODS,
  ALPHANUMERIC,
  CREDIT_INSTALLMENTS,
  PERIOD_BOUNDS,
} from '../rules/index.js';
import { verifyCheckMacValue } from '../signing/check-mac-value.js';
import { isEcpayDateTime } from '../time/ecpay-time.js';
import type { EcpaySandboxMerchant } from './ecpay-sandbox-options.interface.js';
import { SANDBOX_RTN, type SandboxRtn } from './sandbox-rtn-codes.js';

/**
 * ECPay's checks of an AioCheckOut/V5 request (docs/protocol.md, AioCheckOut), written independently of the
 * library's pre-flight validator so the sandbox can catch what the library lets through. Only ECPay's rule tables
 * (lengths, methods, periodic bounds, installments) are shared with it, from src/rules: they are ECPay's data, not
 * either side's logic. ECPay stops at the first problem and shows one message; so does this.
 */

const REQUIRED = [
  'MerchantID',
  'MerchantTradeNo',
  'MerchantTradeDate',
  'PaymentType',
  'TotalAmount',
  'TradeDesc',
  'ItemName',
  'ReturnURL',
  'ChoosePayment',
  'EncryptType',
];

const URL_FIELDS = [
  'ReturnURL',
  'OrderResultURL',
  'ClientBackURL',
  'PeriodReturnURL',
  'PaymentInfoURL',
  'ClientRedirectURL',
];
const PERIOD_FIELDS = ['PeriodAmount', 'PeriodType', 'Frequency', 'ExecTimes'];
const POSITIVE_INTEGER = /^[1-9][0-9]*$/;

/**
 * The merchant whose keys signed the request (the platform's when PlatformID is given, docs/protocol.md §1.2), or
 * ECPay's error.
 */
export function validateCheckoutRequest(
  fields: Readonly<Record<string, string>>,
  merchantOf: (merchantId: string | undefined) => EcpaySandboxMerchant | undefined,
): { merchant: EcpaySandboxMerchant } | { error: SandboxRtn } {
  const merchant = merchantOf(fields.MerchantID);
  if (!merchant)
    return {
      error: fields.MerchantID ? SANDBOX_RTN.unknownMerchant : SANDBOX_RTN.parameter('MerchantID is required.'),
    };
  const signer = fields.PlatformID ? merchantOf(fields.PlatformID) : merchant;
  if (!signer) return { error: SANDBOX_RTN.unknownMerchant };
  if (!verifyCheckMacValue(fields, signer, 'sha256')) return { error: SANDBOX_RTN.checkMac };
  const problem = parameterProblem(fields);
  return problem ? { error: SANDBOX_RTN.parameter(problem) } : { merchant };
}

function parameterProblem(fields: Readonly<Record<string, string>>): string | undefined {
  const has = (name: string): boolean => fields[name] !== undefined && fields[name] !== '';
  for (const name of REQUIRED) if (!has(name)) return `${name} is required.`;
  for (const [name, max] of Object.entries(AIO_MAX_LENGTH)) {
    if (has(name) && [...fields[name]!].length > max) return `${name} is longer than ${max} characters.`;
  }
  if (!ALPHANUMERIC.test(fields.MerchantTradeNo!)) return 'MerchantTradeNo must contain only letters and digits.';
  if (!isEcpayDateTime(fields.MerchantTradeDate!)) return 'MerchantTradeDate must be yyyy/MM/dd HH:mm:ss.';
  if (fields.PaymentType !== 'aio') return 'PaymentType must be aio.';
  if (fields.EncryptType !== '1') return 'EncryptType must be 1.';
  if (!POSITIVE_INTEGER.test(fields.TotalAmount!)) return 'TotalAmount must be a positive integer.';
  if (!(AIO_PAYMENT_METHODS as readonly string[]).includes(fields.ChoosePayment!))
    return 'ChoosePayment is not a payment method.';
  // ECPay's general rules forbid HTML tags in any value (docs/protocol.md §5.7).
  for (const [name, value] of Object.entries(fields))
    if (/<[a-z!/?]/i.test(value)) return `${name} must not contain HTML tags.`;
  for (const name of URL_FIELDS) if (has(name) && !isHttpUrl(fields[name]!)) return `${name} must be an http(s) URL.`;
  const installments =
    has('CreditInstallment') && fields.CreditInstallment!.split(',').every((count) => CREDIT_INSTALLMENTS.has(count));
  return (
    periodProblem(fields, has) ??
    (has('CreditInstallment') && !installments
      ? 'CreditInstallment is not a list of 3, 6, 12, 18, 24, 30N.'
      : undefined)
  );
}

function periodProblem(fields: Readonly<Record<string, string>>, has: (name: string) => boolean): string | undefined {
  if (!PERIOD_FIELDS.some(has)) return undefined;
  for (const name of PERIOD_FIELDS) if (!has(name)) return `${name} is required for periodic payments.`;
  // docs/protocol.md §5.5: periodic billing and installments cannot be set at the same time.
  if (has('CreditInstallment')) return 'CreditInstallment cannot be combined with periodic payments.';
  if (fields.PeriodAmount !== fields.TotalAmount) return 'PeriodAmount must equal TotalAmount.';
  const bounds = PERIOD_BOUNDS[fields.PeriodType!];
  if (!bounds) return 'PeriodType must be D, M or Y.';
  if (!inRange(fields.Frequency!, bounds.frequency))
    return `Frequency must be 1 to ${bounds.frequency} for PeriodType ${fields.PeriodType}.`;
  if (!inRange(fields.ExecTimes!, bounds.execTimes))
    return `ExecTimes must be 1 to ${bounds.execTimes} for PeriodType ${fields.PeriodType}.`;
  return undefined;
}

const inRange = (text: string, max: number): boolean => POSITIVE_INTEGER.test(text) && Number(text) <= max;

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
