import type { EcpayEvent, EcpayEventName } from './ecpay-event.interface.js';

/** Options of `@OnEcpayEvent(name, options)`. @publicApi */
export interface OnEcpayEventOptions {
  /**
   * How many times, first run included, the durable dispatcher may run this handler for one event before it gives
   * up and parks the event. A hint: the dispatcher's own default applies when absent. When a method carries several
   * `@OnEcpayEvent` with different budgets, the largest wins. A positive integer.
   */
  readonly maxAttempts?: number;
}

/** The second argument every handler receives. @publicApi */
export interface EcpayHandlerContext {
  /** The handler's stable id (`ClassName.methodName`), as in dispatch reports and logs. */
  readonly handlerId: string;
  /**
   * Aborted when the handler's time is up. JavaScript cannot stop a running function, so a handler that ignores it
   * keeps running after it has been reported failed (and may be re-driven): pass it to `fetch` and other I/O.
   */
  readonly signal: AbortSignal;
}

/** The shape a method must have to carry `@OnEcpayEvent`. @publicApi */
// `any` lets a method narrow the event's data (`EcpayEvent<PaymentData>`) and still be accepted.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type EcpayEventHandlerMethod = (event: EcpayEvent<any>, context: EcpayHandlerContext) => unknown;

/** One discovered handler: a decorated method bound to its (singleton) instance. @publicApi */
export interface EcpayHandlerRef {
  /**
   * `ClassName.methodName`; `Module/ClassName.methodName` (then `#n`) only when that is not unique. Stable across
   * restarts.
   */
  readonly id: string;
  readonly className: string;
  readonly methodName: string;
  /** The events it listens to, in the order written (`'*'` = every event). */
  readonly events: readonly (EcpayEventName | '*')[];
  /** The merged decorator options. */
  readonly options: Readonly<OnEcpayEventOptions>;
  /** Calls the method on its instance (`this` is the instance). */
  readonly invoke: (event: EcpayEvent<object>, context: EcpayHandlerContext) => unknown;
}

/**
 * The outcome of one handler in one dispatch. `error` is the error's message only, redacted and truncated.
 *
 * @publicApi
 */
export type EcpayHandlerResult =
  | { readonly handlerId: string; readonly ok: true; readonly durationMs: number }
  | { readonly handlerId: string; readonly ok: false; readonly error: string; readonly durationMs: number };

/** What `EcpayEventBus.publish` returns: one result per handler run, in run order. @publicApi */
export interface EcpayDispatchReport {
  readonly eventId: string;
  readonly results: readonly EcpayHandlerResult[];
}

/** Options of `EcpayEventBus.publish`. @publicApi */
export interface EcpayPublishOptions {
  /**
   * Run only these handler ids (the durable dispatcher re-drives just the ones that failed). An id that no longer
   * handles this event (removed, renamed, unsubscribed) is reported failed rather than silently dropped. An empty
   * list runs nothing. The named handlers run in the usual (id) order, whatever the order of this list.
   */
  readonly only?: readonly string[];
  /** Per-handler time limit for this dispatch, in ms. Default: the bus's `timeoutMs` (30 000). */
  readonly timeoutMs?: number;
}

/** Options of `EcpayEventBus`, provided under `ECPAY_EVENT_BUS_OPTIONS` (or passed to its constructor). @publicApi */
export interface EcpayEventBusOptions {
  /** Per-handler time limit in ms, after which the run counts as failed and its signal is aborted. Default: 30 000. */
  readonly timeoutMs?: number;
}
