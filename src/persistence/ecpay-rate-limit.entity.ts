import { Column, Entity, PrimaryColumn } from './typeorm-peer.js';

/**
 * One merchant's 403 circuit breaker, shared by every app instance on the database (see `EcpayTypeOrmRateLimitStore`).
 * A row whose `blockedUntil` has passed is a closed breaker; rows are overwritten, never accumulated (one per
 * merchant). Time stamps come from the module's clock, never the database's (see {@link EcpayTrade} on time zones).
 *
 * @publicApi
 */
@Entity('ecpay_rate_limit')
export class EcpayRateLimit {
  /** The MerchantID ECPay answered 403 to. */
  @PrimaryColumn({ name: 'merchant_id', type: 'varchar', length: 10, primaryKeyConstraintName: 'pk_ecpay_rate_limit' })
  merchantId!: string;

  /** Calls for the merchant are refused until this instant. */
  @Column({ name: 'blocked_until', type: Date, precision: 3 })
  blockedUntil!: Date;

  /** When the 403 was met. */
  @Column({ name: 'opened_at', type: Date, precision: 3 })
  openedAt!: Date;

  /** The API whose call met the 403. */
  @Column({ name: 'api', type: 'varchar', length: 40 })
  api!: string;
}
