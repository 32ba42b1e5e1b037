/** Metadata key under which `@OnEcpayEvent` stores a method's subscriptions (an array: the decorator may repeat). */
export const ECPAY_EVENT_HANDLER_METADATA = 'ECPAY:EVENT_HANDLER';

/** Injection token of the optional {@link EcpayEventBusOptions} read by `EcpayEventBus`'s constructor. */
export const ECPAY_EVENT_BUS_OPTIONS = Symbol('ECPAY:EVENT_BUS_OPTIONS');

/** How long one handler may run for one event before it counts as failed (30 s). */
export const DEFAULT_HANDLER_TIMEOUT_MS = 30_000;

/** The longest `setTimeout` delay Node honours; a larger one fires at once. */
export const MAX_HANDLER_TIMEOUT_MS = 2_147_483_647;

/** Longest error text kept in a dispatch report or a log line. */
export const MAX_HANDLER_ERROR_LENGTH = 500;
