import { EcpayInvalidDateError } from '../errors/ecpay-invalid-date.error.js';

/**
 * ECPay speaks Asia/Taipei wall-clock time. Taiwan has kept UTC+08:00 without daylight saving since 1980, so a
 * fixed offset is exact for every date a payment can carry, and — unlike `Date#getHours()` or
 * `Intl` with the host zone — it does not depend on the server's `TZ`.
 */
const TAIPEI_OFFSET_MS = 8 * 60 * 60 * 1000;

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

function taipeiParts(date: Date): [number, number, number, number, number, number] {
  const time = date instanceof Date ? date.getTime() : Number.NaN;
  if (!Number.isFinite(time)) {
    throw new EcpayInvalidDateError('Cannot format an invalid Date for ECPay.');
  }
  const t = new Date(time + TAIPEI_OFFSET_MS);
  return [
    t.getUTCFullYear(),
    t.getUTCMonth() + 1,
    t.getUTCDate(),
    t.getUTCHours(),
    t.getUTCMinutes(),
    t.getUTCSeconds(),
  ];
}

/**
 * Formats an instant as ECPay's `yyyy/MM/dd HH:mm:ss` in Asia/Taipei (MerchantTradeDate and friends).
 *
 * @publicApi
 */
export function formatEcpayDateTime(date: Date): string {
  const [y, mo, d, h, mi, s] = taipeiParts(date);
  return `${pad(y, 4)}/${pad(mo)}/${pad(d)} ${pad(h)}:${pad(mi)}:${pad(s)}`;
}

/**
 * Formats the Asia/Taipei calendar day of an instant as `yyyy-MM-dd` (the statement APIs' BeginDate/EndDate).
 *
 * @publicApi
 */
export function formatEcpayDate(date: Date): string {
  const [y, mo, d] = taipeiParts(date);
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)}`;
}

/** Unix seconds of an instant: the JSON envelope's `RqHeader.Timestamp` and the AIO query `TimeStamp`. @publicApi */
export function toUnixSeconds(date: Date): number {
  taipeiParts(date); // validates
  return Math.floor(date.getTime() / 1000);
}

// `yyyy/MM/dd HH:mm:ss`, also with `-` separators (e-invoice) and one-digit fields; seconds optional.
const ECPAY_DATE_TIME = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?$/;

/**
 * Parses a date ECPay sent (`2024/03/04 16:36:54`, `2019-09-18 13:13:23`, `2024/03/04`) as Asia/Taipei wall-clock
 * time and returns the instant, whatever the server's `TZ`. Throws {@link EcpayInvalidDateError} on anything else,
 * including impossible dates such as `2024/02/30`.
 *
 * @publicApi
 */
export function parseEcpayDateTime(text: string): Date {
  const match = typeof text === 'string' ? ECPAY_DATE_TIME.exec(text.trim()) : null;
  if (!match) {
    throw new EcpayInvalidDateError('Expected an ECPay date such as "2024/03/04 16:36:54".');
  }
  const [y, mo, d, h = 0, mi = 0, s = 0] = match
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part))) as number[];
  const utc = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(utc);
  if (
    mo < 1 ||
    mo > 12 ||
    h > 23 ||
    mi > 59 ||
    s > 59 ||
    check.getUTCFullYear() !== y ||
    check.getUTCMonth() !== mo - 1 ||
    check.getUTCDate() !== d
  ) {
    throw new EcpayInvalidDateError('The ECPay date names a day or time that does not exist.');
  }
  return new Date(utc - TAIPEI_OFFSET_MS);
}

/**
 * Whether a text is exactly an ECPay date-time as ECPay's fields require it (`yyyy/MM/dd HH:mm:ss`, zero-padded, a
 * real calendar date). Stricter than {@link parseEcpayDateTime}, which also reads dates without a time.
 */
export function isEcpayDateTime(text: string): boolean {
  if (!/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/.test(text)) return false;
  try {
    parseEcpayDateTime(text);
    return true;
  } catch {
    return false;
  }
}
