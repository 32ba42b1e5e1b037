import { EcpayError } from './ecpay.error.js';

/**
 * Thrown when a trade is created with a MerchantTradeNo its MerchantID already used. ECPay itself refuses a
 * repeated MerchantTradeNo (per MerchantID), so this is caught before anything is sent.
 *
 * @publicApi
 */
export class EcpayDuplicateTradeError extends EcpayError {
  readonly code = 'ECPAY_DUPLICATE_TRADE';

  constructor(
    readonly merchantId: string,
    readonly merchantTradeNo: string,
    options?: { cause?: unknown },
  ) {
    super(
      `MerchantTradeNo "${merchantTradeNo}" already exists for MerchantID "${merchantId}"; use a new MerchantTradeNo.`,
      options,
    );
  }
}
