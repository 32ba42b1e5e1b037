/**
 * The events app code reacts to with `@OnEcpayEvent(name)`. Each is raised once per verified notification that
 * caused it (or per operation), carries a stable `id` — handlers run at least once, so they use it to be
 * idempotent — and keeps the raw verified payload beside the normalised data.
 */

/** Event names (README, Handlers). `*` in `@OnEcpayEvent('*')` receives every event. @publicApi */
export type EcpayEventName =
  | 'payment.succeeded'
  | 'payment.failed'
  /** SimulatePaid=1 from ECPay's back office: a test notification, never money. */
  | 'payment.simulated'
  /** ATM/CVS/BARCODE: the payment code was issued (RtnCode 2 or 10100073), the customer has not paid yet. */
  | 'payment-info.issued'
  | 'period.charged'
  | 'period.failed'
  | 'card.bound'
  /** A refund the library made went through (R, or the void of a full refund: N, or E then N). */
  | 'refund.succeeded'
  | 'refund.notified'
  /** The library closed (captured) a card authorization (DoAction C); ECPay settles it in its 20:15 batch. */
  | 'trade.captured'
  /** The library voided a card authorization (DoAction N): no money moves. */
  | 'trade.cancelled'
  /** The library stopped a periodic (定期定額) order's later charges (CreditCardPeriodAction Cancel). */
  | 'period.cancelled'
  /** The library re-authorized a failed periodic charge (CreditCardPeriodAction ReAuth). */
  | 'period.reauthorized'
  | 'trade.reconciled'
  /** A notification that could not be applied: unknown trade, amount or merchant mismatch, invalid transition. */
  | 'notification.rejected';

/** Every event name, for validation and documentation. @publicApi */
export const ECPAY_EVENT_NAMES: readonly EcpayEventName[] = [
  'payment.succeeded',
  'payment.failed',
  'payment.simulated',
  'payment-info.issued',
  'period.charged',
  'period.failed',
  'card.bound',
  'refund.succeeded',
  'refund.notified',
  'trade.captured',
  'trade.cancelled',
  'period.cancelled',
  'period.reauthorized',
  'trade.reconciled',
  'notification.rejected',
];

/**
 * One event.
 *
 * @publicApi
 */
export interface EcpayEvent<TData extends object = Record<string, unknown>> {
  /** Stable across redeliveries of this event: use it to make handlers idempotent. */
  readonly id: string;
  readonly name: EcpayEventName;
  readonly merchantId: string;
  readonly merchantTradeNo: string;
  /** The stored trade's id, when the event belongs to one. */
  readonly tradeId?: string;
  /** When ECPay says it happened (PaymentDate, ProcessDate…), else when it was received. */
  readonly occurredAt: Date;
  readonly receivedAt: Date;
  /** Normalised fields: numbers as numbers, ECPay dates as Dates (Asia/Taipei). */
  readonly data: TData;
  /** The verified payload exactly as ECPay sent it. */
  readonly raw: Readonly<Record<string, unknown>>;
}
