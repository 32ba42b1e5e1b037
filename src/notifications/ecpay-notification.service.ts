import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { ECPAY_NOTIFICATION_OPTIONS, InjectEcpayDataSource } from '../config/ecpay.constants.js';
import type { DataSource, EntityManager } from 'typeorm';
import { exclusiveWrite } from '../persistence/exclusive-write.js';
import { isUniqueViolation } from '../persistence/unique-violation.js';
import { EcpayNotification, type EcpayNotificationKind } from '../persistence/ecpay-notification.entity.js';
import { decideNotification, dedupeKeyOf, expectedTrade, type NotificationDecision } from './notification-decision.js';
import { type LockedTrade, NotificationInbox } from './notification-inbox.js';
import { bindingResultOf, isBindingResult } from './card-binding.js';
import { EcpayTrade } from '../persistence/ecpay-trade.entity.js';
import { EcpayBoundCardStore } from '../persistence/ecpay-bound-card.store.js';
import type { EcpayNotificationOptions } from '../config/ecpay-options.interface.js';
import type { EcpayFormNotification } from './normalize-notification.js';
import { withDocumentedSpellings } from './notification-field-spellings.js';
import { InjectEcpayClock, type EcpayClock } from '../time/ecpay-clock.js';
import { eventDataOf, eventFieldsOf, normalizedEventFields } from './notification-event-data.js';
export type { EcpayNotificationOptions } from '../config/ecpay-options.interface.js';

/** What became of a received notification. @publicApi */
export interface EcpayReceipt {
  /** True when the same notification was received before: nothing changed this time. */
  readonly duplicate: boolean;
  /** The inbox row (the earlier one for a duplicate). */
  readonly notification: EcpayNotification;
}

const DEDUPE_INDEX = {
  index: 'uq_ecpay_notification_dedupe_key',
  table: 'ecpay_notification',
  columns: ['dedupe_key'],
} as const;

/**
 * How many times a notification is read and decided again when its write finds the trade changed since the read.
 * Each lost race means another notification of the same trade was stored in between; more than a handful at once
 * is not a real load, and failing (no `1|OK`, ECPay retries later) is the safe answer.
 */
const MAX_DECISIONS = 8;

/**
 * Receives verified notifications: it records each one in the inbox (its unique dedupe key turns ECPay's retries into
 * no-ops) together with its trade's state change through {@link decideNotification} — both or neither. Only when
 * `receive` resolves is the notification durable, so only then may the controller answer `1|OK`; when it throws,
 * the reply must not be `1|OK`, and ECPay retries.
 *
 * Concurrency is optimistic: the trade is read, the notification decided, and the write is guarded by the version
 * read (see {@link NotificationInbox}); a write that lost a race is decided again on the fresh state. Two copies of
 * one notification — from two app instances, or ECPay's retry crossing the first delivery — end with one row and
 * one state change, the other answered as a duplicate.
 *
 * Callers pass fields that a guard has already verified; nothing here checks a MAC.
 *
 * @publicApi
 */
@Injectable()
export class EcpayNotificationService {
  private readonly logger = new Logger('EcpayNotifications');

  constructor(
    @InjectEcpayDataSource() private readonly dataSource: DataSource,
    private readonly boundCards: EcpayBoundCardStore,
    // "now" for the inbox row (received, due, stamped) and the trade's update: the clock the dispatcher compares with.
    @InjectEcpayClock() private readonly clock: EcpayClock,
    @Optional() @Inject(ECPAY_NOTIFICATION_OPTIONS) private readonly options: EcpayNotificationOptions = {},
  ) {}

  /**
   * What a verified result posted to the JSON ReturnURL/OrderResultURL is, decided by what the library stored rather
   * than by the fields it carries: the library stores a trade for every payment it starts (AIO checkout, BackAuth, a
   * payment with a saved card) and none for a card binding. A result for a stored trade is that payment's — even when
   * it names the saved card it was paid with (BindCardID) — and settles it; a result with a BindCardID and no stored
   * trade is a card binding; anything else is the payment result `route` received (an orphan if no trade is ours).
   */
  async classifyEcpgResult(
    route: 'ecpg-return' | 'ecpg-order-result',
    fields: Readonly<Record<string, unknown>>,
  ): Promise<EcpayNotificationKind> {
    const data = (typeof fields.Data === 'object' && fields.Data !== null ? fields.Data : fields) as Record<
      string,
      unknown
    >;
    if (!isBindingResult(data)) return route;
    const stored = await this.dataSource.getRepository(EcpayTrade).existsBy({
      merchantId: String(fields.MerchantID ?? '').slice(0, 10),
      merchantTradeNo: String(fields.MerchantTradeNo ?? '').slice(0, 20),
    });
    return stored ? route : 'card-binding';
  }

  /**
   * Stores a verified notification given as its fields. A form notification (ReturnURL, PeriodReturnURL,
   * PaymentInfoURL) is normalised here, once — unless `normalized` brings what the edge already made of these very
   * fields (see {@link receiveNormalized}): then that is stored as the event's data and nothing is normalised again.
   */
  async receive(
    kind: EcpayNotificationKind,
    fields: Readonly<Record<string, unknown>>,
    receivedAt = this.clock.now(),
    normalized?: EcpayFormNotification,
  ): Promise<EcpayReceipt> {
    if (normalized && normalized.kind !== kind) {
      // A wiring mistake, not bad input: the event would carry another notification's schema.
      throw new TypeError(`A ${normalized.kind} notification cannot be received as ${kind}.`);
    }
    const eventFields = normalized ? normalizedEventFields(normalized) : eventFieldsOf(kind, fields);
    return this.store(kind, fields, eventFields, receivedAt);
  }

  /**
   * Stores a form notification that `@EcpayVerifiedNotification(kind)` (or `normalizeNotification`) validated and
   * normalised: its verified fields under their documented names, and — as the data its event hands handlers — the
   * normalised fields themselves, so nothing is normalised again, here or when the event is dispatched.
   */
  receiveNormalized(notification: EcpayFormNotification, receivedAt = this.clock.now()): Promise<EcpayReceipt> {
    const fields = withDocumentedSpellings(notification.kind, notification.raw);
    return this.receive(notification.kind, fields, receivedAt, notification);
  }

  private async store(
    kind: EcpayNotificationKind,
    fields: Readonly<Record<string, unknown>>,
    eventFields: Readonly<Record<string, unknown>>,
    receivedAt: Date,
  ): Promise<EcpayReceipt> {
    const dedupeKey = dedupeKeyOf(kind, fields, receivedAt);
    const merchantId = String(fields.MerchantID ?? '').slice(0, 10);
    const merchantTradeNo = String(fields.MerchantTradeNo ?? '').slice(0, 20);
    const inbox = NotificationInbox.of(this.dataSource, this.options);
    // A bound card is recorded in the inbox's transaction, after the row that dedupes it: only a binding result
    // stored for the first time writes the card, so a replay (the browser's ResultData, ECPay's retry) never
    // re-activates a card deleted since. Neither is written without the other.
    const binding = kind === 'card-binding' ? bindingResultOf(fields) : undefined;
    const sideEffect = binding
      ? (manager: EntityManager) => this.boundCards.recordBinding(binding, manager)
      : undefined;
    const first =
      inbox.writesInOneStatement && !sideEffect
        ? await this.receiveAsExpected(
            inbox,
            kind,
            fields,
            eventFields,
            dedupeKey,
            merchantId,
            merchantTradeNo,
            receivedAt,
          )
        : undefined;
    if (first) return first;
    for (let decision = 1; decision <= MAX_DECISIONS; decision++) {
      // sql.js: the read, the decision and the write run as one unit among the library's writes (one connection).
      const receipt = await exclusiveWrite(this.dataSource, async (): Promise<EcpayReceipt | undefined> => {
        const { trade, earlier } = await inbox.read(merchantId, merchantTradeNo, dedupeKey);
        if (earlier) return { duplicate: true, notification: earlier };
        const notification = this.inboxRow(kind, fields, dedupeKey, merchantId, merchantTradeNo, trade, receivedAt);
        const decided = decideNotification(kind, fields, trade);
        this.decide(notification, decided, eventFields, receivedAt);
        try {
          const written = await inbox.write(notification, trade, decided.changes, this.clock.now(), sideEffect);
          return written ? { duplicate: false, notification } : undefined;
        } catch (error) {
          // A copy stored between our read and our write: the whole write was undone; the copy's row answers.
          if (!isUniqueViolation(error, DEDUPE_INDEX)) throw error;
          const stored = await inbox.read(merchantId, merchantTradeNo, dedupeKey);
          if (!stored.earlier) throw error;
          return { duplicate: true, notification: stored.earlier };
        }
      });
      if (!receipt) continue;
      const { notification } = receipt;
      if (!receipt.duplicate && notification.outcome !== 'applied') {
        // Not secret: identifiers and the outcome only, never the payload.
        this.logger.warn(
          `${kind} notification for ${notification.merchantId}/${notification.merchantTradeNo}: ${notification.outcome}`,
        );
      }
      return receipt;
    }
    throw new Error(
      `Trade ${merchantId}/${merchantTradeNo} kept changing while a ${kind} notification was applied to it.`,
    );
  }

  /**
   * The normal case in one round trip (PostgreSQL): a notification that applies to its trade's current state is
   * stored with the decision it gets there, guarded by that state. Undefined when the guard did not hold — the
   * trade is elsewhere, missing, or this is a copy already stored — and nothing was written.
   */
  private async receiveAsExpected(
    inbox: NotificationInbox,
    kind: EcpayNotificationKind,
    fields: Readonly<Record<string, unknown>>,
    eventFields: Readonly<Record<string, unknown>>,
    dedupeKey: string,
    merchantId: string,
    merchantTradeNo: string,
    receivedAt: Date,
  ): Promise<EcpayReceipt | undefined> {
    const expected = expectedTrade(kind, fields);
    if (!expected) return undefined;
    const notification = this.inboxRow(kind, fields, dedupeKey, merchantId, merchantTradeNo, null, receivedAt);
    this.decide(notification, expected.decision, eventFields, receivedAt);
    try {
      const tradeId = await inbox.writeIfExpected(notification, expected, this.clock.now());
      return tradeId === undefined ? undefined : { duplicate: false, notification };
    } catch (error) {
      // A copy stored concurrently broke the unique dedupe key: the read below finds it.
      if (isUniqueViolation(error, DEDUPE_INDEX)) return undefined;
      throw error;
    }
  }

  /** Applies the decision to the row, with the event data it makes: stored with the row, handed to handlers as is. */
  private decide(
    notification: EcpayNotification,
    decision: NotificationDecision,
    eventFields: Readonly<Record<string, unknown>>,
    receivedAt: Date,
  ): void {
    notification.outcome = decision.outcome;
    notification.eventData = eventDataOf(notification.kind, decision.outcome, eventFields);
    notification.eventName = decision.event ?? null;
    notification.dispatchStatus = decision.event ? 'pending' : 'none';
    notification.nextAttemptAt = decision.event ? receivedAt : null;
  }

  private inboxRow(
    kind: EcpayNotificationKind,
    fields: Readonly<Record<string, unknown>>,
    dedupeKey: string,
    merchantId: string,
    merchantTradeNo: string,
    trade: LockedTrade | null,
    receivedAt: Date,
  ): EcpayNotification {
    const now = this.clock.now();
    return Object.assign(new EcpayNotification(), {
      id: randomUUID(),
      version: 1,
      createdAt: now,
      updatedAt: now,
      kind,
      dedupeKey,
      merchantId,
      merchantTradeNo,
      tradeId: trade?.id ?? null,
      payload: { ...fields },
      eventData: null, // set with the decision
      attempts: 0,
      completedHandlers: null,
      lastError: null,
      lockedUntil: null,
      lockedBy: null,
      receivedAt,
    });
  }
}
