import { createHash } from 'node:crypto';
import type { EcpayEventName } from '../handlers/ecpay-event.interface.js';
import { ECPAY_TRADE_STATUSES, type EcpayTradeStatus } from '../persistence/ecpay-trade-status.js';
import type { EcpayTradeChanges } from '../persistence/ecpay-trade.store.js';
import { formatEcpayDateTime, parseEcpayDateTime } from '../time/ecpay-time.js';
import type { EcpayNotificationKind, EcpayNotificationOutcome } from '../persistence/ecpay-notification.entity.js';

/** The parts of a stored trade a notification is checked against. */
export interface TradeSnapshot {
  readonly status: EcpayTradeStatus;
  readonly totalAmount: number;
  /** ECPay's TradeNo once known: a success repeating it for a paid trade is a confirmation, not an alarm. */
  readonly ecpayTradeNo?: string | null;
}

/** What to do with one verified notification. */
export interface NotificationDecision {
  readonly outcome: EcpayNotificationOutcome;
  /** The event to raise, if any. */
  readonly event: EcpayEventName | undefined;
  /** The trade's new fields, if it changes. */
  readonly changes: EcpayTradeChanges | undefined;
}

// RtnCode that means "code issued" on PaymentInfoURL: 2 for ATM, 10100073 for CVS and BARCODE (docs/protocol.md §6.3).
const CODE_ISSUED = new Set([2, 10100073]);
const OPEN: ReadonlySet<EcpayTradeStatus> = new Set(['pending', 'code-issued', 'failed']);
/** Statuses a payment led to: a later success with the payment's own TradeNo only confirms them. */
const PAID: ReadonlySet<EcpayTradeStatus> = new Set(['paid', 'partially-refunded', 'refunded']);

/**
 * The state machine of a trade under ECPay's notifications, as a pure function of the verified fields and the
 * stored trade. Money is never taken on faith: the amount must equal the stored amount, SimulatePaid=1 never
 * pays, and a notification contradicting the trade's state is kept and flagged rather than applied.
 */
export function decideNotification(
  kind: EcpayNotificationKind,
  fields: Readonly<Record<string, unknown>>,
  trade: TradeSnapshot | null,
): NotificationDecision {
  // A card binding (docs/protocol.md §6.7) is a fact of its own: the library stores no trade for it (its
  // MerchantTradeNo names only the verification charge), so it changes no trade and is applied as what it is — the card
  // is recorded with it.
  if (kind === 'card-binding') {
    return {
      outcome: 'applied',
      event: Number(fields.RtnCode) === 1 ? 'card.bound' : 'notification.rejected',
      changes: undefined,
    };
  }
  // A ticket refund result is a fact of its own too, raised even when its trade is not one of ours (kept as orphan).
  if (kind === 'ecticket-refund')
    return { outcome: trade ? 'applied' : 'orphan', event: 'refund.notified', changes: undefined };
  if (!trade) return { outcome: 'orphan', event: 'notification.rejected', changes: undefined };
  const rtnCode = Number(fields.RtnCode);
  const amountField = amountFieldOf(kind, fields);
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
      return trade.status === 'pending' || trade.status === 'code-issued'
        ? applied('payment.failed', { status: 'failed' })
        : flagged();

    case 'period-return':
      // Later periodic charges leave the trade paid either way; each one is an event of its own.
      if (trade.status !== 'paid') return flagged();
      return applied(rtnCode === 1 ? 'period.charged' : 'period.failed', undefined);

    case 'reconcile':
      // A verified QueryTradeInfo/V5 answer: TradeStatus 1 is a payment exactly like ReturnURL's RtnCode 1 (and
      // meets the late ReturnURL through the same rules); anything else says "no result yet" and changes nothing.
      return String(fields.TradeStatus) === '1' ? paymentSucceeded(fields, trade) : unchanged();

    case 'operation':
      // The library's own capture/refund/void results are written with their trade change, never decided here.
      return unchanged();

    default: // aio-return (ReturnURL) and the JSON ReturnURL of the ecpayment APIs
      if (rtnCode === 1) return paymentSucceeded(fields, trade);
      return trade.status === 'pending' || trade.status === 'code-issued'
        ? applied('payment.failed', { status: 'failed', ...ecpayFields(fields) })
        : flagged();
  }
}

/**
 * A payment's success, from ReturnURL or from a reconciliation query. A failed or expired trade can still be paid
 * (the money arrived). A trade already paid by the same TradeNo hears of it a second time — the late ReturnURL
 * after the reconciliation, or the reconciliation's answer after ReturnURL — which confirms it (no second event).
 * A success with another TradeNo, or for a trade cancelled before payment, contradicts the trade and is flagged.
 */
function paymentSucceeded(fields: Readonly<Record<string, unknown>>, trade: TradeSnapshot): NotificationDecision {
  if (OPEN.has(trade.status))
    return applied('payment.succeeded', { status: 'paid', paidAt: paidAt(fields), ...ecpayFields(fields) });
  const tradeNo = typeof fields.TradeNo === 'string' ? fields.TradeNo.slice(0, 20) : '';
  if (PAID.has(trade.status) && tradeNo !== '' && trade.ecpayTradeNo === tradeNo)
    return { outcome: 'confirmed', event: undefined, changes: undefined };
  return flagged();
}

/** The amount a notification states, which must equal the trade's (PeriodReturnURL names it Amount). */
function amountFieldOf(kind: EcpayNotificationKind, fields: Readonly<Record<string, unknown>>): unknown {
  // An operation's Amount is the refund's or capture's; a binding's TradeAmt is its verification charge; a ticket
  // refund's is the refund's: none of them is the trade's amount.
  if (kind === 'operation' || kind === 'card-binding' || kind === 'ecticket-refund') return undefined;
  return kind === 'period-return' ? fields.Amount : fields.TradeAmt;
}

/** A guess at the trade a notification applies to, and the decision it would get there. */
export interface ExpectedTrade {
  /** The statuses in which the notification is applied, all with the same decision. */
  readonly statuses: readonly EcpayTradeStatus[];
  /** The amount the trade must have; undefined when the notification states none. */
  readonly totalAmount: number | undefined;
  readonly decision: NotificationDecision;
}

/**
 * The trade states in which this notification would be applied — the normal case, e.g. a payment result for a
 * trade still open — with the decision it gets in all of them. A store can then apply the notification in one
 * statement guarded by "the trade is in one of these states and has this amount", and fall back to reading the
 * trade and {@link decideNotification} when the guard does not hold. Undefined when no state applies it or the
 * states that do would decide differently, or its amount is no amount at all: then there is nothing to guess.
 */
export function expectedTrade(
  kind: EcpayNotificationKind,
  fields: Readonly<Record<string, unknown>>,
): ExpectedTrade | undefined {
  const amountField = amountFieldOf(kind, fields);
  const totalAmount = amountField === undefined ? undefined : Number(amountField);
  if (totalAmount !== undefined && !Number.isSafeInteger(totalAmount)) return undefined;
  let expected: { statuses: EcpayTradeStatus[]; decision: NotificationDecision; key: string } | undefined;
  for (const status of ECPAY_TRADE_STATUSES) {
    const decision = decideNotification(kind, fields, { status, totalAmount: totalAmount ?? 0 });
    if (decision.outcome !== 'applied') continue;
    const key = JSON.stringify([decision.event, decision.changes]);
    if (!expected) expected = { statuses: [status], decision, key };
    else if (expected.key === key) expected.statuses.push(status);
    else return undefined;
  }
  return expected && { statuses: expected.statuses, totalAmount, decision: expected.decision };
}

const applied = (event: EcpayEventName, changes: EcpayTradeChanges | undefined): NotificationDecision => ({
  outcome: 'applied',
  event,
  changes,
});
const flagged = (): NotificationDecision => ({
  outcome: 'invalid-transition',
  event: 'notification.rejected',
  changes: undefined,
});
const unchanged = (): NotificationDecision => ({ outcome: 'unchanged', event: undefined, changes: undefined });

function ecpayFields(fields: Readonly<Record<string, unknown>>): EcpayTradeChanges {
  const changes: EcpayTradeChanges = {};
  if (typeof fields.TradeNo === 'string' && fields.TradeNo !== '') changes.ecpayTradeNo = fields.TradeNo.slice(0, 20);
  if (typeof fields.PaymentType === 'string' && fields.PaymentType !== '')
    changes.paymentType = fields.PaymentType.slice(0, 40);
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
 * real one that follows.
 *
 * A periodic charge (PeriodReturnURL) is keyed by its success count and a digest of every verified field but RtnMsg
 * and CheckMacValue (which covers RtnMsg): its Gwsr and ProcessDate when it has them, and all else it states. A
 * declined charge may come with neither Gwsr nor ProcessDate, and then two declines on two days can be identical
 * field for field: those are told apart by the day they were received (Asia/Taipei) — ECPay charges a periodic order
 * at most once a day and retries one post within minutes. (A retry of such a decline that crosses midnight is
 * recorded twice: one more `period.failed`, never a lost one.)
 */
export function dedupeKeyOf(
  kind: EcpayNotificationKind,
  fields: Readonly<Record<string, unknown>>,
  receivedAt: Date = new Date(),
): string {
  const part = (name: string): string => String(fields[name] ?? '');
  // A reconciliation answer has TradeStatus where a callback has RtnCode; an operation is its own id.
  if (kind === 'operation')
    return [kind, part('MerchantID'), part('MerchantTradeNo'), part('OperationId')].join('|').slice(0, 191);
  // The ReturnURL notification and the browser's OrderResultURL copy of one binding share this key: stored once.
  if (kind === 'card-binding')
    return [kind, part('MerchantID'), part('MerchantTradeNo'), part('RtnCode'), part('BindCardID')]
      .join('|')
      .slice(0, 191);
  // A ticket refund result has no documented identifier of its own: ECPay's retries repeat its Data exactly.
  if (kind === 'ecticket-refund')
    return [kind, part('MerchantID'), part('MerchantTradeNo'), part('DataDigest')].join('|').slice(0, 191);
  const base = [
    kind,
    part('MerchantID'),
    part('MerchantTradeNo'),
    kind === 'reconcile' ? part('TradeStatus') : part('RtnCode'),
  ];
  const specific =
    kind === 'period-return'
      ? [
          part('TotalSuccessTimes'),
          retryDigest(fields),
          part('Gwsr') === '' && part('ProcessDate') === '' ? formatEcpayDateTime(receivedAt).slice(0, 10) : '',
        ]
      : [part('TradeNo'), part('SimulatePaid'), kind === 'payment-info' ? part('PaymentNo') + part('vAccount') : ''];
  // Keys stay under the column's 191 characters whatever ECPay sends.
  return [...base, ...specific].join('|').slice(0, 191);
}

/** A digest of what a post states, the same for ECPay's retries of it: every field but RtnMsg and CheckMacValue. */
function retryDigest(fields: Readonly<Record<string, unknown>>): string {
  const stated = Object.keys(fields)
    .filter((name) => name !== 'RtnMsg' && name !== 'CheckMacValue')
    .sort()
    .map((name) => [name, String(fields[name] ?? '')]);
  return createHash('sha256').update(JSON.stringify(stated)).digest('hex').slice(0, 32);
}
