import { ECPAY_CALLBACK_ROUTE_PATHS, type EcpayCallbackRouteName } from '../config/ecpay-callback-routes.js';

/** The notification kind each route stores (a refused request never got as far as a kind of its own). */
const KIND_OF_ROUTE: Record<EcpayCallbackRouteName, string> = {
  return: 'aio-return',
  periodReturn: 'period-return',
  paymentInfo: 'payment-info',
  orderResult: 'order-result',
  ecpgReturn: 'ecpg-return',
  ecpgOrderResult: 'ecpg-order-result',
  ticketRefundNotify: 'ecticket-refund',
};

/** Longest path first: `ecpg/return` must win over `return`. */
const BY_PATH = (Object.entries(ECPAY_CALLBACK_ROUTE_PATHS) as [EcpayCallbackRouteName, string][]).sort(
  ([, a], [, b]) => b.length - a.length,
);

/**
 * Which kind of notification a refused request was posted as, from the route's path (any prefix): a bounded
 * metric attribute, `unknown` for a route of the app's own.
 */
export function rejectedKindOf(request: object): string {
  const url = (request as { originalUrl?: unknown; url?: unknown }).originalUrl ?? (request as { url?: unknown }).url;
  const path = typeof url === 'string' ? url.split('?')[0]!.replace(/\/+$/, '') : '';
  const match = BY_PATH.find(([, route]) => path.endsWith(`/${route}`));
  return match ? KIND_OF_ROUTE[match[0]] : 'unknown';
}
