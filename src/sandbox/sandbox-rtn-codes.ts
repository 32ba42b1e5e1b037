/**
 * The codes and messages the sandbox answers with. Where ECPay's own are known they are used as ECPay shows them
 * (source in the comment); the rest are the sandbox's choice, kept in ECPay's style (an 8-digit code and a short
 * message) and marked so, because ECPay does not publish them. Apps must not rely on those numbers.
 */
export interface SandboxRtn {
  readonly code: string;
  readonly message: string;
}

const rtn = (code: string, message: string): SandboxRtn => ({ code, message });

export const SANDBOX_RTN = {
  /** CheckMacValue Error: ECPay's message code 10200073 (ECPay/WooCommerce_Payment#5, docs/protocol.md §9). */
  checkMac: rtn('10200073', 'CheckMacValue Error.'),
  /** The MerchantID is not a merchant of this environment: ECPay's 10200141 (support.ecpay.com.tw/16755). */
  unknownMerchant: rtn('10200141', '商店未開啟收款服務 (MerchantID not enabled here).'),
  /** QueryTradeInfo of an order ECPay does not know: TradeStatus 10200047 (docs/protocol.md §7.1). */
  tradeNotFound: rtn('10200047', 'Cant not find the trade data.'),
  /** A stale or future TimeStamp: ECPay's 10200084 (docs/protocol.md §7.1, the official Node SDK's stale-clock bug). */
  timeStamp: rtn('10200084', 'TimeStamp Error.'),
  /** A parameter missing or malformed. Sandbox's code [ECPay's per-field codes are not documented]. */
  parameter: (detail: string) => rtn('10200050', `Parameter Error. ${detail}`),
  /** A reused MerchantTradeNo ("訂單編號重覆", ECPay FAQ nID=1454). Sandbox's code [ECPay's is not documented]. */
  duplicateTradeNo: rtn('10200058', '訂單編號重覆 (MerchantTradeNo duplicate).'),
  /** A declined card or failed 3-D Secure: the failure code EcpayTesting.paymentFailed uses. */
  declined: rtn('10100058', 'Failed'),
  /**
   * DoAction / period action not allowed in the trade's state. Sandbox's code, ECPay-like text (docs/protocol.md §7.2).
   */
  actionRefused: (detail: string) => rtn('10200115', `更新失敗.(${detail})`),
} as const;

/** ATM code issued (PaymentInfoURL RtnCode, docs/protocol.md §6.3). */
export const RTN_ATM_CODE_ISSUED = '2';
/** CVS / BARCODE code issued. */
export const RTN_CVS_CODE_ISSUED = '10100073';
/** Paid. */
export const RTN_PAID = '1';
/**
 * TradeStatus of a failed trade [docs/protocol.md §9: meaning of 10200095 not confirmed; third parties read it as
 * failed].
 */
export const TRADE_STATUS_FAILED = '10200095';
