import type { EcpayRateLimitStore, EcpayRedisClient } from './ecpay-rate-limit-store.interface.js';
import type { EcpayClock } from '../time/ecpay-clock.js';

/**
 * Which ECPay the module talks to: `stage` (ECPay's test servers), `production`, or `sandbox` (the local stand-in
 * for ECPay that ships with this library, for demos and offline tests).
 *
 * @publicApi
 */
export type EcpayEnvironment = 'stage' | 'production' | 'sandbox';

/** The environments, for validation and documentation. @publicApi */
export const ECPAY_ENVIRONMENTS: readonly EcpayEnvironment[] = ['stage', 'production', 'sandbox'];

/**
 * A merchant that signs with its own keys.
 *
 * @publicApi
 */
export interface EcpayMerchantOptions {
  /** ECPay MerchantID (特店編號), letters and digits, at most 10 characters. */
  merchantId: string;
  /** HashKey from ECPay's vendor back office: exactly 16 characters. Never logged. */
  hashKey: string;
  /** HashIV from ECPay's vendor back office: exactly 16 characters. Never logged. */
  hashIv: string;
}

/**
 * A merchant that trades under a platform merchant (平台商): its requests carry `PlatformID` and are signed with the
 * platform's HashKey/HashIV (docs/protocol.md §1.2), so it has no keys of its own here.
 *
 * @publicApi
 */
export interface EcpayPlatformMemberOptions {
  /** The member's MerchantID. */
  merchantId: string;
  /** The MerchantID of the platform; that merchant must be configured with keys (as the default or in `merchants`). */
  platformId: string;
}

/**
 * Options of `EcpayModule.forRoot()` / `forRootAsync()`. The top-level merchant is the default one; others are
 * named in `merchants`. Every option is validated at start-up and a bad one stops the app with a message naming it.
 * There are no default credentials: production refuses ECPay's public stage credentials.
 *
 * @publicApi
 */
export interface EcpayModuleOptions extends EcpayMerchantOptions {
  /** `stage`, `production` or `sandbox`. Required: never guessed. */
  environment: EcpayEnvironment;
  /**
   * Further merchants by name, e.g. `{ shopB: { merchantId, hashKey, hashIv }, member: { merchantId, platformId } }`.
   * Calls pick one with `{ merchant: 'shopB' }` (or its MerchantID); incoming notifications are matched by MerchantID.
   */
  merchants?: Record<string, EcpayMerchantOptions | EcpayPlatformMemberOptions>;
  /**
   * The app's public base URL as ECPay's servers reach it, e.g. `https://shop.example.com`. Checkout derives the
   * default ReturnURL (`/ecpay/return`), PeriodReturnURL (`/ecpay/period-return`) and PaymentInfoURL
   * (`/ecpay/payment-info`) from it; without it every order must name its ReturnURL.
   */
  publicUrl?: string;
  /**
   * Where the browser goes after ECPay posts it the result (OrderResultURL): a path of the shop (`/orders/done`) or
   * an absolute URL; `merchantTradeNo` and `rtnCode` are added to its query. Default `/`. Show the order's stored
   * status there: ReturnURL, not the browser, is what changes it.
   */
  orderResultPage?: string;
  /** Base URL of the local sandbox when `environment` is `sandbox`, e.g. `http://127.0.0.1:3000/ecpay-sandbox`. */
  sandboxUrl?: string;
  /** The clock the module reads "now" from. Default: the system clock. Tests inject a fixed or moving one. */
  clock?: EcpayClock;
  /** How events are delivered to `@OnEcpayEvent` handlers: polling interval, retries, backoff, lease. */
  dispatch?: EcpayDispatchOptions;
  /**
   * How notifications are stored: `{ preparedStatements: false }` for PostgreSQL behind PgBouncer (or another pooler)
   * in transaction mode.
   */
  notifications?: EcpayNotificationOptions;
  /** The circuit breaker that ECPay's HTTP 403 ("too fast, wait 30 minutes") opens for a merchant. */
  rateLimit?: EcpayRateLimitOptions;
  /**
   * Whether the merchant uses ECPay's daily auto-close (自動關帳, a vendor back-office setting). Default true. It
   * decides the refund recipe: with it a card trade waits for its close (要關帳) from payment until the day's 20:15
   * batch and is closed (已關帳) after; without it a trade stays authorized (已授權) until `capture`.
   */
  autoClose?: boolean;
  /** The scheduled query of trades ECPay never reported on. Off unless `enabled: true`. */
  reconciliation?: EcpayReconciliationOptions;
}

/**
 * Where the 403 breaker keeps its state, and for how long it stays open. The state must be shared by every app
 * instance: by default it lives in the app's database when persistence is on (table `ecpay_rate_limit`), in memory
 * otherwise; `redis` puts it in Redis instead, `store` anywhere else. The browser checkout is never affected.
 *
 * @publicApi
 */
export interface EcpayRateLimitOptions {
  /** How long a 403 pauses every call for the merchant. Default 30 minutes (1 800 000 ms), as ECPay asks. */
  windowMs?: number;
  /** A connected ioredis 5 (or compatible) client the app owns: the breaker then lives in Redis. */
  redis?: EcpayRedisClient;
  /** Prefix of the Redis keys. Default `ecpay:rate-limit:`. */
  keyPrefix?: string;
  /** Any other {@link EcpayRateLimitStore}; not together with `redis`. */
  store?: EcpayRateLimitStore;
}

/** How the inbox is dispatched to `@OnEcpayEvent` handlers. @publicApi */
export interface EcpayDispatchOptions {
  /**
   * How often to look for due events (retries, and events left over by a crash). 0 turns polling off. Default 1,000 ms.
   */
  readonly pollIntervalMs?: number;
  /** Runs per event before it is parked as `failed` (visible; re-drive with `redrive`). Default 8. */
  readonly maxAttempts?: number;
  /** The first retry's delay; each next one doubles, up to `maxBackoffMs`. Default 1,000 ms. */
  readonly backoffMs?: number;
  /** Default 1 hour. */
  readonly maxBackoffMs?: number;
  /**
   * How long an instance holds a claimed event before another may take it over (its process died). The lease is
   * taken per event and renewed before each of its handlers, so it only has to outlive ONE handler: it must exceed
   * the handlers' timeout by a margin (`leaseMarginMs`), or the module refuses to start. Default 120,000 ms.
   */
  readonly leaseMs?: number;
  /**
   * The time limit of each handler run by the dispatcher, in ms. Default: the event bus's
   * (`EcpayEventBusOptions.timeoutMs`, 30,000). A handler still running after it counts as failed and its `signal` is
   * aborted.
   */
  readonly handlerTimeoutMs?: number;
  /**
   * Due events claimed per round, together with one statement, then run one at a time (each renews its lease when
   * what is left would not outlive its next handler). Should this instance die, the events it had claimed wait for
   * their lease (`leaseMs`) to run out before another instance takes them. Default 50.
   */
  readonly batchSize?: number;
}

/** How notifications are stored (module option `notifications`). @publicApi */
export interface EcpayNotificationOptions {
  /**
   * PostgreSQL: send the inbox's statements as named prepared statements, parsed once per connection (default true).
   * Set false behind a connection pooler in transaction mode (PgBouncer `pool_mode = transaction`), where a statement
   * prepared on one server connection does not exist on the next.
   */
  readonly preparedStatements?: boolean;
}

/**
 * The scheduled reconciliation of trades ECPay never reported on (docs/protocol.md §8.4): card/TWQR/online trades are
 * queried 10, 20 and 40 minutes after they were created; ATM/CVS/BARCODE only after their payment code expired.
 *
 * @publicApi
 */
export interface EcpayReconciliationOptions {
  /** Run rounds on a timer. Default false: `EcpayService.reconcile()` still runs one on demand. */
  enabled?: boolean;
  /** Milliseconds between rounds. Default 60,000. */
  intervalMs?: number;
  /** Trades examined per round. Default 50. */
  batchSize?: number;
  /** How long an instance holds a claimed trade (longer than a query's timeout). Default 60,000 ms. */
  leaseMs?: number;
  /**
   * After a failed query (timeout, bad MAC, 403…), how long until that trade is tried again. Default 600,000 ms
   * (10 min).
   */
  retryDelayMs?: number;
}
