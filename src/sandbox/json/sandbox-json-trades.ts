import { formatEcpayDateTime } from '../../time/ecpay-time.js';
import type { EcpaySandboxStore } from '../ecpay-sandbox.store.js';
import { chargeFee } from '../sandbox-notification-fields.js';
import { TRADE_STATUS_FAILED } from '../sandbox-rtn-codes.js';
import type { SandboxTrade, SandboxTradeOrigin } from '../sandbox-trade.interface.js';
import type { JsonOrder } from './sandbox-json-data.js';
import type { SandboxCardSummary } from './sandbox-json-records.interface.js';

/** The authorization code every sandbox approval carries (the AIO page's too). */
const AUTH_CODE = '777777';

/** ECPay's PaymentType for a card paid through the JSON APIs (ECPay's BackAuth example). */
export const JSON_PAYMENT_TYPE = 'Credit';

/**
 * A trade made by a JSON API, in the same store as the AIO ones, so QueryTrade, QueryTradeInfo and DoAction see
 * every trade alike. Its `params` are the OrderInfo flattened to strings, plus the few top-level fields the
 * notifications need — never a card field.
 */
export function newJsonTrade(
  store: EcpaySandboxStore,
  now: Date,
  origin: SandboxTradeOrigin,
  merchantId: string,
  order: JsonOrder,
  extra: Readonly<Record<string, string | undefined>>,
): SandboxTrade {
  const params: Record<string, string> = {
    MerchantID: merchantId,
    MerchantTradeNo: order.merchantTradeNo,
    MerchantTradeDate: order.merchantTradeDate,
    TotalAmount: String(order.totalAmount),
    ItemName: order.itemName,
    TradeDesc: order.tradeDesc,
    ReturnURL: order.returnUrl,
    ChoosePayment: 'Credit',
  };
  for (const [name, value] of Object.entries(extra)) if (value !== undefined && value !== '') params[name] = value;
  return {
    token: store.newId(),
    origin,
    merchantId,
    merchantTradeNo: order.merchantTradeNo,
    tradeNo: store.nextTradeNo(now),
    params,
    totalAmount: order.totalAmount,
    tradeDate: formatEcpayDateTime(now),
    status: 'created',
    method: 'Credit',
    paymentType: JSON_PAYMENT_TYPE,
    notifications: [],
  };
}

/** Records the bank's approval on the trade: paid, with a card authorization DoAction can close, void or refund. */
export function authorize(
  trade: SandboxTrade,
  card: Pick<SandboxCardSummary, 'card6' | 'last4'>,
  eci: number,
  now: Date,
  installments = 0,
): void {
  const processDate = formatEcpayDateTime(now);
  trade.credit = {
    state: 'authorized',
    card6: card.card6,
    last4: card.last4,
    eci,
    authCode: AUTH_CODE,
    gwsr: String(10_000_000 + Math.floor(Math.random() * 89_999_999)),
    processDate,
    amount: trade.totalAmount,
    installments,
    closeAmount: trade.totalAmount,
    refundedAmount: 0,
    actions: [],
  };
  delete trade.pendingCard;
  trade.status = 'paid';
  trade.paymentDate = processDate;
}

/** Records a refusal on the trade (its MerchantTradeNo stays used, as on ECPay). */
export function decline(trade: SandboxTrade, rtn: { code: number; message: string }): void {
  delete trade.pendingCard;
  trade.status = 'failed';
  trade.failure = { code: String(rtn.code), message: rtn.message };
}

/**
 * TradeStatus as the JSON QueryTrade reports it: `1` paid, `0` not (yet) paid; a failed trade reports the same
 * status the sandbox's QueryTradeInfo does (10200095, docs/protocol.md §7.1, meaning not confirmed).
 */
export function tradeStatusOf(trade: SandboxTrade): string {
  return trade.status === 'paid' ? '1' : trade.status === 'failed' ? TRADE_STATUS_FAILED : '0';
}

/** Data.OrderInfo of the answers and notifications (docs/protocol.md §6.6, §6.7). */
export function orderInfoOf(trade: SandboxTrade): Record<string, unknown> {
  const paid = trade.status === 'paid';
  return {
    MerchantTradeNo: trade.merchantTradeNo,
    TradeNo: trade.tradeNo,
    TradeAmt: trade.totalAmount,
    TradeDate: trade.tradeDate,
    PaymentType: trade.paymentType ?? '',
    PaymentDate: trade.paymentDate ?? '',
    ChargeFee: paid ? Number(chargeFee(trade)) : 0,
    ProcessFee: 0,
    TradeStatus: tradeStatusOf(trade),
  };
}

/**
 * Data.CardInfo of a card trade (BackAuth's fields, docs/protocol.md §6.6; `withExpiry` adds the binding APIs'
 * CardValidMM/YY). Card6No is empty for a trade paid on the AIO page, which keeps only the last four digits.
 */
export function cardInfoOf(
  trade: SandboxTrade,
  expiry?: Pick<SandboxCardSummary, 'validMM' | 'validYY'>,
): Record<string, unknown> | undefined {
  const credit = trade.credit;
  if (!credit) return undefined;
  const stage = credit.installments;
  const staed = stage > 0 ? Math.floor(credit.amount / stage) : 0;
  return {
    Card6No: credit.card6 ?? '',
    Card4No: credit.last4,
    ...(expiry ? { CardValidYY: expiry.validYY, CardValidMM: expiry.validMM } : {}),
    AuthCode: credit.authCode,
    Gwsr: Number(credit.gwsr),
    ProcessDate: credit.processDate,
    Amount: credit.amount,
    // ECI 5 = authenticated by 3-D Secure; 7 = not (the direct card, a bound card). The AIO page always asks for 3-D
    // Secure.
    Eci: credit.eci ?? 5,
    IssuingBank: '綠界沙箱銀行 (sandbox bank)',
    IssuingBankCode: '999',
    Stage: stage,
    Stast: stage > 0 ? credit.amount - staed * (stage - 1) : 0,
    Staed: staed,
  };
}
