import { Column, Entity, Index, PrimaryColumn } from './typeorm-peer.js';
import { EcpayRecord } from './ecpay-record.js';
import type { EcpayTradeStatus } from './ecpay-trade-status.js';

/** See {@link EcpayTrade.closeState}. @publicApi */
export type EcpayCloseState = 'authorized' | 'close-requested';

/**
 * The non-basic AIO fields of a trade, by their ECPay names (e.g. `{ CreditInstallment: '3,6' }`,
 * `{ PeriodAmount: 100, PeriodType: 'M', Frequency: 1, ExecTimes: 12 }`, `{ BindingCard: 1, MerchantMemberID: 'm1' }`,
 * `{ ExpireDate: 3 }`): flat, like the form ECPay receives. Never card data.
 *
 * @publicApi
 */
export type EcpayPaymentOptions = Record<string, string | number | boolean | null>;

/**
 * One AIO checkout (AioCheckOut/V5) trade, keyed by the merchant's MerchantTradeNo.
 *
 * Portability (sql.js/SQLite, PostgreSQL, MariaDB/MySQL): every column names its type and its snake_case name;
 * nothing depends on `design:type` metadata. The committed migration `CreateEcpayTables` creates exactly this
 * schema (a test checks that TypeORM's schema diff is empty after it on all three databases).
 *
 * Time stamps use `type: Date`, TypeORM's one portable timestamp type: each driver maps it to its own
 * (`timestamp without time zone` on PostgreSQL, `datetime` on MariaDB/MySQL and SQLite). No type *string* is
 * accepted by all three (`timestamptz` is PostgreSQL-only, `datetime` is not PostgreSQL, `timestamp` is not
 * SQLite), and a decorator cannot know the driver. SQLite stores UTC text; PostgreSQL and MariaDB/MySQL store
 * the wall-clock time the driver writes (node-postgres: the process's time zone; mysql2: its `timezone`
 * option, `'Z'` recommended). So the entity sets its own time stamps in JavaScript instead of relying on the
 * database's `now()`/`CURRENT_TIMESTAMP`, which uses the *server's* session time zone and would read back
 * shifted whenever the app's time zone differs from it. Run the app with `TZ=UTC` (or keep it in one time zone)
 * when the database is PostgreSQL.
 *
 * Money is an integer number of New Taiwan dollars, never a float. No card data is ever stored here.
 *
 * @publicApi
 */
@Entity('ecpay_trade')
@Index('uq_ecpay_trade_merchant_trade_no', ['merchantId', 'merchantTradeNo'], { unique: true })
export class EcpayTrade extends EcpayRecord {
  /** A UUID generated in JavaScript (portable: no database UUID function needed). */
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 36, primaryKeyConstraintName: 'pk_ecpay_trade' })
  id!: string;

  /** MerchantID the trade was created under (for a platform member: the member's MerchantID). */
  @Column({ name: 'merchant_id', type: 'varchar', length: 10 })
  merchantId!: string;

  /** PlatformID, for trades of a platform's member; null otherwise. */
  @Column({ name: 'platform_id', type: 'varchar', length: 10, nullable: true })
  platformId!: string | null;

  /** MerchantTradeNo: unique per MerchantID, at most 20 letters and digits. */
  @Column({ name: 'merchant_trade_no', type: 'varchar', length: 20 })
  merchantTradeNo!: string;

  /** TotalAmount: an integer number of TWD. */
  @Column({ name: 'total_amount', type: 'int' })
  totalAmount!: number;

  @Column({ name: 'currency', type: 'varchar', length: 3, default: 'TWD' })
  currency!: string;

  @Index('idx_ecpay_trade_status')
  @Column({ name: 'status', type: 'varchar', length: 24, default: 'pending' })
  status!: EcpayTradeStatus;

  /** ChoosePayment as sent (ALL, Credit, ATM, CVS, BARCODE, WebATM, ApplePay, TWQR, BNPL, ...). */
  @Column({ name: 'choose_payment', type: 'varchar', length: 20 })
  choosePayment!: string;

  /**
   * The non-basic AIO options sent with the trade (installments, periodic payments, card binding, ATM/CVS
   * expiry, ...), as JSON text; null when there were none.
   */
  @Column({ name: 'payment_options', type: 'simple-json', nullable: true })
  paymentOptions!: EcpayPaymentOptions | null;

  @Column({ name: 'item_name', type: 'varchar', length: 400 })
  itemName!: string;

  @Column({ name: 'trade_desc', type: 'varchar', length: 200 })
  tradeDesc!: string;

  /** MerchantTradeDate exactly as sent: ECPay's text `yyyy/MM/dd HH:mm:ss`, Asia/Taipei time. */
  @Column({ name: 'merchant_trade_date', type: 'varchar', length: 20 })
  merchantTradeDate!: string;

  /** ECPay's TradeNo, once ECPay has reported it. */
  @Column({ name: 'ecpay_trade_no', type: 'varchar', length: 20, nullable: true })
  ecpayTradeNo!: string | null;

  /** PaymentType as ECPay reported it (e.g. `Credit_CreditCard`, `ATM_TAISHIN`). */
  @Column({ name: 'payment_type', type: 'varchar', length: 40, nullable: true })
  paymentType!: string | null;

  /** When ECPay says the money was paid (PaymentDate), with millisecond precision. */
  @Column({ name: 'paid_at', type: Date, precision: 3, nullable: true })
  paidAt!: Date | null;

  /** True for ECPay's SimulatePaid=1 test notifications: those are never money. */
  @Column({ name: 'simulated', type: 'boolean', default: false })
  simulated!: boolean;

  @Column({ name: 'custom_field1', type: 'varchar', length: 50, nullable: true })
  customField1!: string | null;

  @Column({ name: 'custom_field2', type: 'varchar', length: 50, nullable: true })
  customField2!: string | null;

  @Column({ name: 'custom_field3', type: 'varchar', length: 50, nullable: true })
  customField3!: string | null;

  @Column({ name: 'custom_field4', type: 'varchar', length: 50, nullable: true })
  customField4!: string | null;

  // ---- Operations (migration AddEcpayTradeOperations): what the library did to the trade after payment. ----

  /** TWD refunded so far by the library's refunds (R, or the void of a full refund). */
  @Column({ name: 'refunded_amount', type: 'int', default: 0 })
  refundedAmount!: number;

  /** TWD closed (captured) by the library's `capture` (DoAction C); null when the library never captured it. */
  @Column({ name: 'captured_amount', type: 'int', nullable: true })
  capturedAmount!: number | null;

  /**
   * Where the card authorization stands as far as the library knows: null — as the merchant's auto-close setting
   * says (see `cardStageOf`); `authorized` — not closed (a close the library cancelled with E); `close-requested` —
   * closed by the library's capture at `closeRequestedAt`, settled by ECPay's next 20:15 batch.
   */
  @Column({ name: 'close_state', type: 'varchar', length: 16, nullable: true })
  closeState!: EcpayCloseState | null;

  @Column({ name: 'close_requested_at', type: Date, precision: 3, nullable: true })
  closeRequestedAt!: Date | null;

  /**
   * The DoAction / period action in flight on this trade (or whose outcome is unknown): one at a time, claimed
   * with the trade's version, so two concurrent refunds cannot both pass the "what is left" check.
   */
  @Column({ name: 'pending_action_id', type: 'varchar', length: 36, nullable: true })
  pendingActionId!: string | null;

  /** Reconciliation: QueryTradeInfo calls made for this pending trade (ECPay's schedule allows three). */
  @Column({ name: 'reconcile_attempts', type: 'int', default: 0 })
  reconcileAttempts!: number;

  /** Reconciliation: not to be queried before this instant (null: from its creation time and attempts). */
  @Column({ name: 'reconcile_at', type: Date, precision: 3, nullable: true })
  reconcileAt!: Date | null;

  /** Reconciliation: the instance round holding the trade, and until when (several instances share the table). */
  @Column({ name: 'reconcile_locked_by', type: 'varchar', length: 64, nullable: true })
  reconcileLockedBy!: string | null;

  @Column({ name: 'reconcile_locked_until', type: Date, precision: 3, nullable: true })
  reconcileLockedUntil!: Date | null;
}
