import type { EcpayTrade } from '../persistence/ecpay-trade.entity.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * ECPay's advice for a trade with no result (docs/protocol.md §8.4, developers.ecpay.com.tw/?p=2890): query 10 minutes
 * after, again 10 minutes later, and once more at 40 minutes. Measured from the trade's creation (the customer left for
 * ECPay then; the payment itself can only be later). After the third query the trade is left to its notification.
 */
export const RECONCILE_DELAYS_MS: readonly number[] = Object.freeze([10 * MINUTE, 20 * MINUTE, 40 * MINUTE]);

const OFFLINE = /^(ATM|CVS|BARCODE|BNPL)/i;

type ScheduleInput = Pick<
  EcpayTrade,
  'choosePayment' | 'paymentType' | 'status' | 'paymentOptions' | 'createdAt' | 'reconcileAttempts'
>;

/**
 * When the trade's next query is due, or null when it is never to be queried (again). ATM, CVS, BARCODE and BNPL
 * are paid offline, days later: their result comes by notification, so they are not queried before their code
 * expired (ATM ExpireDate days, default 3; CVS StoreExpireDate minutes, default 7 days; BARCODE StoreExpireDate
 * days, default 7, plus the 2 days its result takes), then on the same 10/20/40-minute schedule. BNPL has no
 * expiry the library knows: never queried.
 */
export function reconcileDueAt(trade: ScheduleInput): Date | null {
  const delay = RECONCILE_DELAYS_MS[trade.reconcileAttempts];
  if (delay === undefined) return null;
  const method = methodOf(trade);
  if (!OFFLINE.test(method)) return new Date(trade.createdAt.getTime() + delay);
  const expiry = offlineExpiryMs(method, trade.paymentOptions ?? {});
  return expiry === null ? null : new Date(trade.createdAt.getTime() + expiry + delay);
}

/** The method the customer used (PaymentType once ECPay reported one), else the one the order offered. */
function methodOf(trade: ScheduleInput): string {
  return trade.paymentType || trade.choosePayment;
}

function offlineExpiryMs(method: string, options: Readonly<Record<string, unknown>>): number | null {
  const number = (value: unknown, fallback: number): number =>
    Number.isFinite(Number(value)) && Number(value) > 0 ? Number(value) : fallback;
  if (/^ATM/i.test(method)) return number(options.ExpireDate, 3) * DAY;
  if (/^CVS/i.test(method)) return number(options.StoreExpireDate, 10_080) * MINUTE;
  if (/^BARCODE/i.test(method)) return (number(options.StoreExpireDate, 7) + 2) * DAY;
  return null;
}
