import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TableColumn } from '../typeorm-peer.js';

/**
 * `ecpay_notification.event_data`: the event data handlers receive, normalised once when the notification is received
 * and stored with it. Nullable: rows stored before this migration have none, and the dispatcher still builds theirs
 * from the raw `payload` (`notifications/legacy-event-data.ts`). `text` on every database, like `payload`.
 */
export class AddEcpayNotificationEventData1795700000000 implements MigrationInterface {
  // Explicit, so the name recorded in the migrations table survives minification.
  readonly name = 'AddEcpayNotificationEventData1795700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'ecpay_notification',
      new TableColumn({ name: 'event_data', type: 'text', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('ecpay_notification', 'event_data');
  }
}
