import { BACK_AUTH_MAX_LENGTH, MERCHANT_TRADE_NO_PATTERN, URL_MAX_LENGTH } from '../../rules/index.js';
import { isEcpayDateTime } from '../../time/ecpay-time.js';
import { isRecord } from './sandbox-json-envelope.js';

/**
 * Reading and checking the plaintext Data of the JSON APIs the way ECPay's .NET side would: a field is a string
 * (numbers accepted where ECPay's deserializer would coerce them), limits from the API pages (docs/protocol.md
 * §3.2, §7.6, §7.8). Every check returns a problem text or `undefined`; the text names the field, never echoes its
 * value.
 */

/** OrderInfo of BackAuth, GetTokenbyBindingCard and CreatePaymentWithCardID, checked. */
export interface JsonOrder {
  readonly merchantTradeNo: string;
  readonly merchantTradeDate: string;
  readonly totalAmount: number;
  readonly itemName: string;
  readonly tradeDesc: string;
  readonly returnUrl: string;
}

/** A string field; a number is read as its decimal text (`TotalAmount: 500` and `"500"` both arrive as ECPay's Int). */
export function text(record: Readonly<Record<string, unknown>> | undefined, name: string): string | undefined {
  const value = record?.[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A nested object field (OrderInfo, CardInfo, ConsumerInfo), or `undefined`. */
export const object = (
  record: Readonly<Record<string, unknown>> | undefined,
  name: string,
): Record<string, unknown> | undefined => {
  const value = record?.[name];
  return isRecord(value) ? value : undefined;
};

const POSITIVE_INTEGER = /^[1-9][0-9]{0,8}$/;
// docs/protocol.md §5.7: no HTML tags in any value.
const HTML_TAG = /<[a-z!/?]/i;

/** OrderInfo as ECPay checks it: every field of BackAuth's table required, MerchantTradeNo alphanumeric ≤ 20. */
export function checkOrderInfo(
  order: Readonly<Record<string, unknown>> | undefined,
): { order: JsonOrder } | { problem: string } {
  if (!order) return { problem: 'OrderInfo is required.' };
  const merchantTradeNo = text(order, 'MerchantTradeNo');
  const merchantTradeDate = text(order, 'MerchantTradeDate');
  const totalAmount = text(order, 'TotalAmount');
  const itemName = text(order, 'ItemName');
  const tradeDesc = text(order, 'TradeDesc');
  const returnUrl = text(order, 'ReturnURL');
  if (!merchantTradeNo) return { problem: 'OrderInfo.MerchantTradeNo is required.' };
  if (!MERCHANT_TRADE_NO_PATTERN.test(merchantTradeNo))
    return { problem: 'OrderInfo.MerchantTradeNo must be 1 to 20 letters and digits.' };
  if (!merchantTradeDate) return { problem: 'OrderInfo.MerchantTradeDate is required.' };
  if (!isEcpayDateTime(merchantTradeDate))
    return { problem: 'OrderInfo.MerchantTradeDate must be yyyy/MM/dd HH:mm:ss.' };
  if (!totalAmount) return { problem: 'OrderInfo.TotalAmount is required.' };
  if (!POSITIVE_INTEGER.test(totalAmount)) return { problem: 'OrderInfo.TotalAmount must be a positive integer.' };
  if (!itemName) return { problem: 'OrderInfo.ItemName is required.' };
  if (itemName.length > BACK_AUTH_MAX_LENGTH['OrderInfo.ItemName']) {
    return { problem: `OrderInfo.ItemName is longer than ${BACK_AUTH_MAX_LENGTH['OrderInfo.ItemName']} characters.` };
  }
  // ECPay's own BackAuth example sends TradeDesc empty: present is what counts.
  if (tradeDesc === undefined) return { problem: 'OrderInfo.TradeDesc is required.' };
  if (tradeDesc.length > BACK_AUTH_MAX_LENGTH['OrderInfo.TradeDesc']) {
    return { problem: `OrderInfo.TradeDesc is longer than ${BACK_AUTH_MAX_LENGTH['OrderInfo.TradeDesc']} characters.` };
  }
  if (!returnUrl) return { problem: 'OrderInfo.ReturnURL is required.' };
  const urlProblem = checkUrl(returnUrl, 'OrderInfo.ReturnURL');
  if (urlProblem) return { problem: urlProblem };
  for (const [name, value] of [
    ['ItemName', itemName],
    ['TradeDesc', tradeDesc],
  ] as const) {
    if (HTML_TAG.test(value)) return { problem: `OrderInfo.${name} must not contain HTML tags.` };
  }
  return {
    order: { merchantTradeNo, merchantTradeDate, totalAmount: Number(totalAmount), itemName, tradeDesc, returnUrl },
  };
}

/** An http(s) URL of at most 200 characters (String(200)). */
export function checkUrl(value: string, name: string): string | undefined {
  if (value.length > URL_MAX_LENGTH) return `${name} is longer than ${URL_MAX_LENGTH} characters.`;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : `${name} must be an http(s) URL.`;
  } catch {
    return `${name} must be an http(s) URL.`;
  }
}

/** CustomField String(200), optional. */
export function checkCustomField(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return 'CustomField must be a string.';
  if (value.length > BACK_AUTH_MAX_LENGTH.CustomField)
    return `CustomField is longer than ${BACK_AUTH_MAX_LENGTH.CustomField} characters.`;
  return HTML_TAG.test(value) ? 'CustomField must not contain HTML tags.' : undefined;
}

/** MerchantMemberID String(30), letters, digits and a few separators. */
export function checkMemberId(value: string | undefined, name = 'MerchantMemberID'): string | undefined {
  if (!value) return `${name} is required.`;
  return /^[A-Za-z0-9_.@-]{1,30}$/.test(value) ? undefined : `${name} must be 1 to 30 letters, digits or _ . @ -.`;
}
