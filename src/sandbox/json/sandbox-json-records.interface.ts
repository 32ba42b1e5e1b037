/**
 * What the sandbox records for ECPay's JSON/AES APIs (BackAuth, QueryTrade, the ecpg card binding). Plain data,
 * JSON-serialisable: the control API answers with it as is. A card is never kept beyond its first six and last four
 * digits and its expiry (ECPay itself returns those three in every binding answer).
 */

/** The part of a card the sandbox may keep. @publicApi */
export interface SandboxCardSummary {
  /** First six digits (the BIN). */
  readonly card6: string;
  /** Last four digits. */
  readonly last4: string;
  /** Expiry month, `01`–`12`. */
  readonly validMM: string;
  /** Expiry year, two digits. */
  readonly validYY: string;
}

/**
 * A card-binding session opened by `GetTokenbyBindingCard`: `awaiting-card` (binding page shown), `awaiting-3ds`
 * (card entered, OTP asked), `card-verified` (BindCardPayToken issued), `bound` (CreateBindCard done).
 *
 * @publicApi
 */
export interface SandboxBindingSession {
  /** The Token GetTokenbyBindingCard answered; the binding page is `/__sandbox/bind/:token`. */
  readonly token: string;
  readonly merchantId: string;
  /** PlatformID of the request ('' for an ordinary merchant). */
  readonly platformId: string;
  readonly merchantMemberId: string;
  /** The order the binding's verification authorization is recorded under (a trade of origin `bind-card`). */
  readonly merchantTradeNo: string;
  /** yyyy/MM/dd HH:mm:ss, Asia/Taipei. */
  readonly createdAt: string;
  status: 'awaiting-card' | 'awaiting-3ds' | 'card-verified' | 'bound';
  /** The card entered on the binding page, reduced to what may be kept. */
  card?: SandboxCardSummary;
  /** What the binding page hands the shop's front end (ECPay's JS SDK `getPayToken`), one use only. */
  bindCardPayToken?: string;
  /**
   * Sandbox only: where the page posts the BindCardPayToken once the card is verified (`?return=` on the page's URL),
   * standing in for the shop's front-end code that receives it from ECPay's SDK and sends it to its server.
   */
  returnUrl?: string;
  /** Set once CreateBindCard has bound the card. */
  bindCardId?: string;
}

/** A card bound to a member by CreateBindCard. @publicApi */
export interface SandboxBoundCard {
  /** 64 hex characters. */
  readonly bindCardId: string;
  readonly merchantId: string;
  readonly merchantMemberId: string;
  readonly card: SandboxCardSummary;
  /** yyyy/MM/dd HH:mm:ss, Asia/Taipei. */
  readonly boundAt: string;
  /** Set by DeleteMemberBindCard; a deleted card can no longer pay. */
  deletedAt?: string;
}

/** The JSON/AES APIs the sandbox serves. @publicApi */
export type SandboxJsonApi =
  | 'backAuth'
  | 'queryTrade'
  | 'getTokenByBindingCard'
  | 'createBindCard'
  | 'createPaymentWithCardId'
  | 'getMemberBindCard'
  | 'deleteMemberBindCard';

/**
 * One request that reached a JSON/AES API (after the 403 / 500 faults, which turn requests away before they are
 * read). Lets a test prove how many BackAuth calls ECPay saw, e.g. that a client did not resend after a timeout.
 *
 * @publicApi
 */
export interface SandboxJsonApiCall {
  readonly api: SandboxJsonApi;
  /** When it arrived (sandbox clock, ISO 8601). */
  readonly at: string;
  /** The envelope's MerchantID, when there was one. */
  readonly merchantId?: string;
  readonly merchantTradeNo?: string;
  /** 1 when the envelope opened; the sandbox's refusal code otherwise. */
  readonly transCode: number;
  /** Data.RtnCode of the answer (absent when TransCode ≠ 1). */
  readonly rtnCode?: number;
}
