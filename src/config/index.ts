// The config concern: the module options an app writes, the merchants they describe, the callback routes and the
// rate-limit store contract. Validation, the internal constants and the dispatch lease stay internal. Its tokens
// and Inject…() helpers are exported by tokens/.
export * from './ecpay-options.interface.js';
export { getEcpayOptionsToken } from './ecpay-options.decorator.js';
export * from './ecpay-merchant.js';
export * from './ecpay-merchant.registry.js';
export {
  ECPAY_CALLBACK_ROUTE_PATHS,
  type EcpayCallbackRouteName,
  type EcpayCallbackRoutes,
} from './ecpay-callback-routes.js';
export type { ResolvedEcpayOptions } from './resolved-ecpay-options.interface.js';
export {
  ECPAY_RATE_LIMIT_WINDOW_MS,
  type EcpayRateLimitStore,
  type EcpayRedisClient,
} from './ecpay-rate-limit-store.interface.js';
