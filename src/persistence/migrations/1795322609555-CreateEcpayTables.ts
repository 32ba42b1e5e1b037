import type { MigrationInterface, QueryRunner, TableColumnOptions } from 'typeorm';
import { Table } from '../typeorm-peer.js';
import { DIALECTS, dialectOf, nullableVarchar, quoted, varchar } from './migration-dialects.js';

/**
 * Creates `ecpay_trade` and `ecpay_bound_card` with their indexes, on PostgreSQL, MariaDB/MySQL and SQLite,
 * through TypeORM's schema builder (no hand-written SQL), so each driver writes its own DDL.
 */
export class CreateEcpayTables1795322609555 implements MigrationInterface {
  // Explicit, so the name recorded in the migrations table survives minification.
  readonly name = 'CreateEcpayTables1795322609555';

  async up(queryRunner: QueryRunner): Promise<void> {
    const d = DIALECTS[dialectOf(queryRunner)];
    const bookkeeping: TableColumnOptions[] = [
      { name: 'version', type: d.integer, isNullable: false },
      { name: 'created_at', isNullable: false, ...d.createdAt },
      { name: 'updated_at', isNullable: false, ...d.updatedAt },
    ];

    await queryRunner.createTable(
      new Table({
        name: 'ecpay_trade',
        columns: [
          varchar('id', 36, { isPrimary: true, primaryKeyConstraintName: 'pk_ecpay_trade' }),
          varchar('merchant_id', 10),
          nullableVarchar('platform_id', 10),
          varchar('merchant_trade_no', 20),
          { name: 'total_amount', type: d.integer, isNullable: false },
          varchar('currency', 3, { default: quoted('TWD') }),
          varchar('status', 24, { default: quoted('pending') }),
          varchar('choose_payment', 20),
          { name: 'payment_options', type: 'text', isNullable: true },
          varchar('item_name', 400),
          varchar('trade_desc', 200),
          varchar('merchant_trade_date', 20),
          nullableVarchar('ecpay_trade_no', 20),
          nullableVarchar('payment_type', 40),
          { name: 'paid_at', isNullable: true, ...d.timestamp(3) },
          { name: 'simulated', type: 'boolean', isNullable: false, default: d.falseDefault },
          nullableVarchar('custom_field1', 50),
          nullableVarchar('custom_field2', 50),
          nullableVarchar('custom_field3', 50),
          nullableVarchar('custom_field4', 50),
          ...bookkeeping,
        ],
        indices: [
          {
            name: 'uq_ecpay_trade_merchant_trade_no',
            columnNames: ['merchant_id', 'merchant_trade_no'],
            isUnique: true,
          },
          { name: 'idx_ecpay_trade_status', columnNames: ['status'] },
        ],
      }),
      true,
    );

    await queryRunner.createTable(
      new Table({
        name: 'ecpay_bound_card',
        columns: [
          varchar('id', 36, { isPrimary: true, primaryKeyConstraintName: 'pk_ecpay_bound_card' }),
          varchar('merchant_id', 10),
          varchar('merchant_member_id', 64),
          varchar('bind_card_id', 64),
          varchar('card6_no', 6),
          varchar('card4_no', 4),
          nullableVarchar('card_valid_mm', 2),
          nullableVarchar('card_valid_yy', 2),
          varchar('status', 16, { default: quoted('active') }),
          ...bookkeeping,
        ],
        indices: [
          {
            name: 'uq_ecpay_bound_card_member_bind_card_id',
            columnNames: ['merchant_id', 'merchant_member_id', 'bind_card_id'],
            isUnique: true,
          },
        ],
      }),
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // dropTable drops the tables' indexes with them.
    await queryRunner.dropTable('ecpay_bound_card', true);
    await queryRunner.dropTable('ecpay_trade', true);
  }
}
