import { EcpayResponseVerificationError } from '../errors/ecpay-response-verification.error.js';
import type { EcpayBackAuthAuthorized, EcpayBackAuthUnknown } from './back-auth-result.interface.js';
import { int, isObject, readAuthorized, text } from './parse-back-auth-result.js';

/**
 * Reads QueryTrade's Data (`/1.0.0/Cashier/QueryTrade`, docs/protocol.md §7.7) for a BackAuth whose answer was lost,
 * into the BackAuth result union. Only TradeStatus 1 counts as authorized; ECPay documents 0 as "not paid — the bank
 * may not have answered yet, query again in 10 minutes", so it stays unknown, and so does any status this library does
 * not interpret: calling an authorization "failed" when it went through would invite a second charge.
 *
 * Throws {@link EcpayResponseVerificationError} when the answer is not an object or names another MerchantTradeNo.
 *
 * @publicApi
 */
export function parseBackAuthQueryResult(
  data: unknown,
  merchantTradeNo: string,
): EcpayBackAuthAuthorized | EcpayBackAuthUnknown {
  const api = 'queryTrade';
  if (!isObject(data)) throw new EcpayResponseVerificationError(api, 'malformed', 'Data is not an object');
  const rtnCode = int(data.RtnCode);
  if (rtnCode !== 1)
    return { status: 'unknown', merchantTradeNo, reason: 'query-rejected', rtnCode, rtnMsg: text(data.RtnMsg) };

  const order = isObject(data.OrderInfo) ? data.OrderInfo : undefined;
  if (!order) throw new EcpayResponseVerificationError(api, 'malformed', 'OrderInfo');
  const answeredNo = text(order.MerchantTradeNo) || text(data.MerchantTradeNo);
  if (answeredNo !== '' && answeredNo !== merchantTradeNo)
    throw new EcpayResponseVerificationError(api, 'mismatch', 'MerchantTradeNo');

  const tradeStatus = text(order.TradeStatus).trim();
  if (tradeStatus === '1') return readAuthorized(data, merchantTradeNo, 'query');
  return {
    status: 'unknown',
    merchantTradeNo,
    reason: tradeStatus === '0' ? 'pending' : 'unrecognized-status',
    tradeStatus,
  };
}
