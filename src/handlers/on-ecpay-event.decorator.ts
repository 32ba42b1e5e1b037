import { SetMetadata } from '@nestjs/common';
import { ECPAY_EVENT_NAMES, type EcpayEventName } from './ecpay-event.interface.js';
import type { EcpayEventHandlerMethod, OnEcpayEventOptions } from './ecpay-handler.interface.js';
import { ECPAY_EVENT_HANDLER_METADATA } from './ecpay-handlers.constants.js';

/** One `@OnEcpayEvent(event, options)` on a method. */
export interface EcpayEventSubscription {
  readonly event: EcpayEventName | '*';
  readonly options: Readonly<OnEcpayEventOptions>;
}

/** The decorator `@OnEcpayEvent()` returns: only methods shaped like {@link EcpayEventHandlerMethod} accept it. */
export type OnEcpayEventDecorator = <T extends EcpayEventHandlerMethod>(
  target: object,
  propertyKey: string | symbol,
  descriptor: TypedPropertyDescriptor<T>,
) => void;

/**
 * Runs the decorated method for every event named `name` (`'*'`: every event). Repeat the decorator to listen to
 * several events. The method receives the {@link EcpayEvent} and an {@link EcpayHandlerContext}; it may be async.
 *
 * Handlers run at least once per event (a failed or timed-out one is run again later), so they must be idempotent:
 * key side effects on `event.id`. They live on singleton providers or controllers; request-scoped ones are skipped
 * with a warning.
 *
 * @example
 * ```ts
 * @Injectable()
 * export class OrdersListener {
 *   @OnEcpayEvent('payment.succeeded')
 *   async markPaid(event: EcpayEvent) {
 *     await this.orders.markPaid(event.merchantTradeNo, { eventId: event.id });
 *   }
 *
 *   @OnEcpayEvent('payment.failed')
 *   @OnEcpayEvent('period.failed', { maxAttempts: 3 })
 *   async notifyFailure(event: EcpayEvent, { signal }: EcpayHandlerContext) {
 *     await fetch(this.alertUrl, { method: 'POST', body: event.id, signal });
 *   }
 * }
 * ```
 * @publicApi
 */
export function OnEcpayEvent(name: EcpayEventName | '*', options: OnEcpayEventOptions = {}): OnEcpayEventDecorator {
  return (target, propertyKey, descriptor) => {
    const where = `${typeof target === 'function' ? target.name : target.constructor.name}.${String(propertyKey)}`;
    checkSubscription(where, target, propertyKey, name, options);
    // Prepend: decorators apply bottom-up, so this keeps the subscriptions in the order they are written.
    const subscription: EcpayEventSubscription = { event: name, options: { ...options } };
    SetMetadata(ECPAY_EVENT_HANDLER_METADATA, [subscription, ...getEcpayEventSubscriptions(descriptor.value)])(
      target,
      propertyKey,
      descriptor,
    );
  };
}

/** The `@OnEcpayEvent` subscriptions on a method (empty when it has none). */
export function getEcpayEventSubscriptions(method: unknown): readonly EcpayEventSubscription[] {
  if (typeof method !== 'function') return [];
  const found: unknown = Reflect.getMetadata(ECPAY_EVENT_HANDLER_METADATA, method);
  return Array.isArray(found) ? (found as EcpayEventSubscription[]) : [];
}

// Checked while the class is defined, so a typo (or a JavaScript caller) fails at start-up with the method named.
function checkSubscription(
  where: string,
  target: object,
  propertyKey: string | symbol,
  name: string,
  options: OnEcpayEventOptions,
): void {
  if (typeof target === 'function') {
    throw new TypeError(`@OnEcpayEvent on ${where}: static methods cannot be handlers; use an instance method.`);
  }
  if (typeof propertyKey === 'symbol') {
    throw new TypeError(`@OnEcpayEvent on ${where}: symbol-named methods cannot be handlers; use a string name.`);
  }
  if (name !== '*' && !(ECPAY_EVENT_NAMES as readonly string[]).includes(name)) {
    throw new TypeError(
      `@OnEcpayEvent on ${where}: unknown event "${name}"; use '*' or one of ${ECPAY_EVENT_NAMES.join(', ')}.`,
    );
  }
  const { maxAttempts } = options;
  if (maxAttempts !== undefined && !(Number.isSafeInteger(maxAttempts) && maxAttempts > 0)) {
    throw new TypeError(
      `@OnEcpayEvent on ${where}: maxAttempts must be a positive integer (got ${String(maxAttempts)}).`,
    );
  }
}
