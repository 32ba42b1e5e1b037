import type { EcpayClock } from '../time/ecpay-clock.js';

/** A merchant the sandbox knows, with the keys it verifies requests and signs answers with. @publicApi */
export interface EcpaySandboxMerchant {
  merchantId: string;
  /** 16 characters, as ECPay issues them. */
  hashKey: string;
  /** 16 characters, as ECPay issues them. */
  hashIv: string;
}

/**
 * Misbehaviour the sandbox can put on, to test what an app does when ECPay misbehaves. Set at `forRoot`, at runtime
 * with `POST /__sandbox/faults` or through {@link EcpaySandboxStore.setFaults}.
 *
 * @publicApi
 */
export interface EcpaySandboxFaults {
  /**
   * Answer every server API (QueryTradeInfo, DoAction, the period APIs, and the JSON/AES APIs: BackAuth, QueryTrade,
   * the card binding family) with HTTP 403, ECPay's rate limit (docs/protocol.md §8.1). The request is not carried out.
   */
  rateLimit?: boolean;
  /** Answer every server API with HTTP 500; the request is not carried out. */
  serverError?: boolean;
  /**
   * Hold every server API answer this many milliseconds. The AIO form APIs wait before handling the request; the
   * JSON/AES APIs handle it first and then wait, so a client timeout leaves a BackAuth authorized all the same.
   */
  delayMs?: number;
  /** Never send the next N notifications (ReturnURL, PaymentInfoURL, PeriodReturnURL), as if ECPay lost them. */
  dropNotifications?: number;
  /** Send every notification post twice, as ECPay sometimes does. */
  duplicateNotifications?: boolean;
}

/**
 * Options of `EcpaySandboxModule.forRoot()`.
 *
 * @publicApi
 */
export interface EcpaySandboxOptions {
  /** The merchants the sandbox accepts. Default: ECPay's public stage merchant 3002607 (docs/protocol.md §4.3). */
  merchants?: readonly EcpaySandboxMerchant[];
  /**
   * Path prefix of every sandbox route: `''` (the default) when the sandbox runs alone, e.g. `/ecpay-sandbox` when it
   * is mounted inside an app. ECPay's own paths hang off it unchanged (`/ecpay-sandbox/Cashier/AioCheckOut/V5`).
   */
  prefix?: string;
  /**
   * Milliseconds to wait before each re-post of a notification that was not answered exactly `1|OK`. Its length is
   * the number of re-posts. Default: ECPay's 4 re-posts 5–15 minutes apart (5 posts in all, docs/protocol.md §6.1);
   * tests compress it, e.g. `[20, 20, 20, 20]`.
   */
  retrySchedule?: readonly number[];
  /** Where the sandbox reads "now" (PaymentDate, TradeDate, the TimeStamp window). Default: the system clock. */
  clock?: EcpayClock;
  /** Faults in force from the start. */
  faults?: EcpaySandboxFaults;
  /** How long one notification post may take before it counts as unanswered. Default 10 000 ms (ECPay's budget). */
  notificationTimeoutMs?: number;
  /**
   * The merchants use ECPay's daily auto-close (每日自動關帳, the common setting and the library's default): every
   * card authorization waits for the 20:15 close (要關帳) from the start, so DoAction sees it as to be closed — E
   * cancels that, then N voids. `false`: authorizations stay authorized until a C. Default true.
   */
  autoClose?: boolean;
}

/** The options after defaults and checks. */
export interface ResolvedEcpaySandboxOptions {
  readonly merchants: readonly EcpaySandboxMerchant[];
  readonly prefix: string;
  readonly retrySchedule: readonly number[];
  readonly clock: EcpayClock;
  readonly faults: Readonly<EcpaySandboxFaults>;
  readonly notificationTimeoutMs: number;
  readonly autoClose: boolean;
}
