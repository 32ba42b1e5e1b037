import { Column, Entity, Index, PrimaryColumn } from './typeorm-peer.js';
import { EcpayRecord } from './ecpay-record.js';

/** The high-level operation an action belongs to. @publicApi */
export type EcpayOperationType = 'refund' | 'capture' | 'cancel' | 'period-cancel' | 'period-reauth';

/** The ECPay call of one action: DoAction C/R/E/N, or CreditCardPeriodAction ReAuth/Cancel. @publicApi */
export type EcpayActionCode = 'C' | 'R' | 'E' | 'N' | 'ReAuth' | 'Cancel';

/**
 * Where one call stands:
 * - `pending` — being sent (or the process died while it was: then it is as unknown as `unknown`);
 * - `succeeded` / `failed` — ECPay's verified answer (RtnCode), or a resolution after a query;
 * - `unknown` — the call timed out or broke after it may have reached ECPay. It is never sent again by itself:
 *   query the trade (vendor back office, `EcpayClient.queryCreditDetail` in production) and resolve it.
 *
 * @publicApi
 */
export type EcpayActionStatus = 'pending' | 'succeeded' | 'failed' | 'unknown';

/**
 * One call the library made to change a trade's money after payment (capture, refund, void, period actions). A
 * refund of a trade waiting for its close is two calls (E then N) sharing one `operationId`.
 *
 * @publicApi
 */
@Entity('ecpay_trade_action')
@Index('idx_ecpay_trade_action_trade', ['tradeId'])
export class EcpayTradeAction extends EcpayRecord {
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 36, primaryKeyConstraintName: 'pk_ecpay_trade_action' })
  id!: string;

  @Column({ name: 'trade_id', type: 'varchar', length: 36 })
  tradeId!: string;

  @Column({ name: 'merchant_id', type: 'varchar', length: 10 })
  merchantId!: string;

  @Column({ name: 'merchant_trade_no', type: 'varchar', length: 20 })
  merchantTradeNo!: string;

  @Column({ name: 'operation', type: 'varchar', length: 16 })
  operation!: EcpayOperationType;

  /** Shared by the calls of one operation (E and N of a full refund). */
  @Column({ name: 'operation_id', type: 'varchar', length: 36 })
  operationId!: string;

  @Column({ name: 'action', type: 'varchar', length: 8 })
  action!: EcpayActionCode;

  /** TotalAmount sent (integer TWD); null for period actions, which send none. */
  @Column({ name: 'amount', type: 'int', nullable: true })
  amount!: number | null;

  @Column({ name: 'status', type: 'varchar', length: 16 })
  status!: EcpayActionStatus;

  @Column({ name: 'rtn_code', type: 'int', nullable: true })
  rtnCode!: number | null;

  @Column({ name: 'rtn_msg', type: 'varchar', length: 200, nullable: true })
  rtnMsg!: string | null;

  /** Why the call failed or is unknown (the error's message; never keys or payloads). */
  @Column({ name: 'error', type: 'varchar', length: 500, nullable: true })
  error!: string | null;

  @Column({ name: 'requested_at', type: Date, precision: 3 })
  requestedAt!: Date;

  @Column({ name: 'completed_at', type: Date, precision: 3, nullable: true })
  completedAt!: Date | null;
}
