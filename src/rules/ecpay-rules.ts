/**
 * ECPay's own rules, each held once. Checkout, BackAuth, the client, the option validators and the sandbox (which
 * stands in for ECPay) all read them here, so a limit ECPay changes is changed in one place and the library and its
 * sandbox cannot drift apart. The source of each is ECPay's documentation, summarised in docs/protocol.md.
 *
 * This file imports nothing: every concern may depend on it, and it depends on none of them.
 */

// ---- Identifiers -------------------------------------------------------------------------------------------------

/** MerchantID and PlatformID: String(10), letters and digits (docs/protocol.md, common parameters). */
export const MERCHANT_ID_PATTERN = /^[A-Za-z0-9]{1,10}$/;

/** MerchantTradeNo: String(20), unique per MerchantID (docs/protocol.md, AioCheckOut parameters). */
export const MERCHANT_TRADE_NO_MAX_LENGTH = 20;

/**
 * MerchantTradeNo, whole: 1–20 letters and digits. ECPay's text says "a-zA-Z0-9 only", so `_` is refused even though
 * the official Node SDK lets it through. No `g`/`y` flag: such a RegExp keeps `lastIndex` between `test()` calls.
 */
export const MERCHANT_TRADE_NO_PATTERN = /^[A-Za-z0-9]{1,20}$/;

/**
 * "Letters and digits only", the character rule ECPay gives MerchantTradeNo, StoreID and MerchantMemberID
 * (docs/protocol.md, AioCheckOut parameters). Length is a separate rule, so validators can name which one failed.
 */
export const ALPHANUMERIC = /^[A-Za-z0-9]+$/;

/** ECPay's own TradeNo as it answers it: String(20), letters and digits (docs/protocol.md, query APIs). */
export const ECPAY_TRADE_NO_PATTERN = /^[A-Za-z0-9]{1,20}$/;

/** Every URL parameter (ReturnURL, OrderResultURL, PeriodReturnURL, …) is String(200) (docs/protocol.md, URLs). */
export const URL_MAX_LENGTH = 200;

/** HashKey and HashIV: 16 characters each, used as the raw bytes of the AES-128 key and IV (docs/protocol.md, AES). */
export const HASH_KEY_LENGTH = 16;

// ---- AioCheckOut/V5 ----------------------------------------------------------------------------------------------

/** ChoosePayment's values (docs/protocol.md, AioCheckOut parameters). */
export const AIO_PAYMENT_METHODS = [
  'ALL',
  'Credit',
  'WebATM',
  'ATM',
  'CVS',
  'BARCODE',
  'ApplePay',
  'TWQR',
  'BNPL',
] as const;

/** One ChoosePayment value. */
export type AioPaymentMethod = (typeof AIO_PAYMENT_METHODS)[number];

/**
 * Amount limits per channel in TWD, inclusive (ECPay's fee pages; see docs/protocol.md, amounts). Channels without a
 * recorded limit only need a positive integer.
 *
 * @publicApi
 */
export const AIO_AMOUNT_LIMITS: Partial<Record<AioPaymentMethod, readonly [number, number]>> = {
  Credit: [5, 199_999],
  ATM: [11, 49_999],
  CVS: [33, 6_000],
  BARCODE: [17, 20_000],
};

/**
 * AioCheckOut's String(n) lengths, counted in characters as ECPay counts them (docs/protocol.md, AioCheckOut
 * parameters).
 */
export const AIO_MAX_LENGTH: Readonly<Record<string, number>> = {
  MerchantID: 10,
  MerchantTradeNo: MERCHANT_TRADE_NO_MAX_LENGTH,
  MerchantTradeDate: 20,
  PaymentType: 20,
  TradeDesc: 200,
  ItemName: 400,
  ReturnURL: URL_MAX_LENGTH,
  ChoosePayment: 20,
  StoreID: 20,
  ClientBackURL: URL_MAX_LENGTH,
  ItemURL: URL_MAX_LENGTH,
  Remark: 100,
  ChooseSubPayment: 20,
  OrderResultURL: URL_MAX_LENGTH,
  NeedExtraPaidInfo: 1,
  IgnorePayment: 100,
  PlatformID: 10,
  CustomField1: 50,
  CustomField2: 50,
  CustomField3: 50,
  CustomField4: 50,
  Language: 3,
  MerchantMemberID: 30,
  Redeem: 1,
  CreditInstallment: 20,
  PeriodType: 1,
  PeriodReturnURL: URL_MAX_LENGTH,
  PaymentInfoURL: URL_MAX_LENGTH,
  ClientRedirectURL: URL_MAX_LENGTH,
  Desc_1: 20,
  Desc_2: 20,
  Desc_3: 20,
  Desc_4: 20,
};

/**
 * The installment plans a card payment may offer, as CreditInstallment lists them; `30N` is 圓夢彈性分期. The same
 * bank programmes serve AioCheckOut and BackAuth (docs/protocol.md, credit card options).
 */
export const CREDIT_INSTALLMENTS: ReadonlySet<string> = new Set(['3', '6', '12', '18', '24', '30', '30N']);

/**
 * Periodic billing (定期定額) limits of one PeriodType: Frequency from 1 to `frequency`, ExecTimes from 1 to `execTimes`.
 */
export interface EcpayPeriodBounds {
  readonly frequency: number;
  readonly execTimes: number;
}

/**
 * Periodic billing per PeriodType — D(ay), M(onth), Y(ear) — the same for AioCheckOut and BackAuth
 * (docs/protocol.md, periodic billing). Any other PeriodType has no entry.
 */
export const PERIOD_BOUNDS: Readonly<Partial<Record<string, EcpayPeriodBounds>>> = {
  D: { frequency: 365, execTimes: 999 },
  M: { frequency: 12, execTimes: 99 },
  Y: { frequency: 1, execTimes: 9 },
};

/** How long an offline payment code stays payable (docs/protocol.md, ATM / CVS / BARCODE options). */
export const OFFLINE_EXPIRY = {
  /** ExpireDate of an ATM account, in days. */
  atmDays: 60,
  /** StoreExpireDate of a CVS code, in minutes (30 days). */
  cvsMinutes: 43_200,
  /** StoreExpireDate of a BARCODE, in days. */
  barcodeDays: 7,
} as const;

// ---- BackAuth (JSON/AES) -----------------------------------------------------------------------------------------

/** BackAuth's String(n) lengths per Data field, in characters (docs/protocol.md, BackAuth). */
export const BACK_AUTH_MAX_LENGTH = {
  'OrderInfo.ItemName': 400,
  'OrderInfo.TradeDesc': 200,
  'OrderInfo.ReturnURL': URL_MAX_LENGTH,
  'CardInfo.CreditInstallment': 20,
  'CardInfo.OrderResultURL': URL_MAX_LENGTH,
  'CardInfo.PeriodReturnURL': URL_MAX_LENGTH,
  'ConsumerInfo.MerchantMemberID': 30,
  'ConsumerInfo.Email': 30,
  'ConsumerInfo.Phone': 60,
  'ConsumerInfo.Name': 50,
  'ConsumerInfo.CountryCode': 3,
  'ConsumerInfo.Address': 50,
  CustomField: 200,
} as const;
