import type { MigrationInterface, QueryRunner } from 'typeorm';
import { Table, TableColumn } from '../typeorm-peer.js';
import { DIALECTS, dialectOf, nullableVarchar, varchar } from './migration-dialects.js';

/**
 * Operations and reconciliation: the trade's refunded/captured amounts, its close state, the action in flight and
 * the reconciliation schedule/claim columns; and `ecpay_trade_action`, one row per capture/refund/void/period call.
 */
export class AddEcpayTradeOperations1795600000000 implements MigrationInterface {
  // Explicit, so the name recorded in the migrations table survives minification.
  readonly name = 'AddEcpayTradeOperations1795600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const d = DIALECTS[dialectOf(queryRunner)];
    await queryRunner.addColumns('ecpay_trade', [
      new TableColumn({ name: 'refunded_amount', type: d.integer, isNullable: false, default: '0' }),
      new TableColumn({ name: 'captured_amount', type: d.integer, isNullable: true }),
      new TableColumn(nullableVarchar('close_state', 16)),
      new TableColumn({ name: 'close_requested_at', isNullable: true, ...d.timestamp(3) }),
      new TableColumn(nullableVarchar('pending_action_id', 36)),
      new TableColumn({ name: 'reconcile_attempts', type: d.integer, isNullable: false, default: '0' }),
      new TableColumn({ name: 'reconcile_at', isNullable: true, ...d.timestamp(3) }),
      new TableColumn(nullableVarchar('reconcile_locked_by', 64)),
      new TableColumn({ name: 'reconcile_locked_until', isNullable: true, ...d.timestamp(3) }),
    ]);
    await queryRunner.createTable(
      new Table({
        name: 'ecpay_trade_action',
        columns: [
          varchar('id', 36, { isPrimary: true, primaryKeyConstraintName: 'pk_ecpay_trade_action' }),
          varchar('trade_id', 36),
          varchar('merchant_id', 10),
          varchar('merchant_trade_no', 20),
          varchar('operation', 16),
          varchar('operation_id', 36),
          varchar('action', 8),
          { name: 'amount', type: d.integer, isNullable: true },
          varchar('status', 16),
          { name: 'rtn_code', type: d.integer, isNullable: true },
          nullableVarchar('rtn_msg', 200),
          nullableVarchar('error', 500),
          { name: 'requested_at', isNullable: false, ...d.timestamp(3) },
          { name: 'completed_at', isNullable: true, ...d.timestamp(3) },
          { name: 'version', type: d.integer, isNullable: false },
          { name: 'created_at', isNullable: false, ...d.createdAt },
          { name: 'updated_at', isNullable: false, ...d.updatedAt },
        ],
        indices: [{ name: 'idx_ecpay_trade_action_trade', columnNames: ['trade_id'] }],
      }),
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('ecpay_trade_action', true);
    for (const column of [
      'reconcile_locked_until',
      'reconcile_locked_by',
      'reconcile_at',
      'reconcile_attempts',
      'pending_action_id',
      'close_requested_at',
      'close_state',
      'captured_amount',
      'refunded_amount',
    ]) {
      await queryRunner.dropColumn('ecpay_trade', column);
    }
  }
}
