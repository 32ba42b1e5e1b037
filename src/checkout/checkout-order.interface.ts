/**
 * What an app asks `EcpayService.createCheckout()` for: an All-in-One order described for people (items, a
 * description, how the customer pays), which the library turns into ECPay's AioCheckOut/V5 parameters, checks
 * against every ECPay rule, stores and signs. Amounts are integer New Taiwan Dollars.
 */

/** One line of the order. `ItemName` is the items joined by `#`, each as `name xQUANTITY`. @publicApi */
export interface EcpayCheckoutItem {
  /** Shown on ECPay's page. Must not contain `#` (ECPay's item separator). */
  name: string;
  /** Unit price, integer TWD (0 allowed for a free item). */
  price: number;
  /** A positive integer. */
  quantity: number;
}

/**
 * Periodic fixed-amount billing (定期定額); the first charge goes to ReturnURL, later ones to PeriodReturnURL.
 *
 * @publicApi
 */
export interface EcpayPeriodicOptions {
  /** `D` daily, `M` monthly, `Y` yearly. */
  periodType: 'D' | 'M' | 'Y';
  /** Every how many periods: D 1–365, M 1–12, Y 1. */
  frequency: number;
  /** How many charges in all: D ≤ 999, M ≤ 99, Y ≤ 9. */
  execTimes: number;
  /** PeriodReturnURL; default: the module's `publicUrl` + `/ecpay/period-return`. */
  periodReturnUrl?: string;
}

/** `UnionPay` parameter: let the customer choose (0), UnionPay only (1), or hide UnionPay (2). @publicApi */
export type EcpayUnionPayOption = 'choose' | 'only' | 'hide';

/** Credit card options (ChoosePayment `Credit`, or `ALL` with the card offered). @publicApi */
export interface EcpayCreditOptions {
  /** Installment counts offered (`CreditInstallment`), e.g. `[3, 6, 12]`; `'30N'` is ECPay's flexible plan. */
  installments?: readonly (3 | 6 | 12 | 18 | 24 | 30 | '30N')[];
  periodic?: EcpayPeriodicOptions;
  /** Remember the card for this member (`BindingCard=1`, `MerchantMemberID` = MerchantID + memberId). */
  bindCard?: { memberId: string };
  unionPay?: EcpayUnionPayOption;
  /** Allow paying with card bonus points (`Redeem=Y`). */
  redeem?: boolean;
}

/** ATM virtual account options. @publicApi */
export interface EcpayAtmOptions {
  /** Days the account stays open (`ExpireDate`), 1–60; ECPay's default is 3. */
  expireDays?: number;
}

/** Convenience-store code options. @publicApi */
export interface EcpayCvsOptions {
  /** Minutes the code stays valid (`StoreExpireDate`), 1–43,200. */
  expireMinutes?: number;
  /** Up to four lines printed at the store (`Desc_1`..`Desc_4`), 20 characters each. */
  descriptions?: readonly string[];
}

/** Convenience-store barcode options. @publicApi */
export interface EcpayBarcodeOptions {
  /** Days the barcode stays valid (`StoreExpireDate`), 1–7. */
  expireDays?: number;
  /** Up to four lines (`Desc_1`..`Desc_4`), 20 characters each. */
  descriptions?: readonly string[];
}

/** Options shared by the offline methods, which report the issued code to PaymentInfoURL. @publicApi */
export interface EcpayOfflineOptions {
  /** PaymentInfoURL; default: the module's `publicUrl` + `/ecpay/payment-info`. */
  paymentInfoUrl?: string;
  /** ClientRedirectURL: where the browser goes after the code is shown. */
  clientRedirectUrl?: string;
  /** ChooseSubPayment, e.g. a bank code for ATM. */
  subPayment?: string;
}

/**
 * How the customer pays (ChoosePayment), with that method's own options.
 *
 * @publicApi
 */
export type EcpayPaymentChoice =
  | ({ method: 'Credit' } & EcpayCreditOptions)
  | ({ method: 'ATM' } & EcpayAtmOptions & EcpayOfflineOptions)
  | ({ method: 'CVS' } & EcpayCvsOptions & EcpayOfflineOptions)
  | ({ method: 'BARCODE' } & EcpayBarcodeOptions & EcpayOfflineOptions)
  | { method: 'WebATM' | 'ApplePay' | 'TWQR' | 'BNPL' }
  | {
      method: 'ALL';
      /** Methods to hide (`IgnorePayment`). */
      ignore?: readonly EcpayPaymentMethod[];
      credit?: EcpayCreditOptions;
      atm?: EcpayAtmOptions;
      cvs?: Omit<EcpayCvsOptions, 'expireMinutes'>;
      barcode?: Omit<EcpayBarcodeOptions, 'expireDays'>;
      paymentInfoUrl?: string;
      clientRedirectUrl?: string;
    };

/** The ChoosePayment values. @publicApi */
export type EcpayPaymentMethod = 'Credit' | 'ATM' | 'CVS' | 'BARCODE' | 'WebATM' | 'ApplePay' | 'TWQR' | 'BNPL';

/** Every AioCheckOut/V5 parameter an order may set directly (docs/protocol.md §5.1). @publicApi */
export const AIO_CHECKOUT_FIELDS = [
  'MerchantID',
  'MerchantTradeNo',
  'MerchantTradeDate',
  'PaymentType',
  'TotalAmount',
  'TradeDesc',
  'ItemName',
  'ReturnURL',
  'ChoosePayment',
  'EncryptType',
  'StoreID',
  'ClientBackURL',
  'ItemURL',
  'Remark',
  'ChooseSubPayment',
  'OrderResultURL',
  'NeedExtraPaidInfo',
  'IgnorePayment',
  'PlatformID',
  'CustomField1',
  'CustomField2',
  'CustomField3',
  'CustomField4',
  'Language',
  'BindingCard',
  'MerchantMemberID',
  'Redeem',
  'UnionPay',
  'CreditInstallment',
  'PeriodAmount',
  'PeriodType',
  'Frequency',
  'ExecTimes',
  'PeriodReturnURL',
  'ExpireDate',
  'StoreExpireDate',
  'PaymentInfoURL',
  'ClientRedirectURL',
  'Desc_1',
  'Desc_2',
  'Desc_3',
  'Desc_4',
] as const;

/** A parameter name of AioCheckOut/V5. @publicApi */
export type AioCheckoutField = (typeof AIO_CHECKOUT_FIELDS)[number];

/**
 * An All-in-One checkout order.
 *
 * @publicApi
 */
export interface EcpayCheckoutOrder {
  /** The configured merchant (name or MerchantID); default: the default merchant. */
  merchant?: string;
  /** Your own MerchantTradeNo (letters and digits, ≤ 20, never reused); default: a generated, time-sortable one. */
  merchantTradeNo?: string;
  /** The lines of the order; ItemName and TotalAmount are derived from them. */
  items: readonly EcpayCheckoutItem[];
  /** If given, must equal the sum of the items (a guard against a stale cart). */
  totalAmount?: number;
  /** TradeDesc: letters, digits, spaces and `, . - _ ( )` only (ECPay rejects special characters). */
  description: string;
  payment: EcpayPaymentChoice;
  /** ReturnURL (server notification); default: the module's `publicUrl` + `/ecpay/return`. */
  returnUrl?: string;
  /** OrderResultURL (the browser is posted the result there). */
  orderResultUrl?: string;
  /** ClientBackURL ("back to store" button). */
  clientBackUrl?: string;
  /** ItemURL. */
  itemUrl?: string;
  /** Remark, ≤ 100 characters. */
  remark?: string;
  /** StoreID (分店代號), letters and digits. */
  storeId?: string;
  /** Language of ECPay's page. */
  language?: 'ENG' | 'KOR' | 'JPN' | 'CHI';
  /** NeedExtraPaidInfo=Y: ECPay adds card and payment details to the notification. */
  needExtraPaidInfo?: boolean;
  /** CustomField1..4, returned untouched in notifications, ≤ 50 characters each. */
  customFields?: readonly (string | undefined)[];
  /**
   * Any AioCheckOut/V5 parameter set directly, for what the typed options do not cover; it overrides them and goes
   * through exactly the same checks (an unknown name is an error, so `BidingCard` cannot slip through).
   */
  aio?: Partial<Record<AioCheckoutField, string | number>>;
  /** A CSP nonce for the auto-submit script of the returned HTML. */
  cspNonce?: string;
}
