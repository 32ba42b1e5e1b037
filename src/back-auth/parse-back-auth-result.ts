import { EcpayResponseVerificationError } from '../errors/ecpay-response-verification.error.js';
import { parseEcpayDateTime } from '../time/ecpay-time.js';
import type {
  EcpayBackAuthAuthorized,
  EcpayBackAuthCardResult,
  EcpayBackAuthParsedResult,
} from './back-auth-result.interface.js';

/**
 * Reads BackAuth's decrypted Data (docs/protocol.md §7.6). TransCode ≠ 1 never gets here: the envelope opener
 * (transport) deals with it. What the Data says:
 *
 * - RtnCode ≠ 1 → `failed` (declined, invalid card or order).
 * - RtnCode 1 with a ThreeDURL → `three-d-secure`: redirect the browser there (never an iframe, docs/protocol.md §7.6).
 * - RtnCode 1 with OrderInfo and CardInfo → `authorized`.
 *
 * Throws {@link EcpayResponseVerificationError} for an RtnCode 1 answer that is none of these, has a ThreeDURL that
 * is not an http(s) URL, or is about another MerchantTradeNo than `expected`: the outcome is then unknown and the
 * trade must be queried. Secondary fields that are missing or odd become null instead of failing, because once
 * ECPay says "authorized" money has moved and the app must learn it.
 *
 * @publicApi
 */
export function parseBackAuthResult(
  data: unknown,
  expected: { merchantTradeNo?: string } = {},
): EcpayBackAuthParsedResult {
  const api = 'backAuth';
  if (!isObject(data)) throw new EcpayResponseVerificationError(api, 'malformed', 'Data is not an object');
  const order = isObject(data.OrderInfo) ? data.OrderInfo : undefined;
  const answeredNo = text(data.MerchantTradeNo) || text(order?.MerchantTradeNo);
  const rtnCode = int(data.RtnCode);

  if (rtnCode !== 1) {
    // A refusal is final whatever number it carries; report our own number if ECPay left it out.
    return {
      status: 'failed',
      merchantTradeNo: answeredNo || (expected.merchantTradeNo ?? ''),
      rtnCode,
      rtnMsg: text(data.RtnMsg),
    };
  }
  if (expected.merchantTradeNo !== undefined && answeredNo !== '' && answeredNo !== expected.merchantTradeNo) {
    throw new EcpayResponseVerificationError(api, 'mismatch', 'MerchantTradeNo');
  }
  const merchantTradeNo = answeredNo || (expected.merchantTradeNo ?? '');

  const threeDUrl = text(data.ThreeDURL).trim();
  if (threeDUrl !== '') {
    // The app redirects the cardholder's browser here: anything but an http(s) URL (javascript:, data:) is refused.
    if (!isHttpUrl(threeDUrl)) throw new EcpayResponseVerificationError(api, 'malformed', 'ThreeDURL');
    return { status: 'three-d-secure', url: threeDUrl, merchantTradeNo };
  }
  if (!order || !isObject(data.CardInfo)) {
    throw new EcpayResponseVerificationError(api, 'malformed', 'RtnCode 1 without ThreeDURL, OrderInfo or CardInfo');
  }
  return readAuthorized(data, merchantTradeNo, 'backauth');
}

/** An authorization from Data with OrderInfo and CardInfo (BackAuth's answer or QueryTrade's). */
export function readAuthorized(
  data: Readonly<Record<string, unknown>>,
  merchantTradeNo: string,
  source: EcpayBackAuthAuthorized['source'],
): EcpayBackAuthAuthorized {
  const order = isObject(data.OrderInfo) ? data.OrderInfo : {};
  const card = isObject(data.CardInfo) ? data.CardInfo : {};
  const cardResult = readCard(card);
  return {
    status: 'authorized',
    merchantTradeNo,
    tradeNo: text(order.TradeNo),
    amount: int(order.TradeAmt) ?? cardResult.amount,
    paymentType: text(order.PaymentType),
    tradeDate: date(order.TradeDate),
    paymentDate: date(order.PaymentDate),
    chargeFee: decimal(order.ChargeFee),
    processFee: decimal(order.ProcessFee),
    tradeStatus: text(order.TradeStatus),
    customField: text(data.CustomField) || text(order.CustomField),
    card: cardResult,
    source,
  };
}

/**
 * Only the fields ECPay documents for BackAuth are copied — by name, never by spreading CardInfo — so an expiry or any
 * other card field ECPay may add (its binding answers carry CardValidMM/YY) can never reach a returned object.
 */
function readCard(card: Readonly<Record<string, unknown>>): EcpayBackAuthCardResult {
  const stages = int(card.Stage);
  const pointsUsed = int(card.RedDan);
  const periodType = text(card.PeriodType);
  return {
    card6: digits(card.Card6No, 6),
    card4: digits(card.Card4No, 4),
    authCode: text(card.AuthCode),
    gwsr: int(card.Gwsr),
    eci: int(card.Eci),
    processDate: date(card.ProcessDate),
    amount: int(card.Amount),
    issuingBank: text(card.IssuingBank),
    // ECPay's BackAuth example spells this key with a trailing space ("IssuingBankCode "); accept both.
    issuingBankCode: text(card.IssuingBankCode) || text(card['IssuingBankCode ']),
    installment:
      stages !== null && stages > 0 ? { stages, firstAmount: int(card.Stast), eachAmount: int(card.Staed) } : null,
    redeem:
      pointsUsed !== null || card.RedDeAmt !== undefined || card.RedOkAmt !== undefined
        ? {
            pointsUsed,
            deductedAmount: int(card.RedDeAmt),
            chargedAmount: int(card.RedOkAmt),
            pointsLeft: int(card.RedYet),
          }
        : null,
    period:
      periodType !== ''
        ? {
            periodType,
            frequency: int(card.Frequency),
            execTimes: int(card.ExecTimes),
            periodAmount: int(card.PeriodAmount),
            totalSuccessTimes: int(card.TotalSuccessTimes),
            totalSuccessAmount: int(card.TotalSuccessAmount),
          }
        : null,
  };
}

/**
 * A strict integer (JSON number or its decimal text); null otherwise — `Number()` alone would read true or '' as a
 * number.
 */
export function int(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value === 'string' && /^-?\d{1,15}$/.test(value.trim())) return Number(value.trim());
  return null;
}

function decimal(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && /^-?\d{1,15}(?:\.\d{1,10})?$/.test(value.trim())) return Number(value.trim());
  return null;
}

export function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '';
}

/** Card6No/Card4No: exactly that many digits, or '' — a longer "masked" field must never smuggle more of the number. */
function digits(value: unknown, length: number): string {
  const raw = text(value);
  return new RegExp(`^\\d{${length}}$`).test(raw) ? raw : '';
}

function date(value: unknown): Date | null {
  const raw = text(value).trim();
  if (raw === '') return null;
  try {
    return parseEcpayDateTime(raw);
  } catch {
    return null;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

export const isObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
