/**
 * What a BackAuth call ended in (docs/protocol.md §7.6). Holds no card number, expiry or CVV — only the first six and
 * last four digits ECPay returns.
 */

/** The card part of an authorization (BackAuth Data.CardInfo). Numbers are null when ECPay left them out. @publicApi */
export interface EcpayBackAuthCardResult {
  /** Card6No: first six digits (the BIN). */
  readonly card6: string;
  /** Card4No: last four digits. */
  readonly card4: string;
  /** AuthCode: the bank's authorization code. */
  readonly authCode: string;
  /** Gwsr: ECPay's authorization ID (what CreditDetail/QueryTrade calls CreditRefundId). */
  readonly gwsr: number | null;
  /** Eci: 5, 6, 2 or 1 mean the payment went through 3-D Secure. */
  readonly eci: number | null;
  /** ProcessDate, read as Asia/Taipei wall-clock time; null if absent or not a date (the money has moved anyway). */
  readonly processDate: Date | null;
  /** Amount: the authorized amount. */
  readonly amount: number | null;
  readonly issuingBank: string;
  readonly issuingBankCode: string;
  /** Installments: Stage (count), Stast (first payment), Staed (each later payment); null without installments. */
  readonly installment: {
    readonly stages: number | null;
    readonly firstAmount: number | null;
    readonly eachAmount: number | null;
  } | null;
  /** Bonus points: RedDan (used), RedDeAmt (deducted), RedOkAmt (charged), RedYet (left); null when not redeemed. */
  readonly redeem: {
    readonly pointsUsed: number | null;
    readonly deductedAmount: number | null;
    readonly chargedAmount: number | null;
    readonly pointsLeft: number | null;
  } | null;
  /** Periodic plan as ECPay echoes it; null for a one-off authorization. */
  readonly period: {
    readonly periodType: string;
    readonly frequency: number | null;
    readonly execTimes: number | null;
    readonly periodAmount: number | null;
    readonly totalSuccessTimes: number | null;
    readonly totalSuccessAmount: number | null;
  } | null;
}

/**
 * ECPay wants the cardholder to pass 3-D Secure: send the browser to `url` with a top-level redirect (HTTP 302 or
 * `location.assign`). Never in an iframe — ECPay forbids it and banks' ACS pages refuse to be framed. The outcome
 * arrives later at ReturnURL (server) and OrderResultURL (browser).
 *
 * @publicApi
 */
export interface EcpayBackAuthThreeDSecure {
  readonly status: 'three-d-secure';
  /** ThreeDURL. */
  readonly url: string;
  readonly merchantTradeNo: string;
}

/** The card was authorized (RtnCode 1, no 3-D Secure step). @publicApi */
export interface EcpayBackAuthAuthorized {
  readonly status: 'authorized';
  readonly merchantTradeNo: string;
  /** ECPay's TradeNo: keep it with the order (refunds and captures need it). */
  readonly tradeNo: string;
  /** TradeAmt (or, if absent, CardInfo.Amount). */
  readonly amount: number | null;
  readonly paymentType: string;
  readonly tradeDate: Date | null;
  readonly paymentDate: Date | null;
  readonly chargeFee: number | null;
  readonly processFee: number | null;
  /** TradeStatus as ECPay sent it (`1` = paid). */
  readonly tradeStatus: string;
  readonly customField: string;
  readonly card: EcpayBackAuthCardResult;
  /**
   * `backauth` when ECPay answered the BackAuth call itself, `query` when learned from QueryTrade after a lost answer.
   */
  readonly source: 'backauth' | 'query';
}

/**
 * ECPay answered and said no: declined, invalid card, invalid order (RtnCode ≠ 1). Nothing was charged; a new
 * attempt needs a new MerchantTradeNo. Match on `rtnCode`, not on `rtnMsg` (its wording is not a contract).
 *
 * @publicApi
 */
export interface EcpayBackAuthFailed {
  readonly status: 'failed';
  readonly merchantTradeNo: string;
  /** RtnCode; null if ECPay sent none or not a number. */
  readonly rtnCode: number | null;
  readonly rtnMsg: string;
}

/** Why a BackAuth outcome is unknown. @publicApi */
export type EcpayBackAuthUnknownReason =
  /** The QueryTrade after the lost answer failed as well (timeout, connection, envelope). */
  | 'query-failed'
  /** QueryTrade answered RtnCode ≠ 1 (e.g. it does not know the order yet). */
  | 'query-rejected'
  /** The order exists but is not paid yet (TradeStatus 0: bank still answering, or 3-D Secure pending). */
  | 'pending'
  /** QueryTrade answered with a TradeStatus this library does not interpret. */
  | 'unrecognized-status';

/**
 * BackAuth's answer was lost (timeout, connection failure) and QueryTrade could not settle it. The card MAY have
 * been authorized: do not charge again with a new MerchantTradeNo; query `merchantTradeNo` later (ECPay: after 10
 * minutes, again 10 minutes later while TradeStatus is 0) or wait for the ReturnURL notification.
 *
 * @publicApi
 */
export interface EcpayBackAuthUnknown {
  readonly status: 'unknown';
  readonly merchantTradeNo: string;
  readonly reason: EcpayBackAuthUnknownReason;
  /** QueryTrade's RtnCode/RtnMsg (query-rejected) or TradeStatus (pending, unrecognized-status), when there was one. */
  readonly rtnCode?: number | null;
  readonly rtnMsg?: string;
  readonly tradeStatus?: string;
}

/** What `parseBackAuthResult` reads from BackAuth's Data. @publicApi */
export type EcpayBackAuthParsedResult = EcpayBackAuthThreeDSecure | EcpayBackAuthAuthorized | EcpayBackAuthFailed;

/** What `EcpayBackAuthService.backAuth()` resolves to. @publicApi */
export type EcpayBackAuthResult = EcpayBackAuthParsedResult | EcpayBackAuthUnknown;
