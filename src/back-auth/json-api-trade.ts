import type { EcpayTrade } from '../persistence/ecpay-trade.entity.js';

/**
 * The JSON API a trade was charged through, when it was not the AIO form: BackAuth, or CreatePaymentWithCardID (a
 * payment with a saved card). Recorded in the trade's `paymentOptions` under {@link JSON_API_TRADE_OPTION} when the
 * trade is stored, so that what became of it is asked of QueryTrade (the JSON APIs' query), not QueryTradeInfo.
 *
 * @publicApi
 */
export type EcpayJsonApiTradeKind = 'BackAuth' | 'CreatePaymentWithCardID';

/** The `paymentOptions` key that names a trade's {@link EcpayJsonApiTradeKind}. @publicApi */
export const JSON_API_TRADE_OPTION = 'JsonApi';

/** The JSON API the library charged this trade through, or undefined for an AIO trade. */
export function jsonApiOf(trade: Pick<EcpayTrade, 'paymentOptions'>): EcpayJsonApiTradeKind | undefined {
  const api = trade.paymentOptions?.[JSON_API_TRADE_OPTION];
  return api === 'BackAuth' || api === 'CreatePaymentWithCardID' ? api : undefined;
}
