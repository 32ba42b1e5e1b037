/**
 * What the sandbox records about a trade. Plain data, JSON-serialisable: the control API answers with it as is.
 * No card number is ever kept; only its last four digits.
 */

/** Where a trade stands on the sandbox's side. @publicApi */
export type SandboxTradeStatus = 'created' | 'awaiting-3ds' | 'code-issued' | 'paid' | 'failed';

/**
 * A card authorization's state for DoAction (PROTOCOL.md §3.1): `authorized` (已授權), `to-close` (要關帳, after C),
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
  /** The fields of the first post, signed. */
  readonly fields: Readonly<Record<string, string>>;
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
  readonly last4: string;
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

/** A trade as the sandbox holds it. @publicApi */
export interface SandboxTrade {
  /** Opaque id of the payment page. */
  readonly token: string;
  readonly merchantId: string;
  readonly merchantTradeNo: string;
  /** ECPay's TradeNo. */
  readonly tradeNo: string;
  /** The AioCheckOut/V5 fields as posted (form-decoded), without CheckMacValue. */
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
  /** Last four digits and installments of the card waiting for 3-D Secure. */
  pendingCard?: { readonly last4: string; readonly installments: number };
  /** Why the payment failed, when it did. */
  failure?: { readonly code: string; readonly message: string };
  credit?: SandboxCredit;
  /** The fields posted to PaymentInfoURL (ATM account / CVS code / barcodes). */
  paymentInfo?: Readonly<Record<string, string>>;
  period?: SandboxPeriod;
  readonly notifications: SandboxNotification[];
}
