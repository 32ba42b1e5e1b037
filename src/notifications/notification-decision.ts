import type { EcpayEventName } from '../handlers/ecpay-event.interface.js';
import type { EcpayTradeStatus } from '../persistence/ecpay-trade-status.js';
import type { EcpayTradeChanges } from '../persistence/ecpay-trade.store.js';
import { parseEcpayDateTime } from '../time/ecpay-time.js';
import type { EcpayNotificationKind, EcpayNotificationOutcome } from './ecpay-notification.entity.js';

/** The parts of a stored trade a notification is checked against. */
export interface TradeSnapshot {
  readonly status: EcpayTradeStatus;
  readonly totalAmount: number;
}

/** What to do with one verified notification. */
export interface NotificationDecision {
  readonly outcome: EcpayNotificationOutcome;
  /** The event to raise, if any. */
  readonly event: EcpayEventName | undefined;
  /** The trade's new fields, if it changes. */
  readonly changes: EcpayTradeChanges | undefined;
}

// RtnCode that means "code issued" on PaymentInfoURL: 2 for ATM, 10100073 for CVS and BARCODE (PROTOCOL.md §3.1).
const CODE_ISSUED = new Set([2, 10100073]);
const OPEN: ReadonlySet<EcpayTradeStatus> = new Set(['pending', 'code-issued', 'failed']);

/**
 * The state machine of a trade under ECPay's notifications, as a pure function of the verified fields and the
 * stored trade. Money is never taken on faith: the amount must equal the stored amount, SimulatePaid=1 never
 * pays, and a notification contradicting the trade's state is kept and flagged rather than applied.
 */
export function decideNotification(kind: EcpayNotificationKind, fields: Readonly<Record<string, unknown>>, trade: TradeSnapshot | null): NotificationDecision {
  if (!trade) return { outcome: 'orphan', event: 'notification.rejected', changes: undefined };
  const rtnCode = Number(fields.RtnCode);
  const amountField = kind === 'period-return' ? fields.Amount : fields.TradeAmt;
  if (amountField !== undefined && Number(amountField) !== trade.totalAmount) {
    return { outcome: 'amount-mismatch', event: 'notification.rejected', changes: undefined };
  }
  if (fields.SimulatePaid === '1' || fields.SimulatePaid === 1) {
    return { outcome: 'simulated', event: 'payment.simulated', changes: { simulated: true } };
  }

  switch (kind) {
    case 'payment-info':
      if (CODE_ISSUED.has(rtnCode)) {
        return trade.status === 'pending'
          ? applied('payment-info.issued', { status: 'code-issued', ...ecpayFields(fields) })
          : flagged();
      }
      return trade.status === 'pending' || trade.status === 'code-issued' ? applied('payment.failed', { status: 'failed' }) : flagged();

    case 'period-return':
      // Later periodic charges leave the trade paid either way; each one is an event of its own.
      if (trade.status !== 'paid') return flagged();
      return applied(rtnCode === 1 ? 'period.charged' : 'period.failed', undefined);

    default: // aio-return (ReturnURL) and the JSON ReturnURL of the ecpayment APIs
      if (rtnCode === 1) {
        // A failed or expired trade can still be paid (the money arrived); a refunded or cancelled one cannot.
        return OPEN.has(trade.status) ? applied('payment.succeeded', { status: 'paid', paidAt: paidAt(fields), ...ecpayFields(fields) }) : flagged();
      }
      return trade.status === 'pending' || trade.status === 'code-issued' ? applied('payment.failed', { status: 'failed', ...ecpayFields(fields) }) : flagged();
  }
}

const applied = (event: EcpayEventName, changes: EcpayTradeChanges | undefined): NotificationDecision => ({ outcome: 'applied', event, changes });
const flagged = (): NotificationDecision => ({ outcome: 'invalid-transition', event: 'notification.rejected', changes: undefined });

function ecpayFields(fields: Readonly<Record<string, unknown>>): EcpayTradeChanges {
  const changes: EcpayTradeChanges = {};
  if (typeof fields.TradeNo === 'string' && fields.TradeNo !== '') changes.ecpayTradeNo = fields.TradeNo.slice(0, 20);
  if (typeof fields.PaymentType === 'string' && fields.PaymentType !== '') changes.paymentType = fields.PaymentType.slice(0, 40);
  return changes;
}

function paidAt(fields: Readonly<Record<string, unknown>>): Date | null {
  try {
    return typeof fields.PaymentDate === 'string' ? parseEcpayDateTime(fields.PaymentDate) : null;
  } catch {
    return null;
  }
}

/**
 * The key that identifies a notification across ECPay's retries. Retries repeat every field but RtnMsg ("交易成功"
 * first, "paid" after), so RtnMsg is left out; SimulatePaid is kept in, so a simulated notification never hides the
 * real one that follows. Periodic charges are told apart by their gateway serial and success count.
 */
export function dedupeKeyOf(kind: EcpayNotificationKind, fields: Readonly<Record<string, unknown>>): string {
  const part = (name: string): string => String(fields[name] ?? '');
  const base = [kind, part('MerchantID'), part('MerchantTradeNo'), part('RtnCode')];
  const specific =
    kind === 'period-return'
      ? [part('Gwsr'), part('ProcessDate'), part('TotalSuccessTimes')]
      : [part('TradeNo'), part('SimulatePaid'), kind === 'payment-info' ? part('PaymentNo') + part('vAccount') : ''];
  // Keys stay under the column's 191 characters whatever ECPay sends.
  return [...base, ...specific].join('|').slice(0, 191);
}
