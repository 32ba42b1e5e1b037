import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager, QueryDeepPartialEntity } from 'typeorm';
import { IsNull } from '../persistence/typeorm-peer.js';
import type { EcpayEventName } from '../handlers/ecpay-event.interface.js';
import { EcpayOperationError } from '../errors/ecpay-operation.error.js';
import { EcpayNotification } from '../persistence/ecpay-notification.entity.js';
import { dedupeKeyOf } from '../notifications/notification-decision.js';
import { eventDataOf, eventFieldsOf } from '../notifications/notification-event-data.js';
import { exclusiveWrite } from '../persistence/exclusive-write.js';
import { EcpayTradeAction } from '../persistence/ecpay-trade-action.entity.js';
import { EcpayTrade } from '../persistence/ecpay-trade.entity.js';
import type { EcpayTradeChanges } from '../persistence/ecpay-trade.store.js';

/** How often a step's completion is retried when a notification of the same trade moved its version meanwhile. */
const MAX_WRITES = 8;

/** The event an operation raises when its last call succeeded, stored in the inbox with the trade's change. */
export interface OperationEvent {
  readonly name: EcpayEventName;
  readonly payload: Record<string, unknown>;
}

/**
 * The writes of an operation, each one transaction (sql.js: one exclusive unit):
 *
 * - `begin` claims the trade for one action — `pending_action_id` is set by an update guarded by the version the
 *   plan was made from, so of two concurrent operations only one passes its "what is left" check; the other finds
 *   the trade changed, reads it again and is refused;
 * - `succeed` records ECPay's answer, applies the trade's change (guarded by the version again), hands the claim
 *   to the next call of the operation or releases it, and stores the operation's event in the inbox;
 * - `fail` records a refusal and releases the claim; `unknown` records an unknown outcome and keeps the claim, so
 *   nothing is sent for the trade until someone resolves it.
 */
export class TradeActionLedger {
  constructor(private readonly dataSource: DataSource) {}

  begin(trade: EcpayTrade, action: EcpayTradeAction): Promise<boolean> {
    return this.write(async (manager) => {
      const claimed = await manager
        .getRepository(EcpayTrade)
        .update(
          { id: trade.id, version: trade.version, pendingActionId: IsNull() },
          { pendingActionId: action.id, updatedAt: new Date() },
        );
      if (claimed.affected !== 1) return false;
      await manager.getRepository(EcpayTradeAction).insert(action);
      return true;
    });
  }

  async succeed(
    action: EcpayTradeAction,
    answer: { rtnCode: number | null; rtnMsg: string | null; error?: string | null },
    changes: (trade: EcpayTrade) => EcpayTradeChanges,
    options: { next?: EcpayTradeAction; event?: (before: EcpayTrade, after: EcpayTrade) => OperationEvent; now: Date },
  ): Promise<EcpayTrade> {
    for (let attempt = 0; attempt < MAX_WRITES; attempt++) {
      const written = await this.write(async (manager) => {
        const trades = manager.getRepository(EcpayTrade);
        const trade = await trades.findOneByOrFail({ id: action.tradeId });
        // Someone settled the action meanwhile (resolveAction): its result is already recorded, not ours to write.
        if (trade.pendingActionId !== action.id) {
          throw new EcpayOperationError(
            'already-resolved',
            `Trade ${trade.merchantTradeNo} is no longer held by action ${action.id}.`,
            trade.merchantTradeNo,
            action.id,
          );
        }
        const change = { ...changes(trade), pendingActionId: options.next?.id ?? null, updatedAt: new Date() };
        const updated = await trades.update({ id: trade.id, version: trade.version }, change);
        if (updated.affected !== 1) return undefined;
        await manager.getRepository(EcpayTradeAction).update(
          { id: action.id },
          {
            status: 'succeeded',
            rtnCode: answer.rtnCode,
            rtnMsg: answer.rtnMsg,
            error: answer.error ?? null,
            completedAt: options.now,
          },
        );
        if (options.next) await manager.getRepository(EcpayTradeAction).insert(options.next);
        const after = Object.assign(new EcpayTrade(), trade, change, { version: trade.version + 1 });
        if (options.event) await this.insertEvent(manager, after, options.event(trade, after), options.now);
        return after;
      });
      if (written) return written;
    }
    // ECPay answered, but the answer could not be recorded: the action still holds the trade, and resolving it
    // after a query (as for any unknown outcome) records it without sending anything again.
    throw new EcpayOperationError(
      'outcome-unknown',
      `Trade of action ${action.id} kept changing while its result was recorded. Query the trade and call resolveAction('${action.id}', 'succeeded' | 'failed').`,
      action.merchantTradeNo,
      action.id,
    );
  }

  fail(
    action: EcpayTradeAction,
    answer: { rtnCode: number | null; rtnMsg: string | null; error: string },
    now: Date,
  ): Promise<void> {
    return this.write(async (manager) => {
      await manager.getRepository(EcpayTradeAction).update(
        { id: action.id },
        {
          status: 'failed',
          rtnCode: answer.rtnCode,
          rtnMsg: answer.rtnMsg?.slice(0, 200) ?? null,
          error: answer.error.slice(0, 500),
          completedAt: now,
        },
      );
      await manager
        .getRepository(EcpayTrade)
        .update({ id: action.tradeId, pendingActionId: action.id }, { pendingActionId: null, updatedAt: new Date() });
    });
  }

  unknown(action: EcpayTradeAction, error: string): Promise<void> {
    return this.write(async (manager) => {
      await manager
        .getRepository(EcpayTradeAction)
        .update({ id: action.id }, { status: 'unknown', error: error.slice(0, 500) });
    });
  }

  private async insertEvent(
    manager: EntityManager,
    trade: EcpayTrade,
    event: OperationEvent,
    now: Date,
  ): Promise<void> {
    const payload = { MerchantID: trade.merchantId, MerchantTradeNo: trade.merchantTradeNo, ...event.payload };
    const row: Partial<EcpayNotification> = {
      id: randomUUID(),
      version: 1,
      createdAt: now,
      updatedAt: now,
      kind: 'operation',
      dedupeKey: dedupeKeyOf('operation', payload),
      merchantId: trade.merchantId,
      merchantTradeNo: trade.merchantTradeNo,
      tradeId: trade.id,
      outcome: 'applied',
      eventName: event.name,
      payload,
      // What handlers get, stored with the row like a received notification's.
      eventData: eventDataOf('operation', 'applied', eventFieldsOf('operation', payload)),
      dispatchStatus: 'pending',
      attempts: 0,
      completedHandlers: null,
      lastError: null,
      // The dispatcher compares with the module clock: due at the clock's now.
      nextAttemptAt: now,
      lockedUntil: null,
      lockedBy: null,
      receivedAt: now,
    };
    await manager.getRepository(EcpayNotification).insert(row as QueryDeepPartialEntity<EcpayNotification>);
  }

  private write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return exclusiveWrite(this.dataSource, () => this.dataSource.transaction(work));
  }
}
