import type { MigrationInterface, QueryRunner } from 'typeorm';
import { Table } from '../typeorm-peer.js';
import { DIALECTS, dialectOf, varchar } from './migration-dialects.js';

/** Creates `ecpay_rate_limit`: the 403 circuit breaker every app instance shares (one row per merchant). */
export class CreateEcpayRateLimits1795500000000 implements MigrationInterface {
  // Explicit, so the name recorded in the migrations table survives minification.
  readonly name = 'CreateEcpayRateLimits1795500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const d = DIALECTS[dialectOf(queryRunner)];
    await queryRunner.createTable(
      new Table({
        name: 'ecpay_rate_limit',
        columns: [
          varchar('merchant_id', 10, { isPrimary: true, primaryKeyConstraintName: 'pk_ecpay_rate_limit' }),
          { name: 'blocked_until', isNullable: false, ...d.timestamp(3) },
          { name: 'opened_at', isNullable: false, ...d.timestamp(3) },
          varchar('api', 40),
        ],
      }),
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('ecpay_rate_limit', true);
  }
}
