import type { MigrationInterface, QueryRunner } from 'typeorm';
import { Table } from '../typeorm-peer.js';
import { DIALECTS, dialectOf, nullableVarchar, quoted, varchar } from './migration-dialects.js';

/** Creates `ecpay_notification`, the inbox of verified ECPay notifications. */
export class CreateEcpayNotifications1795400000000 implements MigrationInterface {
  // Explicit, so the name recorded in the migrations table survives minification.
  readonly name = 'CreateEcpayNotifications1795400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const d = DIALECTS[dialectOf(queryRunner)];
    await queryRunner.createTable(
      new Table({
        name: 'ecpay_notification',
        columns: [
          varchar('id', 36, { isPrimary: true, primaryKeyConstraintName: 'pk_ecpay_notification' }),
          varchar('kind', 24),
          varchar('dedupe_key', 191),
          varchar('merchant_id', 10),
          varchar('merchant_trade_no', 20),
          nullableVarchar('trade_id', 36),
          varchar('outcome', 24),
          nullableVarchar('event_name', 40),
          { name: 'payload', type: 'text', isNullable: false },
          varchar('dispatch_status', 16, { default: quoted('none') }),
          { name: 'attempts', type: d.integer, isNullable: false, default: '0' },
          { name: 'completed_handlers', type: 'text', isNullable: true },
          nullableVarchar('last_error', 500),
          { name: 'next_attempt_at', isNullable: true, ...d.timestamp(3) },
          { name: 'locked_until', isNullable: true, ...d.timestamp(3) },
          nullableVarchar('locked_by', 64),
          { name: 'received_at', isNullable: false, ...d.timestamp(3) },
          { name: 'version', type: d.integer, isNullable: false },
          { name: 'created_at', isNullable: false, ...d.createdAt },
          { name: 'updated_at', isNullable: false, ...d.updatedAt },
        ],
        indices: [
          { name: 'uq_ecpay_notification_dedupe_key', columnNames: ['dedupe_key'], isUnique: true },
          { name: 'idx_ecpay_notification_dispatch', columnNames: ['dispatch_status', 'next_attempt_at'] },
        ],
      }),
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('ecpay_notification', true);
  }
}
