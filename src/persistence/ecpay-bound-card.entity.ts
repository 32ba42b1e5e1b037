import { Column, Entity, Index, PrimaryColumn } from './typeorm-peer.js';
import { EcpayRecord } from './ecpay-record.js';

/** Whether a bound card can still be charged. @publicApi */
export type EcpayBoundCardStatus = 'active' | 'deleted';

/**
 * A card a member bound through ECPay (BindingCard / the AIO `BindingCard=1` option), identified by ECPay's
 * BindCardID.
 *
 * Never a full card number: only the first 6 and last 4 digits, exactly as ECPay returns them (Card6No,
 * Card4No), and the expiry month/year when ECPay gives them. No CVV, no PAN, ever.
 *
 * Column types are explicit and portable across sql.js/SQLite, PostgreSQL and MariaDB/MySQL; see
 * {@link EcpayTrade} for how time stamps are typed and set.
 *
 * @publicApi
 */
@Entity('ecpay_bound_card')
@Index('uq_ecpay_bound_card_member_bind_card_id', ['merchantId', 'merchantMemberId', 'bindCardId'], { unique: true })
export class EcpayBoundCard extends EcpayRecord {
  /** A UUID generated in JavaScript. */
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 36, primaryKeyConstraintName: 'pk_ecpay_bound_card' })
  id!: string;

  @Column({ name: 'merchant_id', type: 'varchar', length: 10 })
  merchantId!: string;

  /** MerchantMemberID: the merchant's own member id as sent to ECPay. */
  @Column({ name: 'merchant_member_id', type: 'varchar', length: 64 })
  merchantMemberId!: string;

  /** ECPay's BindCardID. */
  @Column({ name: 'bind_card_id', type: 'varchar', length: 64 })
  bindCardId!: string;

  /** Card6No: the first 6 digits, as ECPay returns them. */
  @Column({ name: 'card6_no', type: 'varchar', length: 6 })
  card6No!: string;

  /** Card4No: the last 4 digits, as ECPay returns them. */
  @Column({ name: 'card4_no', type: 'varchar', length: 4 })
  card4No!: string;

  /** Expiry month, `MM`, when ECPay returns it. */
  @Column({ name: 'card_valid_mm', type: 'varchar', length: 2, nullable: true })
  cardValidMm!: string | null;

  /** Expiry year, `YY`, when ECPay returns it. */
  @Column({ name: 'card_valid_yy', type: 'varchar', length: 2, nullable: true })
  cardValidYy!: string | null;

  @Column({ name: 'status', type: 'varchar', length: 16, default: 'active' })
  status!: EcpayBoundCardStatus;
}
