import { SANDBOX_RTN, type SandboxRtn } from '../sandbox-rtn-codes.js';

/**
 * The codes of the JSON/AES APIs. ECPay documents only "TransCode 1 = the envelope was accepted, RtnCode 1 = the
 * API succeeded, anything else failed" (docs/protocol.md §3.2); the failure numbers below are the sandbox's
 * choice unless a source is named, and apps must branch on `≠ 1`, never on them.
 */

/** An envelope ECPay could not read: TransCode ≠ 1, no Data. */
export interface SandboxTransRefusal {
  readonly code: number;
  readonly message: string;
}

// One TransCode for every envelope refusal (sandbox's choice: ECPay's values are not documented), the reason in
// TransMsg.
const TRANS_REFUSED = 999;
const trans = (message: string): SandboxTransRefusal => ({ code: TRANS_REFUSED, message });

export const SANDBOX_TRANS = {
  /** Not `{ MerchantID, RqHeader: { Timestamp }, Data }`. */
  malformed: trans('Parameter Error: the body must be {"MerchantID","RqHeader":{"Timestamp"},"Data"}.'),
  /** The envelope's MerchantID is not a merchant of this environment. */
  unknownMerchant: trans('MerchantID Error: not a merchant of this environment.'),
  /** RqHeader.Timestamp more than 10 minutes away from ECPay's clock (docs/protocol.md §3.2). */
  timestamp: trans('Timestamp Error: outside the 10-minute window.'),
  /** Data does not decrypt with the merchant's HashKey/HashIV into a JSON object. */
  decrypt: trans('Data Decrypt Error: Data does not decrypt with the merchant keys.'),
} as const;

/** The business codes (Data.RtnCode), as numbers: ECPay's JSON APIs send RtnCode as an Int. */
export interface SandboxJsonRtn {
  readonly code: number;
  readonly message: string;
}

const fromForm = (rtn: SandboxRtn): SandboxJsonRtn => ({ code: Number(rtn.code), message: rtn.message });

export const SANDBOX_JSON_RTN = {
  success: { code: 1, message: 'Success' } as SandboxJsonRtn,
  /** Reuses the AIO family's code and text for a missing or malformed field (sandbox's choice there too). */
  parameter: (detail: string): SandboxJsonRtn => fromForm(SANDBOX_RTN.parameter(detail)),
  /** A reused MerchantTradeNo (ECPay FAQ nID=1454), same code as AioCheckOut in the sandbox. */
  duplicateTradeNo: fromForm(SANDBOX_RTN.duplicateTradeNo),
  /** QueryTrade of an order ECPay does not know: the AIO family's 10200047 reused (sandbox's choice for JSON). */
  tradeNotFound: {
    code: Number(SANDBOX_RTN.tradeNotFound.code),
    message: '查無此筆交易 (trade not found)',
  } as SandboxJsonRtn,
  /** A card the bank declines. Sandbox's code; the Chinese text is what an issuer's refusal looks like on ECPay. */
  declined: { code: 10100248, message: '授權失敗，請洽發卡銀行 (card declined)' } as SandboxJsonRtn,
  /** The card's expiry month is over (Asia/Taipei). Sandbox's code. */
  expired: { code: 10100248, message: '授權失敗，卡片已過期 (card expired)' } as SandboxJsonRtn,
  /** The cardholder cancelled 3-D Secure. Sandbox's code. */
  threeDSecureCancelled: { code: 10100248, message: '3D 驗證失敗 (3-D Secure cancelled)' } as SandboxJsonRtn,
  /** CreatePaymentWithCardID / DeleteMemberBindCard with a BindCardID that is unknown or deleted. Sandbox's code. */
  bindCardNotFound: {
    code: 10100254,
    message: '查無此綁定卡片，請重新綁定 (BindCardID not found or deleted)',
  } as SandboxJsonRtn,
  /** CreateBindCard with a BindCardPayToken that is unknown, used, or not yet verified. Sandbox's code. */
  payTokenInvalid: { code: 10100255, message: '綁卡 Token 無效或已使用 (BindCardPayToken invalid)' } as SandboxJsonRtn,
} as const;
