import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager, Repository } from 'typeorm';
import { ECPAY_BOUND_CARD_REPOSITORY } from '../config/ecpay.constants.js';
import { EcpayBoundCard } from './ecpay-bound-card.entity.js';
import { exclusiveWrite } from './exclusive-write.js';

/** What a successful binding result tells about the card (docs/protocol.md §6.7: BindCardID, CardInfo). */
export interface EcpayBoundCardRecord {
  readonly merchantId: string;
  readonly merchantMemberId: string;
  readonly bindCardId: string;
  readonly card6: string;
  readonly card4: string;
  readonly cardValidMm: string | null;
  readonly cardValidYy: string | null;
}

/**
 * Keeps {@link EcpayBoundCard}s in step with ECPay's binding results. One row per member and BindCardID: ECPay
 * answers a re-bound card with `IsSameCard: true` and the same BindCardID, which updates that row rather than adding
 * one. Idempotent, so a notification retried after a failure writes the same row again.
 *
 * @publicApi
 */
@Injectable()
export class EcpayBoundCardStore {
  constructor(@Inject(ECPAY_BOUND_CARD_REPOSITORY) private readonly cards: Repository<EcpayBoundCard>) {}

  /**
   * Records (or refreshes) the card. With `manager`, the write joins that transaction — the notification inbox
   * passes its own, so the card is written only with a binding result stored for the first time — and runs at once
   * (the caller already holds the sql.js write queue).
   */
  async recordBinding(result: EcpayBoundCardRecord, manager?: EntityManager): Promise<void> {
    const now = new Date();
    const cards = manager ? manager.getRepository(EcpayBoundCard) : this.cards;
    const write = () =>
      cards
        .createQueryBuilder()
        .insert()
        .into(EcpayBoundCard)
        .values({
          id: randomUUID(),
          version: 1,
          merchantId: result.merchantId.slice(0, 10),
          merchantMemberId: result.merchantMemberId.slice(0, 64),
          bindCardId: result.bindCardId.slice(0, 64),
          card6No: result.card6.slice(0, 6),
          card4No: result.card4.slice(0, 4),
          cardValidMm: result.cardValidMm?.slice(0, 2) ?? null,
          cardValidYy: result.cardValidYy?.slice(0, 2) ?? null,
          status: 'active',
          createdAt: now,
          updatedAt: now,
        })
        // A known card keeps its row (id, creation time); its details and status are refreshed.
        .orUpdate(
          ['card6_no', 'card4_no', 'card_valid_mm', 'card_valid_yy', 'status', 'updated_at'],
          ['merchant_id', 'merchant_member_id', 'bind_card_id'],
        )
        .execute();
    await (manager ? write() : exclusiveWrite(this.cards.manager.connection, write));
  }

  /** Marks a card the member deleted at ECPay; false when the library had no such card. */
  async markDeleted(merchantId: string, merchantMemberId: string, bindCardId: string): Promise<boolean> {
    const result = await exclusiveWrite(this.cards.manager.connection, () =>
      this.cards.update({ merchantId, merchantMemberId, bindCardId }, { status: 'deleted', updatedAt: new Date() }),
    );
    return result.affected === 1;
  }

  findActive(merchantId: string, merchantMemberId: string): Promise<EcpayBoundCard[]> {
    return this.cards.find({ where: { merchantId, merchantMemberId, status: 'active' }, order: { createdAt: 'ASC' } });
  }
}
