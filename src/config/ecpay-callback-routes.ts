import { EcpayConfigError } from '../errors/ecpay-config.error.js';

/** Each notification route below the callback prefix, named after the ECPay parameter whose URL it serves. */
export const ECPAY_CALLBACK_ROUTE_PATHS = {
  /** ReturnURL: the payment result of every AIO method. */
  return: 'return',
  /** PeriodReturnURL: each later periodic charge. */
  periodReturn: 'period-return',
  /** PaymentInfoURL: an ATM/CVS/BARCODE code issued. */
  paymentInfo: 'payment-info',
  /** OrderResultURL: the browser, back from ECPay. */
  orderResult: 'order-result',
  /** ReturnURL of the JSON APIs (BackAuth, bound cards). */
  ecpgReturn: 'ecpg/return',
  /** OrderResultURL of the JSON APIs: the browser's `ResultData`. */
  ecpgOrderResult: 'ecpg/order-result',
  /** ECTicket's RefundNotifyURL. */
  ticketRefundNotify: 'ecticket/refund-notify',
} as const;

export type EcpayCallbackRouteName = keyof typeof ECPAY_CALLBACK_ROUTE_PATHS;

/**
 * Where the library's notification routes are, resolved once from the module's `callbacks` extra. The controller
 * mounts them, and checkout, BackAuth and bound cards name them in the URLs they hand to ECPay, all from this one
 * provider, so a moved prefix cannot leave ECPay posting to the old place.
 *
 * @publicApi
 */
export interface EcpayCallbackRoutes {
  /** The controller's prefix, without slashes (default `ecpay`). */
  readonly prefix: string;
  /** The absolute path of a route, e.g. `path('return')` → `/ecpay/return`. */
  path(route: EcpayCallbackRouteName): string;
  /** The route's URL under `publicUrl` (trailing slashes ignored), or undefined without one. */
  url(route: EcpayCallbackRouteName, publicUrl: string | undefined): string | undefined;
}

export { ECPAY_CALLBACK_ROUTES } from '../tokens/ecpay.tokens.js';

export { InjectEcpayCallbackRoutes } from '../tokens/ecpay.tokens.js';

const PREFIX = /^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/;

/** Resolves the routes under `prefix` (default `ecpay`; surrounding slashes ignored). */
export function resolveEcpayCallbackRoutes(prefix = 'ecpay'): EcpayCallbackRoutes {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  if (!PREFIX.test(trimmed)) {
    throw new EcpayConfigError([
      {
        option: 'callbacks.prefix',
        message: 'must be path segments of letters, digits, ".", "_", "~" or "-" separated by "/"',
      },
    ]);
  }
  const path = (route: EcpayCallbackRouteName): string => `/${trimmed}/${ECPAY_CALLBACK_ROUTE_PATHS[route]}`;
  return {
    prefix: trimmed,
    path,
    url: (route, publicUrl) => (publicUrl ? publicUrl.replace(/\/+$/, '') + path(route) : undefined),
  };
}

/** The routes with the default prefix. */
export const DEFAULT_ECPAY_CALLBACK_ROUTES = resolveEcpayCallbackRoutes();
