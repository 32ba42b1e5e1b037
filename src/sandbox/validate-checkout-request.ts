import { verifyCheckMacValue } from '../signing/check-mac-value.js';
import { isEcpayDateTime } from '../time/ecpay-time.js';
import type { EcpaySandboxMerchant } from './ecpay-sandbox-options.interface.js';
import { SANDBOX_RTN, type SandboxRtn } from './sandbox-rtn-codes.js';

/**
 * ECPay's checks of an AioCheckOut/V5 request, written from ECPay's documentation (docs/protocol.md §5 and
 * §8) independently of the library's pre-flight validator, so the sandbox can catch what the library lets through.
 * ECPay stops at the first problem and shows one message; so does this.
 */

const REQUIRED = ['MerchantID', 'MerchantTradeNo', 'MerchantTradeDate', 'PaymentType', 'TotalAmount', 'TradeDesc', 'ItemName', 'ReturnURL', 'ChoosePayment', 'EncryptType'];

/** String(n) limits of docs/protocol.md §5.1, counted in characters. */
const MAX_LENGTH: Record<string, number> = {
  MerchantID: 10, MerchantTradeNo: 20, MerchantTradeDate: 20, PaymentType: 20, TradeDesc: 200, ItemName: 400, ReturnURL: 200,
  ChoosePayment: 20, StoreID: 20, ClientBackURL: 200, ItemURL: 200, Remark: 100, ChooseSubPayment: 20, OrderResultURL: 200,
  NeedExtraPaidInfo: 1, IgnorePayment: 100, PlatformID: 10, CustomField1: 50, CustomField2: 50, CustomField3: 50, CustomField4: 50,
  Language: 3, MerchantMemberID: 30, Redeem: 1, PeriodReturnURL: 200, PaymentInfoURL: 200, ClientRedirectURL: 200, PeriodType: 1,
  Desc_1: 20, Desc_2: 20, Desc_3: 20, Desc_4: 20,
};

export const SANDBOX_METHODS = ['ALL', 'Credit', 'WebATM', 'ATM', 'CVS', 'BARCODE', 'ApplePay', 'TWQR', 'BNPL'] as const;
const URL_FIELDS = ['ReturnURL', 'OrderResultURL', 'ClientBackURL', 'PeriodReturnURL', 'PaymentInfoURL', 'ClientRedirectURL'];
const PERIOD_FIELDS = ['PeriodAmount', 'PeriodType', 'Frequency', 'ExecTimes'];
const PERIOD_BOUNDS: Record<string, { frequency: number; execTimes: number }> = {
  D: { frequency: 365, execTimes: 999 },
  M: { frequency: 12, execTimes: 99 },
  Y: { frequency: 1, execTimes: 9 },
};
const INSTALLMENTS = /^(?:3|6|12|18|24|30N?)(?:,(?:3|6|12|18|24|30N?))*$/;
const POSITIVE_INTEGER = /^[1-9][0-9]*$/;

/** The merchant whose keys signed the request (the platform's when PlatformID is given, docs/protocol.md §1.2), or ECPay's error. */
export function validateCheckoutRequest(
  fields: Readonly<Record<string, string>>,
  merchantOf: (merchantId: string | undefined) => EcpaySandboxMerchant | undefined,
): { merchant: EcpaySandboxMerchant } | { error: SandboxRtn } {
  const merchant = merchantOf(fields.MerchantID);
  if (!merchant) return { error: fields.MerchantID ? SANDBOX_RTN.unknownMerchant : SANDBOX_RTN.parameter('MerchantID is required.') };
  const signer = fields.PlatformID ? merchantOf(fields.PlatformID) : merchant;
  if (!signer) return { error: SANDBOX_RTN.unknownMerchant };
  if (!verifyCheckMacValue(fields, signer, 'sha256')) return { error: SANDBOX_RTN.checkMac };
  const problem = parameterProblem(fields);
  return problem ? { error: SANDBOX_RTN.parameter(problem) } : { merchant };
}

function parameterProblem(fields: Readonly<Record<string, string>>): string | undefined {
  const has = (name: string): boolean => fields[name] !== undefined && fields[name] !== '';
  for (const name of REQUIRED) if (!has(name)) return `${name} is required.`;
  for (const [name, max] of Object.entries(MAX_LENGTH)) {
    if (has(name) && [...fields[name]!].length > max) return `${name} is longer than ${max} characters.`;
  }
  if (!/^[A-Za-z0-9]+$/.test(fields.MerchantTradeNo!)) return 'MerchantTradeNo must contain only letters and digits.';
  if (!isEcpayDateTime(fields.MerchantTradeDate!)) return 'MerchantTradeDate must be yyyy/MM/dd HH:mm:ss.';
  if (fields.PaymentType !== 'aio') return 'PaymentType must be aio.';
  if (fields.EncryptType !== '1') return 'EncryptType must be 1.';
  if (!POSITIVE_INTEGER.test(fields.TotalAmount!)) return 'TotalAmount must be a positive integer.';
  if (!(SANDBOX_METHODS as readonly string[]).includes(fields.ChoosePayment!)) return 'ChoosePayment is not a payment method.';
  // docs/protocol.md §5.7: no HTML tags in any value.
  for (const [name, value] of Object.entries(fields)) if (/<[a-z!/?]/i.test(value)) return `${name} must not contain HTML tags.`;
  for (const name of URL_FIELDS) if (has(name) && !isHttpUrl(fields[name]!)) return `${name} must be an http(s) URL.`;
  return periodProblem(fields, has) ?? (has('CreditInstallment') && !INSTALLMENTS.test(fields.CreditInstallment!) ? 'CreditInstallment is not a list of 3, 6, 12, 18, 24, 30N.' : undefined);
}

function periodProblem(fields: Readonly<Record<string, string>>, has: (name: string) => boolean): string | undefined {
  if (!PERIOD_FIELDS.some(has)) return undefined;
  for (const name of PERIOD_FIELDS) if (!has(name)) return `${name} is required for periodic payments.`;
  // docs/protocol.md §5.5: periodic billing and installments cannot be set at the same time.
  if (has('CreditInstallment')) return 'CreditInstallment cannot be combined with periodic payments.';
  if (fields.PeriodAmount !== fields.TotalAmount) return 'PeriodAmount must equal TotalAmount.';
  const bounds = PERIOD_BOUNDS[fields.PeriodType!];
  if (!bounds) return 'PeriodType must be D, M or Y.';
  if (!inRange(fields.Frequency!, bounds.frequency)) return `Frequency must be 1 to ${bounds.frequency} for PeriodType ${fields.PeriodType}.`;
  if (!inRange(fields.ExecTimes!, bounds.execTimes)) return `ExecTimes must be 1 to ${bounds.execTimes} for PeriodType ${fields.PeriodType}.`;
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
