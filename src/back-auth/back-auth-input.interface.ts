/**
 * What an app passes to `EcpayBackAuthService.backAuth()`: ECPay's BackAuth (幕後授權, docs/protocol.md §7.6) Data, with
 * ECPay's own field names and nesting, minus what the library fills in itself (MerchantID, MerchantTradeDate,
 * ChoosePayment). Where ECPay's BackAuth page marks a field "Required" it is required here too.
 *
 * The card fields are the most sensitive data this library ever touches: they are used for one call, never logged,
 * never put in an error message or a returned object. Wrap the input in `EcpayBackAuthRequest` as early as you can
 * (e.g. right after reading the request body) so that your own logging cannot print them either.
 */

/** One line of the order, as an alternative to writing `ItemName` by hand. @publicApi */
export interface EcpayBackAuthItem {
  /** Must not contain `#` (ECPay's item separator). */
  name: string;
  /** Unit price, integer TWD (0 allowed). */
  price: number;
  /** A positive integer. */
  quantity: number;
}

/** OrderInfo (BackAuth). @publicApi */
export interface EcpayBackAuthOrderInfo {
  /**
   * String(20), letters and digits only, unique and never reused. Default: a generated, time-sortable number
   * (`generateMerchantTradeNo`). It is what the library queries with when the answer is lost.
   */
  MerchantTradeNo?: string;
  /** Int, required: integer New Taiwan Dollars, no decimals. */
  TotalAmount: number;
  /** String(400): products separated by `#`. Give either this or `items`. */
  ItemName?: string;
  /** The order lines; ItemName becomes `name xQUANTITY` joined by `#`, and they must add up to TotalAmount. */
  items?: readonly EcpayBackAuthItem[];
  /** String(200), required (ECPay's own BackAuth example sends it empty, so `''` is accepted). */
  TradeDesc: string;
  /** String(200), required: ECPay's server-to-server payment notification. Not the same URL as OrderResultURL. */
  ReturnURL: string;
}

/** `0` no, `1` yes — BackAuth's encoding of DirectCapture and Redeem. @publicApi */
export type EcpayBackAuthFlag = '0' | '1';

/** PeriodType of a periodic (定期定額) authorization: daily, monthly, yearly. @publicApi */
export type EcpayBackAuthPeriodType = 'D' | 'M' | 'Y';

/** CardInfo (BackAuth). The card fields are never echoed anywhere. @publicApi */
export interface EcpayBackAuthCardInfo {
  /** String(19), required: 13–19 digits passing the Luhn check; spaces and dashes are removed before sending. */
  CardNo: string;
  /** String(2), required: `01`–`12`. */
  CardValidMM: string;
  /** String(2), required: two-digit year (20YY); card and month must not have ended (Asia/Taipei). */
  CardValidYY: string;
  /** String(4), required: 3 digits (4 for American Express). */
  CardCVV2: string;
  /**
   * String(1), required by BackAuth: `1` settles (captures) automatically after a successful authorization, `0`
   * (ECPay's default) leaves the authorization to be captured later. Required here because it decides when money
   * moves, which should never happen by accident of an omitted field.
   */
  DirectCapture: EcpayBackAuthFlag;
  /** String(1): pay partly with card bonus points (`1`). */
  Redeem?: EcpayBackAuthFlag;
  /** String(20): installment count(s), comma-separated, e.g. `3` or `3,6,12`. */
  CreditInstallment?: string;
  /** Int: amount of each periodic authorization. Periodic fields go together (all five or none). */
  PeriodAmount?: number;
  /** String(1): `D`, `M` or `Y`. */
  PeriodType?: EcpayBackAuthPeriodType;
  /** Int: every how many periods: D 1–365, M 1–12, Y 1. */
  Frequency?: number;
  /** Int: how many authorizations in all: D ≤ 999, M ≤ 99, Y ≤ 9. */
  ExecTimes?: number;
  /** String(200): receives the 2nd and later periodic notifications (the 1st goes to ReturnURL). */
  PeriodReturnURL?: string;
  /** String(200): the browser page ECPay redirects to after 3-D Secure. */
  OrderResultURL?: string;
}

/** ConsumerInfo (BackAuth): the cardholder. ECPay marks none of these required. @publicApi */
export interface EcpayBackAuthConsumerInfo {
  /** The merchant's member ID (the BackAuth page shows it only in its example; String(30) as in the binding APIs). */
  MerchantMemberID?: string;
  /** String(30). */
  Email?: string;
  /** String(60): digits only; a country code is allowed without `+` (886912345678). */
  Phone?: string;
  /** String(50): Chinese or English letters and `, . ( ) / -` only. */
  Name?: string;
  /** String(3): ISO 3166-1 numeric code of the billing address's country, e.g. `158` (Taiwan). */
  CountryCode?: string;
  /** String(50): billing address. */
  Address?: string;
}

/**
 * The BackAuth request an app makes.
 *
 * @publicApi
 */
export interface EcpayBackAuthInput {
  OrderInfo: EcpayBackAuthOrderInfo;
  CardInfo: EcpayBackAuthCardInfo;
  ConsumerInfo?: EcpayBackAuthConsumerInfo;
  /** String(200): returned untouched in the result notification. */
  CustomField?: string;
}
