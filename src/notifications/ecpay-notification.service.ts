import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { DataSource, EntityManager, QueryDeepPartialEntity } from 'typeorm';
import { EcpayTrade } from '../persistence/ecpay-trade.entity.js';
import { exclusiveWrite } from '../persistence/exclusive-write.js';
import { isUniqueViolation } from '../persistence/unique-violation.js';
import { EcpayNotification, type EcpayNotificationKind } from './ecpay-notification.entity.js';
import { decideNotification, dedupeKeyOf } from './notification-decision.js';

/** What became of a received notification. @publicApi */
export interface EcpayReceipt {
  /** True when the same notification was received before: nothing changed this time. */
  readonly duplicate: boolean;
  /** The inbox row (the earlier one for a duplicate). */
  readonly notification: EcpayNotification;
}

const DEDUPE_INDEX = { index: 'uq_ecpay_notification_dedupe_key', table: 'ecpay_notification', columns: ['dedupe_key'] } as const;

/** Thrown inside the transaction to roll it back when the dedupe key already exists. */
class DuplicateNotification extends Error {}

/**
 * Receives verified notifications: in ONE transaction it records the notification in the inbox (its unique dedupe
 * key turns ECPay's retries into no-ops) and applies it to its trade through {@link decideNotification}. Only when
 * `receive` resolves is the notification durable, so only then may the controller answer `1|OK`; when it throws,
 * the reply must not be `1|OK`, and ECPay retries.
 *
 * Callers pass fields that a guard has already verified; nothing here checks a MAC.
 *
 * @publicApi
 */
@Injectable()
export class EcpayNotificationService {
  private readonly logger = new Logger('EcpayNotifications');

  constructor(private readonly dataSource: DataSource) {}

  async receive(kind: EcpayNotificationKind, fields: Readonly<Record<string, unknown>>, receivedAt = new Date()): Promise<EcpayReceipt> {
    const dedupeKey = dedupeKeyOf(kind, fields);
    try {
      const notification = await exclusiveWrite(this.dataSource, () =>
        this.dataSource.transaction((manager) => this.apply(manager, kind, fields, dedupeKey, receivedAt)),
      );
      if (notification.outcome !== 'applied') {
        // Not secret: identifiers and the outcome only, never the payload.
        this.logger.warn(`${kind} notification for ${notification.merchantId}/${notification.merchantTradeNo}: ${notification.outcome}`);
      }
      return { duplicate: false, notification };
    } catch (error) {
      if (!(error instanceof DuplicateNotification) && !isUniqueViolation(error, DEDUPE_INDEX)) throw error;
      const earlier = await this.dataSource.getRepository(EcpayNotification).findOneByOrFail({ dedupeKey });
      return { duplicate: true, notification: earlier };
    }
  }

  private async apply(
    manager: EntityManager,
    kind: EcpayNotificationKind,
    fields: Readonly<Record<string, unknown>>,
    dedupeKey: string,
    receivedAt: Date,
  ): Promise<EcpayNotification> {
    const merchantId = String(fields.MerchantID ?? '').slice(0, 10);
    const merchantTradeNo = String(fields.MerchantTradeNo ?? '').slice(0, 20);
    const trades = manager.getRepository(EcpayTrade);
    // Lock the trade first: concurrent copies of one notification queue here, and the second finds the first's inbox
    // row below. (For an orphan there is no row to lock; the inbox's unique index decides alone.) Three statements
    // in all — this is the path every notification takes.
    const trade = await trades.findOne({
      where: { merchantId, merchantTradeNo },
      // SQLite has one writer at a time; the server databases lock the row against a concurrent notification.
      ...(this.supportsRowLocks() ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    const decision = decideNotification(kind, fields, trade);
    const notification = manager.getRepository(EcpayNotification).create({
      id: randomUUID(),
      kind,
      dedupeKey,
      merchantId,
      merchantTradeNo,
      tradeId: trade?.id ?? null,
      outcome: decision.outcome,
      eventName: decision.event ?? null,
      payload: { ...fields },
      dispatchStatus: decision.event ? 'pending' : 'none',
      attempts: 0,
      completedHandlers: null,
      lastError: null,
      nextAttemptAt: decision.event ? receivedAt : null,
      lockedUntil: null,
      lockedBy: null,
      receivedAt,
    });
    try {
      // TypeORM's deep-partial type cannot see through the payload's open JSON type; the object is a full entity.
      await manager.getRepository(EcpayNotification).insert(notification as QueryDeepPartialEntity<EcpayNotification>);
    } catch (error) {
      if (isUniqueViolation(error, DEDUPE_INDEX)) throw new DuplicateNotification();
      throw error;
    }
    if (trade && decision.changes) {
      const result = await trades.update({ id: trade.id, version: trade.version }, { ...decision.changes, updatedAt: new Date() });
      // The row is locked (or SQLite serialises writers), so the version cannot have moved; if it did, fail loudly
      // rather than answer 1|OK for a change that was not made.
      if (result.affected !== 1) throw new Error(`Trade ${trade.id} changed while a notification was applied to it.`);
    }
    return notification;
  }

  private supportsRowLocks(): boolean {
    return ['postgres', 'mysql', 'mariadb'].includes(this.dataSource.options.type);
  }
}
