/**
 * Where a trade stands, as this library records it.
 *
 * - `pending` — created, the AIO form not yet answered by ECPay;
 * - `code-issued` — an ATM / CVS / BARCODE payment code was issued (PaymentInfoURL), money not yet received;
 * - `paid` — ECPay reported RtnCode 1 in a verified notification;
 * - `failed` — ECPay reported a failure;
 * - `cancelled` — given up before payment (e.g. the payment code expired, or cancelled by the merchant);
 * - `refunded`, `partially-refunded` — money went back in full or in part.
 *
 * @publicApi
 */
export type EcpayTradeStatus =
  'pending' | 'code-issued' | 'paid' | 'failed' | 'cancelled' | 'refunded' | 'partially-refunded';

/** Every {@link EcpayTradeStatus}, in lifecycle order. @publicApi */
export const ECPAY_TRADE_STATUSES: readonly EcpayTradeStatus[] = Object.freeze([
  'pending',
  'code-issued',
  'paid',
  'failed',
  'cancelled',
  'refunded',
  'partially-refunded',
] as const);
