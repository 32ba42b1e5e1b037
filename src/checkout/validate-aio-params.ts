import type { EcpayEnvironment } from '../config/ecpay-options.interface.js';
import { type EcpayValidationIssue, excerpt } from '../errors/ecpay-validation.error.js';
import {
  AIO_AMOUNT_LIMITS,
  AIO_MAX_LENGTH,
  AIO_PAYMENT_METHODS,
  ALPHANUMERIC,
  CREDIT_INSTALLMENTS,
  OFFLINE_EXPIRY,
  PERIOD_BOUNDS,
  type AioPaymentMethod,
} from '../rules/index.js';
import { isEcpayDateTime } from '../time/ecpay-time.js';
import { checkEcpayUrl } from './ecpay-url-rules.js';
import type { AioParams } from './build-aio-params.js';
import { AIO_CHECKOUT_FIELDS, type AioCheckoutField } from './checkout-order.interface.js';
import { findWafTrigger } from './waf-rules.js';

const REQUIRED: readonly AioCheckoutField[] = [
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

const URL_FIELDS: readonly AioCheckoutField[] = [
  'ReturnURL',
  'OrderResultURL',
  'ClientBackURL',
  'ItemURL',
  'PeriodReturnURL',
  'PaymentInfoURL',
  'ClientRedirectURL',
];

/** URLs ECPay's servers call (not the browser): they must be reachable from the Internet in production. */
const SERVER_URL_FIELDS: ReadonlySet<AioCheckoutField> = new Set(['ReturnURL', 'PeriodReturnURL', 'PaymentInfoURL']);

// Checkout's public amount limits (exported from the package entry through here); the table itself lives with
// ECPay's other rules.
export { AIO_AMOUNT_LIMITS };

/** Which ChoosePayment values a channel-specific field belongs to. */
const CHANNEL_FIELDS: Partial<Record<AioCheckoutField, readonly AioPaymentMethod[]>> = {
  CreditInstallment: ['Credit', 'ALL'],
  Redeem: ['Credit', 'ALL'],
  UnionPay: ['Credit', 'ALL'],
  BindingCard: ['Credit', 'ALL'],
  MerchantMemberID: ['Credit', 'ALL'],
  PeriodAmount: ['Credit', 'ALL'],
  PeriodType: ['Credit', 'ALL'],
  Frequency: ['Credit', 'ALL'],
  ExecTimes: ['Credit', 'ALL'],
  PeriodReturnURL: ['Credit', 'ALL'],
  ExpireDate: ['ATM', 'ALL'],
  StoreExpireDate: ['CVS', 'BARCODE', 'ALL'],
  Desc_1: ['CVS', 'BARCODE', 'ALL'],
  Desc_2: ['CVS', 'BARCODE', 'ALL'],
  Desc_3: ['CVS', 'BARCODE', 'ALL'],
  Desc_4: ['CVS', 'BARCODE', 'ALL'],
  PaymentInfoURL: ['ATM', 'CVS', 'BARCODE', 'ALL'],
  ClientRedirectURL: ['ATM', 'CVS', 'BARCODE', 'ALL'],
  IgnorePayment: ['ALL'],
};

// ECPay's server is ASP.NET, whose request validation rejects "<" followed by a letter, "!", "/" or "?", and "&#":
// the same test catches every HTML tag ("<b>", "<script", "<!--") without flagging "a < b" or "I <3 tea".
const HTML_MARKUP = /<[a-z!/?]|&#/i;
// TradeDesc: "請勿帶入特殊字元". Letters and digits of any script, spaces and a few plain punctuation marks.
const TRADE_DESC_SPECIAL = /[^\p{L}\p{N}\p{M} ,.\-_()，。、（）]/gu;
const POSITIVE_INTEGER = /^[1-9][0-9]*$/;

/** Options of {@link validateAioParams}. */
export interface AioValidationOptions {
  readonly environment: EcpayEnvironment;
}

/**
 * Checks AioCheckOut/V5 fields against every rule ECPay documents (docs/protocol.md §5) and
 * returns all the problems found, in field order. An empty list means ECPay should accept the order.
 */
export function validateAioParams(params: AioParams, options: AioValidationOptions): EcpayValidationIssue[] {
  const issues: EcpayValidationIssue[] = [];
  const add = (field: string, rule: string, message: string, value?: string): void =>
    void issues.push(value === undefined ? { field, rule, message } : { field, rule, message, value: excerpt(value) });
  const has = (field: AioCheckoutField): boolean => params[field] !== undefined && params[field] !== '';
  const method = params.ChoosePayment as AioPaymentMethod | undefined;

  for (const field of Object.keys(params)) {
    if (!(AIO_CHECKOUT_FIELDS as readonly string[]).includes(field)) {
      const near = AIO_CHECKOUT_FIELDS.find((known) => similar(known, field));
      add(field, 'unknown-field', `is not an AioCheckOut/V5 parameter${near ? `; did you mean "${near}"?` : ''}`);
    }
  }
  for (const field of REQUIRED) if (!has(field)) add(field, 'required', 'is required');

  for (const [field, value] of Object.entries(params) as [AioCheckoutField, string][]) {
    const max: number | undefined = AIO_MAX_LENGTH[field];
    if (max !== undefined && [...value].length > max)
      add(field, 'max-length', `must be at most ${max} characters (got ${[...value].length})`, value);
    const markup = HTML_MARKUP.exec(value);
    if (markup)
      add(
        field,
        'html',
        'must not contain HTML tags (ECPay rejects them)',
        value.slice(markup.index, markup.index + 12),
      );
    const trigger = findWafTrigger(value);
    if (trigger !== undefined) {
      add(
        field,
        'waf-command',
        `contains "${trigger}", which ECPay's CDN blocks as a system command (error 10400011)`,
        trigger,
      );
    }
  }

  if (has('MerchantTradeNo') && !ALPHANUMERIC.test(params.MerchantTradeNo!)) {
    add('MerchantTradeNo', 'pattern', 'must contain only letters and digits', params.MerchantTradeNo);
  }
  if (has('MerchantTradeDate') && !isEcpayDateTime(params.MerchantTradeDate!)) {
    add('MerchantTradeDate', 'format', 'must be a date formatted yyyy/MM/dd HH:mm:ss', params.MerchantTradeDate);
  }
  if (has('PaymentType') && params.PaymentType !== 'aio')
    add('PaymentType', 'fixed', 'must be "aio"', params.PaymentType);
  if (has('EncryptType') && params.EncryptType !== '1')
    add('EncryptType', 'fixed', 'must be 1 (SHA256)', params.EncryptType);
  if (has('StoreID') && !ALPHANUMERIC.test(params.StoreID!))
    add('StoreID', 'pattern', 'must contain only letters and digits', params.StoreID);
  if (method !== undefined && !AIO_PAYMENT_METHODS.includes(method))
    add('ChoosePayment', 'enum', `must be one of ${AIO_PAYMENT_METHODS.join(', ')}`, method);

  checkAmount(params, method, add);
  if (has('TradeDesc')) {
    const special = [...new Set(params.TradeDesc!.match(TRADE_DESC_SPECIAL) ?? [])];
    if (special.length > 0) {
      add(
        'TradeDesc',
        'special-characters',
        `must not contain special characters (found ${special.map((c) => JSON.stringify(c)).join(' ')})`,
        params.TradeDesc,
      );
    }
  }
  for (const field of URL_FIELDS) if (has(field)) checkUrl(field, params[field]!, options, add);
  if (has('ReturnURL') && params.ReturnURL === params.OrderResultURL) {
    add(
      'OrderResultURL',
      'distinct',
      "must differ from ReturnURL (one is for ECPay's server, the other for the browser)",
    );
  }

  for (const [field, methods] of Object.entries(CHANNEL_FIELDS) as [AioCheckoutField, readonly AioPaymentMethod[]][]) {
    if (has(field) && method !== undefined && AIO_PAYMENT_METHODS.includes(method) && !methods.includes(method)) {
      add(field, 'not-applicable', `applies only to ChoosePayment ${methods.join(' or ')}, not ${method}`);
    }
  }
  checkCredit(params, add, has);
  checkOffline(params, method, add, has);
  checkEnums(params, add, has);
  return issues;
}

type Add = (field: string, rule: string, message: string, value?: string) => void;

function checkAmount(params: AioParams, method: AioPaymentMethod | undefined, add: Add): void {
  const text = params.TotalAmount;
  if (text === undefined || text === '') return;
  if (!POSITIVE_INTEGER.test(text)) {
    add('TotalAmount', 'integer', 'must be a positive integer amount of TWD (no decimals)', text);
    return;
  }
  const limits = method === undefined ? undefined : AIO_AMOUNT_LIMITS[method];
  const amount = Number(text);
  if (limits && (amount < limits[0] || amount > limits[1])) {
    add('TotalAmount', 'amount-range', `must be between ${limits[0]} and ${limits[1]} TWD for ${method}`, text);
  }
}

function checkCredit(params: AioParams, add: Add, has: (f: AioCheckoutField) => boolean): void {
  const periodicFields: AioCheckoutField[] = ['PeriodAmount', 'PeriodType', 'Frequency', 'ExecTimes'];
  const periodic = periodicFields.some(has);
  const installments = has('CreditInstallment');
  if (installments) {
    const bad = params.CreditInstallment!.split(',').filter((count) => !CREDIT_INSTALLMENTS.has(count.trim()));
    if (bad.length > 0)
      add(
        'CreditInstallment',
        'enum',
        'must be a comma-separated list of 3, 6, 12, 18, 24, 30 or 30N',
        params.CreditInstallment,
      );
  }
  if (installments && periodic)
    add(
      'CreditInstallment',
      'exclusive',
      'installments and periodic billing cannot be combined (docs/protocol.md §5.5)',
    );
  if (installments && params.Redeem === 'Y')
    add('Redeem', 'exclusive', 'bonus-point redemption cannot be combined with installments');
  // UnionPay cards take no installments, periodic billing or bonus points (docs/protocol.md §5.5); "2" only hides
  // UnionPay.
  if (has('UnionPay') && params.UnionPay !== '2') {
    for (const [active, what] of [
      [installments, 'installments'],
      [periodic, 'periodic billing'],
      [params.Redeem === 'Y', 'bonus-point redemption'],
    ] as const) {
      if (active) add('UnionPay', 'exclusive', `UnionPay cannot be combined with ${what}`);
    }
  }
  if (periodic) {
    for (const field of periodicFields)
      if (!has(field))
        add(
          field,
          'required',
          'is required for periodic billing (PeriodAmount, PeriodType, Frequency, ExecTimes go together)',
        );
    const bounds = PERIOD_BOUNDS[params.PeriodType ?? ''];
    if (has('PeriodType') && !bounds) add('PeriodType', 'enum', 'must be D, M or Y', params.PeriodType);
    if (has('PeriodAmount') && params.PeriodAmount !== params.TotalAmount) {
      add(
        'PeriodAmount',
        'equal',
        'must equal TotalAmount (ECPay charges this amount every period)',
        params.PeriodAmount,
      );
    }
    if (bounds) {
      checkRange(params, 'Frequency', 1, bounds.frequency, `for PeriodType ${params.PeriodType}`, add);
      checkRange(params, 'ExecTimes', 1, bounds.execTimes, `for PeriodType ${params.PeriodType}`, add);
    }
  }
  if (has('BindingCard') && !['0', '1'].includes(params.BindingCard!))
    add('BindingCard', 'enum', 'must be 0 or 1', params.BindingCard);
  if (params.BindingCard === '1' && !has('MerchantMemberID'))
    add('MerchantMemberID', 'required', 'is required when BindingCard is 1');
  if (has('MerchantMemberID') && !ALPHANUMERIC.test(params.MerchantMemberID!)) {
    add('MerchantMemberID', 'pattern', 'must contain only letters and digits', params.MerchantMemberID);
  }
}

function checkOffline(
  params: AioParams,
  method: AioPaymentMethod | undefined,
  add: Add,
  has: (f: AioCheckoutField) => boolean,
): void {
  if (has('ExpireDate')) checkRange(params, 'ExpireDate', 1, OFFLINE_EXPIRY.atmDays, 'days', add);
  if (has('StoreExpireDate')) {
    if (method === 'CVS') checkRange(params, 'StoreExpireDate', 1, OFFLINE_EXPIRY.cvsMinutes, 'minutes for CVS', add);
    else if (method === 'BARCODE')
      checkRange(params, 'StoreExpireDate', 1, OFFLINE_EXPIRY.barcodeDays, 'days for BARCODE', add);
    else if (!POSITIVE_INTEGER.test(params.StoreExpireDate!))
      add('StoreExpireDate', 'integer', 'must be a positive integer', params.StoreExpireDate);
  }
  if (has('IgnorePayment')) {
    const unknown = params
      .IgnorePayment!.split('#')
      .filter((name) => !AIO_PAYMENT_METHODS.includes(name as AioPaymentMethod) || name === 'ALL');
    if (unknown.length > 0)
      add(
        'IgnorePayment',
        'enum',
        `must be "#"-separated payment methods (unknown: ${unknown.join(', ')})`,
        params.IgnorePayment,
      );
  }
}

function checkEnums(params: AioParams, add: Add, has: (f: AioCheckoutField) => boolean): void {
  const enums: [AioCheckoutField, readonly string[]][] = [
    ['NeedExtraPaidInfo', ['Y', 'N']],
    ['Redeem', ['Y', 'N']],
    ['UnionPay', ['0', '1', '2']],
    ['Language', ['ENG', 'KOR', 'JPN', 'CHI']],
  ];
  for (const [field, allowed] of enums) {
    if (has(field) && !allowed.includes(params[field]!))
      add(field, 'enum', `must be one of ${allowed.join(', ')}`, params[field]);
  }
}

function checkRange(
  params: AioParams,
  field: AioCheckoutField,
  min: number,
  max: number,
  unit: string,
  add: Add,
): void {
  const text = params[field];
  if (text === undefined || text === '') return;
  const value = Number(text);
  if (!POSITIVE_INTEGER.test(text) || value < min || value > max)
    add(field, 'range', `must be an integer from ${min} to ${max} ${unit}`, text);
}

function checkUrl(field: AioCheckoutField, value: string, options: AioValidationOptions, add: Add): void {
  const url = checkEcpayUrl(value, (rule, message, excerpt) => add(field, rule, message, excerpt));
  if (!url) return;
  // ECPay only calls ports 80 and 443 (docs/protocol.md §5.6); the URL parser drops them when they are the default.
  // The local sandbox stands in for ECPay on this machine, where the shop runs on a port of its own.
  if (url.port !== '' && url.port !== '80' && url.port !== '443' && options.environment !== 'sandbox') {
    add(field, 'url-port', `must not name port ${url.port}: ECPay only uses 80 and 443`, value);
  }
  if (options.environment === 'production' && SERVER_URL_FIELDS.has(field) && isPrivateHost(url.hostname)) {
    add(field, 'url-unreachable', `points at ${url.hostname}, which ECPay's servers cannot reach`, value);
  }
}

function isPrivateHost(host: string): boolean {
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host.endsWith('.local') ||
    host === '[::1]' ||
    /^(?:127|10)\.|^192\.168\.|^172\.(?:1[6-9]|2\d|3[01])\.|^169\.254\.|^0\./.test(host)
  );
}

/** Same letters ignoring case, or one edit apart: enough to suggest "BindingCard" for "BidingCard". */
function similar(known: string, given: string): boolean {
  const a = known.toLowerCase();
  const b = given.toLowerCase();
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return a.slice(i + 1) === b.slice(i + 1) || a.slice(i + 1) === b.slice(i) || a.slice(i) === b.slice(i + 1);
}
