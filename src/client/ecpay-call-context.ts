import type { EcpayMerchant } from '../config/ecpay-merchant.js';
import { EcpayApiError } from '../errors/ecpay-api.error.js';
import type { EcpayApiName } from './ecpay-endpoints.js';

/**
 * What one call is about. The transport keys the 403 breaker and its log lines on it; the verifier binds the
 * answer to it, so an answer about another merchant or trade is refused.
 */
export interface EcpayCallContext {
  readonly api: EcpayApiName;
  readonly merchant: EcpayMerchant;
  readonly merchantTradeNo?: string;
}

/**
 * The merchant's identity fields: MerchantID, and PlatformID for a platform member. A member's requests are signed
 * with the platform's keys, so the verifier needs the same fields to find the keys that sign the answer.
 */
export function identityFields(merchant: EcpayMerchant): Record<string, string> {
  return merchant.platformId !== undefined
    ? { MerchantID: merchant.merchantId, PlatformID: merchant.platformId }
    : { MerchantID: merchant.merchantId };
}

/** ECPay's refusal of this call, carrying the context an app needs to look the trade up. */
export function apiErrorFor(ctx: EcpayCallContext, rtnCode: number | undefined, rtnMsg: string): EcpayApiError {
  return new EcpayApiError({
    api: ctx.api,
    rtnCode,
    rtnMsg,
    merchantId: ctx.merchant.merchantId,
    merchantTradeNo: ctx.merchantTradeNo,
  });
}
