// Log lines of the handlers concern. None of them may carry an event's payload or data (personal data): only
// handler ids, event names and ids, durations and already-redacted error messages.

export const NON_STATIC_HANDLER = (className: string, methodName: string): string =>
  `${className}.${methodName} has @OnEcpayEvent but its provider is request-scoped (or depends on a request-scoped ` +
  `provider), so it has no instance outside a request. It is not registered; make the provider a singleton (the default scope).`;

export const HANDLERS_REGISTERED = (handlers: readonly { id: string; events: readonly string[] }[]): string =>
  handlers.length === 0
    ? 'No @OnEcpayEvent handlers found'
    : `${handlers.length} @OnEcpayEvent handler(s): ${handlers.map((h) => `${h.id} (${h.events.join(', ')})`).join('; ')}`;

export const HANDLER_FAILED = (
  handlerId: string,
  eventName: string,
  eventId: string,
  durationMs: number,
  error: string,
): string =>
  `ECPay event handler ${handlerId} failed on ${eventName} (event ${eventId}) after ${durationMs} ms: ${error}`;

export const HANDLER_TIMED_OUT = (timeoutMs: number): string => `Timed out after ${timeoutMs} ms`;

export const UNKNOWN_HANDLER = (handlerId: string, eventName: string): string =>
  `No handler ${handlerId} listens to ${eventName} (removed, renamed, or no longer subscribed)`;
