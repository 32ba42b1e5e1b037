import { randomUUID } from 'node:crypto';
import { BeforeInsert, BeforeUpdate, CreateDateColumn, UpdateDateColumn, VersionColumn } from './typeorm-peer.js';

/**
 * What every nestjs-ecpay table has besides its own columns: a UUID id (declared by each entity, which names its
 * primary key constraint), an optimistic-lock version and timestamps. The timestamps are set here in JavaScript,
 * never by the database's clock, whose session time zone may differ from the app's (see EcpayTrade).
 */
export abstract class EcpayRecord {
  abstract id: string;

  /** Optimistic lock: incremented by every update; update with `WHERE version = <the version you read>`. */
  @VersionColumn({ name: 'version', type: 'int' })
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: Date })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: Date })
  updatedAt!: Date;

  @BeforeInsert()
  protected beforeEcpayRecordInsert(): void {
    this.id ??= randomUUID();
    const now = new Date();
    this.createdAt ??= now;
    this.updatedAt ??= now;
  }

  @BeforeUpdate()
  protected beforeEcpayRecordUpdate(): void {
    this.updatedAt = new Date();
  }
}
