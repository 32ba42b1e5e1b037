import { DEFAULT_ECPAY_CALLBACK_ROUTES, type EcpayCallbackRoutes } from '../config/ecpay-callback-routes.js';
import type { EcpayMerchant } from '../config/ecpay-merchant.js';
import { type EcpayValidationIssue, excerpt } from '../errors/ecpay-validation.error.js';
import { formatEcpayDateTime } from '../time/ecpay-time.js';
import type {
  AioCheckoutField,
  EcpayCheckoutOrder,
  EcpayCreditOptions,
  EcpayPaymentChoice,
  EcpayUnionPayOption,
} from './checkout-order.interface.js';

/** What the builder needs besides the order. */
export interface AioBuildContext {
  readonly merchant: EcpayMerchant;
  readonly now: Date;
  readonly merchantTradeNo: string;
  /** Base URL of the app as ECPay reaches it; the default notification URLs hang off it. */
  readonly publicUrl?: string;
  /** The library's notification routes (default: under `/ecpay`). */
  readonly routes?: EcpayCallbackRoutes;
}

/** The AioCheckOut/V5 fields, as the strings that will be signed and posted. */
export type AioParams = Partial<Record<AioCheckoutField, string>>;

/** The callback paths with the default prefix, served by the library's controller. @publicApi */
export const DEFAULT_CALLBACK_PATHS = {
  returnUrl: DEFAULT_ECPAY_CALLBACK_ROUTES.path('return'),
  periodReturnUrl: DEFAULT_ECPAY_CALLBACK_ROUTES.path('periodReturn'),
  paymentInfoUrl: DEFAULT_ECPAY_CALLBACK_ROUTES.path('paymentInfo'),
} as const;

const UNION_PAY: Record<EcpayUnionPayOption, string> = { choose: '0', only: '1', hide: '2' };

/**
 * Turns an order into AioCheckOut/V5 fields. Problems only the input can show (a `#` in an item's name, a price that
 * is not an integer, a total that does not match) are returned as issues; everything else is checked afterwards on
 * the fields themselves by `validateAioParams`, so a field set through `order.aio` gets exactly the same checks.
 */
export function buildAioParams(
  order: EcpayCheckoutOrder,
  context: AioBuildContext,
): { params: AioParams; issues: EcpayValidationIssue[] } {
  const issues: EcpayValidationIssue[] = [];
  const { merchant } = context;
  const total = itemsTotal(order, issues);
  const defaults = callbackDefaults(context.publicUrl, context.routes);

  const params: AioParams = {
    MerchantID: merchant.merchantId,
    MerchantTradeNo: context.merchantTradeNo,
    MerchantTradeDate: formatEcpayDateTime(context.now),
    PaymentType: 'aio',
    TotalAmount: total === undefined ? undefined : String(total),
    TradeDesc: order.description,
    ItemName: itemName(order, issues),
    ReturnURL: order.returnUrl ?? defaults?.returnUrl,
    ChoosePayment: order.payment?.method,
    EncryptType: '1',
    PlatformID: merchant.platformId,
    StoreID: order.storeId,
    ClientBackURL: order.clientBackUrl,
    ItemURL: order.itemUrl,
    Remark: order.remark,
    OrderResultURL: order.orderResultUrl,
    Language: order.language,
    NeedExtraPaidInfo: order.needExtraPaidInfo === undefined ? undefined : order.needExtraPaidInfo ? 'Y' : 'N',
  };
  (order.customFields ?? []).forEach((value, index) => {
    if (index < 4 && value !== undefined) params[`CustomField${index + 1}` as AioCheckoutField] = value;
    else if (value !== undefined)
      issues.push({
        field: `customFields[${index}]`,
        rule: 'max-items',
        message: 'ECPay has four custom fields (CustomField1..4)',
      });
  });

  Object.assign(params, paymentParams(order.payment, merchant, total, defaults));
  for (const [name, value] of Object.entries(order.aio ?? {})) {
    params[name as AioCheckoutField] = value === undefined || value === null ? undefined : String(value);
  }
  return { params: normalize(params), issues };
}

function paymentParams(
  payment: EcpayPaymentChoice | undefined,
  merchant: EcpayMerchant,
  total: number | undefined,
  defaults: ReturnType<typeof callbackDefaults>,
): AioParams {
  if (!payment) return {};
  switch (payment.method) {
    case 'Credit':
      return creditParams(payment, merchant, total, defaults);
    case 'ATM':
      return {
        ExpireDate: optionalNumber(payment.expireDays),
        PaymentInfoURL: payment.paymentInfoUrl ?? defaults?.paymentInfoUrl,
        ClientRedirectURL: payment.clientRedirectUrl,
        ChooseSubPayment: payment.subPayment,
      };
    case 'CVS':
    case 'BARCODE':
      return {
        StoreExpireDate: optionalNumber(payment.method === 'CVS' ? payment.expireMinutes : payment.expireDays),
        ...descriptionParams(payment.descriptions),
        PaymentInfoURL: payment.paymentInfoUrl ?? defaults?.paymentInfoUrl,
        ClientRedirectURL: payment.clientRedirectUrl,
        ChooseSubPayment: payment.subPayment,
      };
    case 'ALL':
      return {
        IgnorePayment: payment.ignore?.length ? payment.ignore.join('#') : undefined,
        ...(payment.credit ? creditParams(payment.credit, merchant, total, defaults) : {}),
        ExpireDate: optionalNumber(payment.atm?.expireDays),
        ...descriptionParams(payment.cvs?.descriptions ?? payment.barcode?.descriptions),
        PaymentInfoURL: payment.paymentInfoUrl ?? defaults?.paymentInfoUrl,
        ClientRedirectURL: payment.clientRedirectUrl,
      };
    default:
      return {};
  }
}

function creditParams(
  credit: EcpayCreditOptions,
  merchant: EcpayMerchant,
  total: number | undefined,
  defaults: ReturnType<typeof callbackDefaults>,
): AioParams {
  const periodic = credit.periodic;
  return {
    CreditInstallment: credit.installments?.length ? credit.installments.join(',') : undefined,
    Redeem: credit.redeem === undefined ? undefined : credit.redeem ? 'Y' : 'N',
    UnionPay: credit.unionPay === undefined ? undefined : UNION_PAY[credit.unionPay],
    BindingCard: credit.bindCard ? '1' : undefined,
    // ECPay identifies a remembered card by MerchantID + the shop's own member id (docs/protocol.md §5.5).
    MerchantMemberID: credit.bindCard ? `${merchant.merchantId}${credit.bindCard.memberId}` : undefined,
    // ECPay charges PeriodAmount each period and requires it to equal TotalAmount.
    PeriodAmount: periodic && total !== undefined ? String(total) : undefined,
    PeriodType: periodic?.periodType,
    Frequency: optionalNumber(periodic?.frequency),
    ExecTimes: optionalNumber(periodic?.execTimes),
    PeriodReturnURL: periodic ? (periodic.periodReturnUrl ?? defaults?.periodReturnUrl) : undefined,
  };
}

function descriptionParams(descriptions: readonly string[] | undefined): AioParams {
  const [d1, d2, d3, d4] = descriptions ?? [];
  return { Desc_1: d1, Desc_2: d2, Desc_3: d3, Desc_4: d4 };
}

function itemsTotal(order: EcpayCheckoutOrder, issues: EcpayValidationIssue[]): number | undefined {
  if (!Array.isArray(order.items) || order.items.length === 0) {
    issues.push({ field: 'items', rule: 'required', message: 'an order needs at least one item' });
    return undefined;
  }
  let total = 0;
  order.items.forEach((item, index) => {
    if (!Number.isSafeInteger(item?.price) || item.price < 0) {
      issues.push({
        field: `items[${index}].price`,
        rule: 'integer',
        message: 'must be a non-negative integer amount of TWD (ECPay takes no decimals)',
        value: String(item?.price),
      });
    }
    if (!Number.isSafeInteger(item?.quantity) || item.quantity < 1) {
      issues.push({
        field: `items[${index}].quantity`,
        rule: 'integer',
        message: 'must be a positive integer',
        value: String(item?.quantity),
      });
    }
    total += (item?.price ?? 0) * (item?.quantity ?? 0);
  });
  if (order.totalAmount !== undefined && order.totalAmount !== total && Number.isFinite(total)) {
    issues.push({
      field: 'totalAmount',
      rule: 'total-mismatch',
      message: `is ${order.totalAmount} but the items add up to ${total}`,
      value: String(order.totalAmount),
    });
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

function itemName(order: EcpayCheckoutOrder, issues: EcpayValidationIssue[]): string | undefined {
  if (!Array.isArray(order.items)) return undefined;
  return order.items
    .map((item, index) => {
      const name = typeof item?.name === 'string' ? item.name.trim() : '';
      if (name === '')
        issues.push({ field: `items[${index}].name`, rule: 'required', message: 'an item needs a name' });
      // "#" separates items in ItemName: inside a name it would silently split one item into two on ECPay's page.
      if (name.includes('#')) {
        issues.push({
          field: `items[${index}].name`,
          rule: 'item-separator',
          message: '"#" separates items in ItemName and would split this one in two; use "＃" (U+FF03) or "No."',
          value: excerpt(name),
        });
      }
      return `${name} x${item?.quantity}`;
    })
    .join('#');
}

function callbackDefaults(publicUrl: string | undefined, routes: EcpayCallbackRoutes = DEFAULT_ECPAY_CALLBACK_ROUTES) {
  if (!publicUrl) return undefined;
  return {
    returnUrl: routes.url('return', publicUrl),
    periodReturnUrl: routes.url('periodReturn', publicUrl),
    paymentInfoUrl: routes.url('paymentInfo', publicUrl),
  };
}

const optionalNumber = (value: number | undefined): string | undefined =>
  value === undefined ? undefined : String(value);

/**
 * Drops unset fields, writes non-ASCII URLs in punycode, and applies ECPay's rule (docs/protocol.md §2.5) that "%26"
 * and "%3C" in a value must be URL-decoded before sending (ECPay's CDN rejects them encoded). Only those two sequences:
 * a full URL-decode would mangle other text.
 */
function normalize(params: AioParams): AioParams {
  const result: AioParams = {};
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const decoded = value.replace(/%26/gi, '&').replace(/%3C/gi, '<');
    result[name as AioCheckoutField] = name.endsWith('URL') ? asciiUrl(decoded) : decoded;
  }
  return result;
}

/**
 * ECPay takes no Chinese domain names (docs/protocol.md §5.6): the URL parser writes the host in punycode (中文.tw →
 * xn--fiq228c.tw).
 */
function asciiUrl(value: string): string {
  // eslint-disable-next-line no-control-regex -- "anything outside ASCII" is the point of the range
  if (!/[^\x00-\x7f]/.test(value)) return value;
  try {
    return new URL(value).href;
  } catch {
    return value; // reported by the validator
  }
}
