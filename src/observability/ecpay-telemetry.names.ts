// The names nestjs-ecpay reports under, in OpenTelemetry's semantic-convention style: dotted lower-case names,
// counters named for what they count, durations as histograms in seconds. Dashboards and alerts are built on these
// strings, so they are part of the public contract (README, "Health and OpenTelemetry").

/** The instrumentation scope of every meter and tracer of the library. @publicApi */
export const ECPAY_INSTRUMENTATION_SCOPE = 'nestjs-ecpay';

/** Metric names. @publicApi */
export const ECPAY_METRICS = {
  /** Counter: notifications ECPay posted, by `ecpay.notification.kind` and `ecpay.notification.outcome`. */
  notificationsReceived: 'ecpay.notifications.received',
  /** Histogram (s): from the route's guard to the answer (verify, store, answer). */
  notificationDuration: 'ecpay.notification.duration',
  /** Histogram (s): how late an event reached its handlers, from when it became due to its claim. */
  dispatchLag: 'ecpay.dispatch.lag',
  /** Counter: handler runs that threw or timed out, by `ecpay.handler.name`. */
  handlerFailures: 'ecpay.handler.failures',
  /** Counter: calls to ECPay's server APIs, by `ecpay.api` and `ecpay.call.outcome`. */
  clientCalls: 'ecpay.client.calls',
  /** Histogram (s): one call to ECPay, network included, by `ecpay.api` and `ecpay.call.outcome`. */
  clientDuration: 'ecpay.client.duration',
  /** Counter: 403 breaker openings, by `ecpay.merchant.id`. */
  breakerOpenings: 'ecpay.breaker.openings',
} as const;

/** Attribute keys. Identifiers only: never a HashKey, a HashIV, a card number or a payload. @publicApi */
export const ECPAY_ATTRIBUTES = {
  notificationKind: 'ecpay.notification.kind',
  notificationOutcome: 'ecpay.notification.outcome',
  rejectionReason: 'ecpay.notification.rejection_reason',
  eventId: 'ecpay.event.id',
  eventName: 'ecpay.event.name',
  handlerName: 'ecpay.handler.name',
  api: 'ecpay.api',
  callOutcome: 'ecpay.call.outcome',
  merchantId: 'ecpay.merchant.id',
  merchantTradeNo: 'ecpay.merchant_trade_no',
  errorType: 'error.type',
  httpMethod: 'http.request.method',
  httpStatus: 'http.response.status_code',
  serverAddress: 'server.address',
  serverPort: 'server.port',
} as const;

/** What became of one call to ECPay. @publicApi */
export type EcpayCallOutcome =
  'ok' | 'breaker_open' | 'rate_limited' | 'timeout' | 'aborted' | 'transport_error' | 'http_error' | 'error';

/**
 * What became of one notification ECPay posted: a stored outcome (`applied`, `orphan`, `amount-mismatch`, …),
 * `duplicate` (stored before), `rejected` (refused before storing: bad CheckMacValue, malformed body…) or
 * `store_failed` (answered 503, ECPay retries). @publicApi
 */
export type EcpayReceivedOutcome = string;

/** Durations of one exchange, as OpenTelemetry's HTTP conventions bucket them (seconds). */
export const CALL_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
/** Lags of the dispatcher: a poll interval to an hour of backoff. */
export const LAG_BUCKETS_S = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
