import { Column, Entity, Index, PrimaryColumn } from './typeorm-peer.js';
import type { EcpayEventName } from '../handlers/ecpay-event.interface.js';
import { EcpayRecord } from './ecpay-record.js';
import { STORED_EVENT_DATA } from './stored-event-data.js';

/**
 * Which ECPay callback a notification came from — or, for `reconcile`, a verified QueryTradeInfo/V5 answer the
 * reconciliation applies through the same state machine, and for `operation`, the result of a capture, refund or
 * void the library made (recorded here so its event is dispatched like every other). @publicApi
 */
export type EcpayNotificationKind =
  | 'aio-return'
  | 'period-return'
  | 'payment-info'
  | 'order-result'
  | 'ecpg-return'
  | 'ecpg-order-result'
  | 'reconcile'
  | 'operation'
  | 'card-binding'
  | 'back-auth'
  | 'ecticket-refund';

/**
 * What a verified notification did:
 * - `applied`: it changed (or confirmed) its trade's state;
 * - `orphan`: no trade of ours has its MerchantID and MerchantTradeNo (kept and reported, not a crash);
 * - `amount-mismatch`: its amount differs from the stored trade's — a tamper alarm, never a payment;
 * - `simulated`: SimulatePaid=1 from ECPay's back office — recorded, never marks a trade paid;
 * - `invalid-transition`: it contradicts the trade's state (e.g. failed after paid) — kept and flagged;
 * - `confirmed`: it reports what the trade already shows (the ReturnURL of a trade the reconciliation already
 *   marked paid, with the same TradeNo, or the other way round) — kept, no event, not an alarm;
 * - `unchanged`: a reconciliation answer with no result yet (TradeStatus 0, or an answer for a trade that moved
 *   on since the query) — kept, no event.
 *
 * @publicApi
 */
export type EcpayNotificationOutcome =
  'applied' | 'orphan' | 'amount-mismatch' | 'simulated' | 'invalid-transition' | 'confirmed' | 'unchanged';

/** Where the notification's event stands: none to send, waiting, delivered to every handler, or given up. @publicApi */
export type EcpayDispatchStatus = 'none' | 'pending' | 'done' | 'failed';

/**
 * The inbox: one row per distinct verified notification, written in the same transaction as the trade's state
 * change. Its unique dedupe key is what makes ECPay's retries (every 5–15 minutes until it reads `1|OK`) change
 * nothing twice. The row's id is the id of the event it raises.
 *
 * @publicApi
 */
@Entity('ecpay_notification')
@Index('uq_ecpay_notification_dedupe_key', ['dedupeKey'], { unique: true })
@Index('idx_ecpay_notification_dispatch', ['dispatchStatus', 'nextAttemptAt'])
export class EcpayNotification extends EcpayRecord {
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 36, primaryKeyConstraintName: 'pk_ecpay_notification' })
  id!: string;

  @Column({ name: 'kind', type: 'varchar', length: 24 })
  kind!: EcpayNotificationKind;

  /** Identifies the notification across ECPay's retries (which change RtnMsg, so it is left out). */
  @Column({ name: 'dedupe_key', type: 'varchar', length: 191 })
  dedupeKey!: string;

  @Column({ name: 'merchant_id', type: 'varchar', length: 10 })
  merchantId!: string;

  @Column({ name: 'merchant_trade_no', type: 'varchar', length: 20 })
  merchantTradeNo!: string;

  /** The trade it was applied to; null for an orphan. */
  @Column({ name: 'trade_id', type: 'varchar', length: 36, nullable: true })
  tradeId!: string | null;

  @Column({ name: 'outcome', type: 'varchar', length: 24 })
  outcome!: EcpayNotificationOutcome;

  @Column({ name: 'event_name', type: 'varchar', length: 40, nullable: true })
  eventName!: EcpayEventName | null;

  /** The verified fields exactly as ECPay posted them (kept for audit; handlers get them as the event's `raw`). */
  @Column({ name: 'payload', type: 'simple-json' })
  payload!: Record<string, unknown>;

  /**
   * The event's `data` exactly as handlers receive it — the fields normalised once, when the notification was
   * received, with its kind and outcome — written in the same statement or transaction as the row, so a dispatcher
   * in another process or after a restart hands over what the receiver validated. Dates and NaN survive the round
   * trip (see `stored-event-data.ts`). Null only on rows stored before migration 1795700000000 added the column.
   */
  @Column({ name: 'event_data', type: 'simple-json', nullable: true, transformer: STORED_EVENT_DATA })
  eventData!: Record<string, unknown> | null;

  @Column({ name: 'dispatch_status', type: 'varchar', length: 16, default: 'none' })
  dispatchStatus!: EcpayDispatchStatus;

  @Column({ name: 'attempts', type: 'int', default: 0 })
  attempts!: number;

  /** Ids of the handlers that have handled the event: a retry runs only the others. */
  @Column({ name: 'completed_handlers', type: 'simple-json', nullable: true })
  completedHandlers!: string[] | null;

  /** The last handler failure (message only). */
  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError!: string | null;

  @Column({ name: 'next_attempt_at', type: Date, precision: 3, nullable: true })
  nextAttemptAt!: Date | null;

  /** A dispatcher's claim on the row, so several app instances never run one event at once. */
  @Column({ name: 'locked_until', type: Date, precision: 3, nullable: true })
  lockedUntil!: Date | null;

  @Column({ name: 'locked_by', type: 'varchar', length: 64, nullable: true })
  lockedBy!: string | null;

  @Column({ name: 'received_at', type: Date, precision: 3 })
  receivedAt!: Date;
}
