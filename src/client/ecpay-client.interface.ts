/**
 * Inputs and typed results of {@link EcpayClient}. Numbers are numbers, dates are instants parsed as Asia/Taipei
 * wall-clock time, and every result keeps the verified fields as ECPay sent them (`raw`/`data`) for what is not
 * typed here.
 */

/** Per-call options of every {@link EcpayClient} method. @publicApi */
export interface EcpayCallOptions {
  /** The configured merchant (name or MerchantID) to call as. Default: the default merchant. */
  merchant?: string;
  /**
   * Milliseconds to wait for the whole answer. Default {@link ECPAY_DEFAULT_TIMEOUT_MS} (10 s); BackAuth-class calls
   * (a bank round trip) use {@link ECPAY_BACK_AUTH_TIMEOUT_MS} (30 s). After it the call fails with
   * `EcpayTimeoutError`: query the trade, never resend.
   */
  timeoutMs?: number;
  /** Cancels the call (it then fails with `EcpayTransportError`, outcome unknown). */
  signal?: AbortSignal;
}

/** The default timeout of a call to ECPay. @publicApi */
export const ECPAY_DEFAULT_TIMEOUT_MS = 10_000;
/** ECPay asks for at least 30 s on BackAuth and CreatePaymentWithCardID (docs/protocol.md §7.6, §8.2). @publicApi */
export const ECPAY_BACK_AUTH_TIMEOUT_MS = 30_000;

/** Identifies one trade of the merchant. @publicApi */
export interface EcpayTradeRef {
  /** The MerchantTradeNo the order was created with. */
  merchantTradeNo: string;
}

/** Four CustomField values, in order. @publicApi */
export type EcpayCustomFields = readonly [string, string, string, string];

/**
 * QueryTradeInfo/V5: an AIO order as ECPay knows it. `tradeStatus` 1 is paid, 0 not (yet: for a card, ask again
 * 10 minutes later); ECPay answers 10200047 for an order it does not know, in a validly signed body.
 *
 * @publicApi
 */
export interface EcpayTradeInfo {
  readonly merchantId: string;
  readonly merchantTradeNo: string;
  readonly storeId: string;
  readonly tradeNo: string;
  readonly tradeAmount: number | null;
  readonly tradeStatus: number;
  readonly paymentType: string;
  readonly paymentDate: Date | null;
  readonly tradeDate: Date | null;
  readonly handlingCharge: number | null;
  readonly paymentTypeChargeFee: number | null;
  readonly itemName: string;
  readonly customFields: EcpayCustomFields;
  /** Every field as ECPay sent it, verified by its CheckMacValue (which is left out here). */
  readonly raw: Readonly<Record<string, string>>;
}

/**
 * The JSON QueryTrade (`/1.0.0/Cashier/QueryTrade`): an ecpayment order. RtnCode was 1 (anything else throws
 * `EcpayApiError`). `data` is the whole decrypted Data (CardInfo, ATMInfo, … by payment type).
 *
 * @publicApi
 */
export interface EcpayQueryTradeResult {
  readonly merchantId: string;
  readonly rtnMsg: string;
  readonly merchantTradeNo: string;
  readonly tradeNo: string;
  readonly tradeAmount: number | null;
  readonly tradeStatus: number | null;
  readonly paymentType: string;
  readonly tradeDate: Date | null;
  readonly paymentDate: Date | null;
  readonly chargeFee: number | null;
  readonly data: Readonly<Record<string, unknown>>;
}

/** CreditDetail/QueryTrade/V2 input (production only). @publicApi */
export interface EcpayCreditDetailQuery {
  /** The card authorization number: `gwsr` of the payment notification (sent with NeedExtraPaidInfo=Y). */
  creditRefundId: number | string;
  /** The authorized amount. */
  creditAmount: number;
  /** 商家檢查碼, from the vendor back office (信用卡收單 → 信用卡授權資訊). */
  creditCheckCode: number | string;
}

/** One close (關帳) record of a card authorization. @publicApi */
export interface EcpayCreditCloseRecord {
  readonly status: string;
  readonly amount: number | null;
  readonly sno: string;
  readonly datetime: string;
}

/** CreditDetail/QueryTrade/V2: a card authorization's details. @publicApi */
export interface EcpayCreditDetail {
  readonly tradeId: number | null;
  readonly amount: number | null;
  /** clsamt: the amount closed (captured) so far. */
  readonly closedAmount: number | null;
  /** authtime as ECPay wrote it, and as an instant when it is an ECPay date. */
  readonly authTime: string;
  readonly authorizedAt: Date | null;
  readonly status: string;
  readonly closeData: readonly EcpayCreditCloseRecord[];
  readonly raw: Readonly<Record<string, unknown>>;
}

/** One execution of a periodic (定期定額) order. @publicApi */
export interface EcpayPeriodExecution {
  readonly rtnCode: number | null;
  readonly rtnMsg: string;
  readonly amount: number | null;
  readonly gwsr: number | null;
  readonly processDate: Date | null;
  readonly authCode: string;
  readonly tradeNo: string;
}

/** QueryCreditCardPeriodInfo: a periodic order and its executions. @publicApi */
export interface EcpayCreditCardPeriodInfo {
  readonly merchantId: string;
  readonly merchantTradeNo: string;
  /** The TradeNo of the first authorization. */
  readonly tradeNo: string;
  readonly rtnCode: number;
  readonly periodType: string;
  readonly frequency: number | null;
  readonly execTimes: number | null;
  readonly periodAmount: number | null;
  /** `amount`: the first authorization's amount. */
  readonly firstAuthAmount: number | null;
  readonly gwsr: number | null;
  readonly processDate: Date | null;
  readonly authCode: string;
  readonly card4No: string;
  readonly card6No: string;
  readonly totalSuccessTimes: number | null;
  readonly totalSuccessAmount: number | null;
  readonly execStatus: string;
  readonly execLog: readonly EcpayPeriodExecution[];
  readonly raw: Readonly<Record<string, unknown>>;
}

/** QueryPaymentInfo: the ATM account or CVS/BARCODE code ECPay issued for an offline payment. @publicApi */
export interface EcpayPaymentInfo {
  readonly merchantId: string;
  readonly merchantTradeNo: string;
  readonly storeId: string;
  /** 2 (ATM) or 10100073 (CVS/BARCODE): the code was issued. */
  readonly rtnCode: number;
  readonly rtnMsg: string;
  readonly tradeNo: string;
  readonly tradeAmount: number | null;
  readonly paymentType: string;
  readonly tradeDate: Date | null;
  readonly expireDate: Date | null;
  readonly bankCode: string;
  readonly vAccount: string;
  readonly paymentNo: string;
  readonly barcodes: readonly [string, string, string];
  readonly customFields: EcpayCustomFields;
  readonly raw: Readonly<Record<string, string>>;
}

/**
 * DoAction's Action: `C` close (capture), `R` refund (after close; partial allowed), `E` cancel the close,
 * `N` void an authorization that is not closed.
 *
 * @publicApi
 */
export type EcpayDoActionType = 'C' | 'R' | 'E' | 'N';

/** DoAction input. @publicApi */
export interface EcpayDoActionInput extends EcpayTradeRef {
  /** ECPay's TradeNo of the trade. */
  tradeNo: string;
  action: EcpayDoActionType;
  /** The amount to close or refund, integer TWD. */
  totalAmount: number;
}

/** DoAction's answer: RtnCode was 1 (anything else throws `EcpayApiError`). @publicApi */
export interface EcpayDoActionResult {
  readonly merchantId: string;
  readonly merchantTradeNo: string;
  readonly tradeNo: string;
  readonly action: EcpayDoActionType;
  readonly rtnCode: 1;
  readonly rtnMsg: string;
  readonly raw: Readonly<Record<string, string>>;
}

/**
 * CreditCardPeriodAction's Action: `ReAuth` retries a failed authorization, `Cancel` stops the later ones.
 *
 * @publicApi
 */
export type EcpayPeriodActionType = 'ReAuth' | 'Cancel';

/** CreditCardPeriodAction input. @publicApi */
export interface EcpayPeriodActionInput extends EcpayTradeRef {
  action: EcpayPeriodActionType;
}

/** CreditCardPeriodAction's answer: RtnCode was 1. @publicApi */
export interface EcpayPeriodActionResult {
  readonly merchantId: string;
  readonly merchantTradeNo: string;
  readonly action: EcpayPeriodActionType;
  readonly rtnCode: 1;
  readonly rtnMsg: string;
  readonly raw: Readonly<Record<string, string>>;
}

/**
 * TradeNoAio (statement download) input. Dates are Taipei calendar days (`yyyy-MM-dd`, or a Date whose Taipei day
 * is meant). Codes as ECPay defines them.
 *
 * @publicApi
 */
export interface EcpayStatementQuery {
  /** 2 payment date, 4 close date, 5 appropriation date, 6 order date. */
  dateType: 2 | 4 | 5 | 6;
  beginDate: Date | string;
  endDate: Date | string;
  /** 01 credit card, 02 WebATM, 03 ATM, 04 CVS, 07 BARCODE, … */
  paymentType?: string;
  /** 1 AIO, 2 in-store (站內付). */
  platformStatus?: 1 | 2;
  /** 0 unpaid, 1 paid, 2 order failed. */
  paymentStatus?: 0 | 1 | 2;
  /** 0 not appropriated, 1 appropriated. */
  allocateStatus?: 0 | 1;
  /** The file layout (MediaFormated, required by ECPay); default 0, as in ECPay's own SDK example. */
  mediaFormated?: 0 | 1;
}

/** A downloaded statement: its header row and each following row by column name. @publicApi */
export interface EcpayStatement {
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<Readonly<Record<string, string>>>;
}
