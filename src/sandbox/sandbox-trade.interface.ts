/**
 * What the sandbox records about a trade. Plain data, JSON-serialisable: the control API answers with it as is.
 * No card number is ever kept; only its last four digits.
 */

/** Where a trade stands on the sandbox's side. @publicApi */
export type SandboxTradeStatus = 'created' | 'awaiting-3ds' | 'code-issued' | 'paid' | 'failed';

/**
 * A card authorization's state for DoAction (docs/protocol.md §7.2): `authorized` (已授權), `to-close` (要關帳, after C),
 * `closed` (已關帳, after the nightly close — `POST /__sandbox/settle`), `voided` (after N), `refunded` (fully, after R).
 *
 * @publicApi
 */
export type SandboxCreditState = 'authorized' | 'to-close' | 'closed' | 'voided' | 'refunded';

/** The payment methods the sandbox's page can complete. @publicApi */
export type SandboxPaymentMethod = 'Credit' | 'ATM' | 'CVS' | 'BARCODE' | 'WebATM' | 'ApplePay' | 'TWQR' | 'BNPL';

/** One post of a notification. @publicApi */
export interface SandboxDeliveryAttempt {
  /** 1 for the first post; a duplicate (fault) shares the number of the post it copies. */
  readonly attempt: number;
  /** When it was sent (sandbox clock, ISO 8601). */
  readonly at: string;
  readonly url: string;
  /** The RtnMsg of this post (ReturnURL: `交易成功` first, `paid` on re-posts). */
  readonly rtnMsg: string | undefined;
  /** HTTP status of the answer; absent when none came (refused, timeout). */
  readonly status?: number;
  /** The answer's body (first 500 characters). */
  readonly body?: string;
  /** Why no answer came. */
  readonly error?: string;
  /** Whether the answer was exactly HTTP 200 `1|OK`. */
  readonly acknowledged: boolean;
  /** A second copy sent by the `duplicateNotifications` fault. */
  readonly duplicate?: boolean;
}

/** Which of the merchant's URLs a notification goes to. @publicApi */
export type SandboxNotificationKind = 'return' | 'payment-info' | 'period-return';

/**
 * A server-to-server notification and where it stands: `sending` (first post under way), `retrying` (waiting for the
 * next post), `delivered` (answered `1|OK`), `failed` (every post unanswered), `dropped` (never sent: fault).
 *
 * @publicApi
 */
export interface SandboxNotification {
  readonly id: string;
  readonly kind: SandboxNotificationKind;
  readonly url: string;
  /**
   * `form` (the AIO family: a signed form post) or `json` (the ecpayment / ecpg family: the AES envelope
   * `{ MerchantID, RpHeader, TransCode, TransMsg, Data }` posted as `application/json`). Absent means `form`.
   */
  readonly format?: 'form' | 'json';
  /** The fields of the first post, signed (`{}` for a JSON notification). */
  readonly fields: Readonly<Record<string, string>>;
  /** A JSON notification's plaintext Data (card6 / last 4 digits only), for tests to read without decrypting. */
  readonly data?: Readonly<Record<string, unknown>>;
  status: 'sending' | 'retrying' | 'delivered' | 'failed' | 'dropped';
  readonly attempts: SandboxDeliveryAttempt[];
}

/** One DoAction call that changed the trade. @publicApi */
export interface SandboxCreditAction {
  readonly action: 'C' | 'R' | 'E' | 'N';
  readonly amount: number;
  readonly at: string;
}

/** The card side of a paid credit trade. @publicApi */
export interface SandboxCredit {
  state: SandboxCreditState;
  /** First six digits, when the card came through a JSON API (the AIO page keeps only the last four). */
  readonly card6?: string;
  readonly last4: string;
  /** ECI of the authorization: 5 after the sandbox's 3-D Secure step, 7 without it (JSON APIs only). */
  readonly eci?: number;
  readonly authCode: string;
  readonly gwsr: string;
  readonly processDate: string;
  readonly amount: number;
  /** Installments chosen (CreditInstallment), 0 for a single payment. */
  readonly installments: number;
  /** Amount C asked to close (要關帳); the authorized amount until then. */
  closeAmount: number;
  refundedAmount: number;
  readonly actions: SandboxCreditAction[];
}

/** One periodic charge (the first is the order's own payment). @publicApi */
export interface SandboxPeriodCharge {
  /** 1-based. */
  readonly times: number;
  readonly succeeded: boolean;
  readonly amount: number;
  readonly gwsr: string;
  readonly authCode: string;
  readonly processDate: string;
  readonly tradeNo: string;
}

/** A periodic (定期定額) order's schedule and history. @publicApi */
export interface SandboxPeriod {
  readonly periodType: string;
  readonly frequency: number;
  readonly execTimes: number;
  readonly amount: number;
  status: 'active' | 'cancelled' | 'done';
  readonly charges: SandboxPeriodCharge[];
}

/**
 * Which API created a trade: `aio` (AioCheckOut/V5, the default when absent), `back-auth` (BackAuth), `bind-card`
 * (the verification authorization of a card binding), `card-id` (CreatePaymentWithCardID).
 *
 * @publicApi
 */
export type SandboxTradeOrigin = 'aio' | 'back-auth' | 'bind-card' | 'card-id';

/** A trade as the sandbox holds it. @publicApi */
export interface SandboxTrade {
  /** Opaque id of the payment page (AIO) or of the 3-D Secure page (BackAuth). */
  readonly token: string;
  /** Absent for trades made before JSON APIs existed in the sandbox: read it as `aio`. */
  readonly origin?: SandboxTradeOrigin;
  readonly merchantId: string;
  readonly merchantTradeNo: string;
  /** ECPay's TradeNo. */
  readonly tradeNo: string;
  /**
   * The AioCheckOut/V5 fields as posted (form-decoded), without CheckMacValue. For a JSON trade: its OrderInfo
   * (and PlatformID, OrderResultURL, CustomField, MerchantMemberID) flattened to strings — never a card field.
   */
  readonly params: Readonly<Record<string, string>>;
  readonly totalAmount: number;
  /** yyyy/MM/dd HH:mm:ss, Asia/Taipei. */
  readonly tradeDate: string;
  status: SandboxTradeStatus;
  /** The method being paid with (ChoosePayment, or the customer's pick under ALL). */
  method?: SandboxPaymentMethod;
  /** PaymentType as ECPay reports it, e.g. `Credit_CreditCard`, `ATM_TAISHIN`. */
  paymentType?: string;
  paymentDate?: string;
  /** Last four digits (and, from BackAuth, the first six) and installments of the card waiting for 3-D Secure. */
  pendingCard?: { readonly last4: string; readonly installments: number; readonly card6?: string };
  /** Why the payment failed, when it did. */
  failure?: { readonly code: string; readonly message: string };
  credit?: SandboxCredit;
  /** The fields posted to PaymentInfoURL (ATM account / CVS code / barcodes). */
  paymentInfo?: Readonly<Record<string, string>>;
  period?: SandboxPeriod;
  readonly notifications: SandboxNotification[];
}
