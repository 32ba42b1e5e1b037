// The public API of nestjs-ecpay. Everything not exported here is internal and may change without notice.
export * from './ecpay.module.js';
export * from './ecpay.service.js';
export type { EcpayForRootAsyncOptions, EcpayForRootOptions, EcpayModuleExtras } from './ecpay.module-definition.js';
export { getEcpayRawOptionsToken } from './ecpay.module-definition.js';
export * from './config/ecpay-options.interface.js';
export * from './config/ecpay-options.decorator.js';
export * from './config/ecpay-merchant.js';
export * from './config/ecpay-merchant.registry.js';
export {
  ECPAY_CALLBACK_ROUTES,
  ECPAY_CALLBACK_ROUTE_PATHS,
  InjectEcpayCallbackRoutes,
  type EcpayCallbackRouteName,
  type EcpayCallbackRoutes,
} from './config/ecpay-callback-routes.js';
export type { ResolvedEcpayOptions } from './config/resolved-ecpay-options.interface.js';
export * from './signing/check-mac-value.js';
export * from './signing/ecpay-signing.service.js';
export * from './encoding/index.js';
export {
  decryptEcpayData,
  decryptEcpayPayload,
  decryptEcpayPayloadGcm,
  encryptEcpayData,
  encryptEcpayPayload,
  encryptEcpayPayloadGcm,
} from './crypto/ecpay-aes.js';
export * from './crypto/ecpay-crypto.service.js';
export type * from './crypto/ecpay-envelope.interface.js';
export * from './client/ecpay-client.service.js';
export * from './client/ecpay-client.interface.js';
export type { EcpayApiName } from './client/ecpay-endpoints.js';
export * from './config/ecpay-rate-limit-store.interface.js';
export * from './client/ecpay-memory-rate-limit.store.js';
export * from './client/ecpay-typeorm-rate-limit.store.js';
export * from './client/ecpay-redis-rate-limit.store.js';
export * from './checkout/checkout-order.interface.js';
export * from './checkout/ecpay-checkout.service.js';
export { renderCheckoutForm } from './checkout/checkout-form.js';
export { AIO_AMOUNT_LIMITS } from './checkout/validate-aio-params.js';
export { DEFAULT_CALLBACK_PATHS } from './checkout/build-aio-params.js';
export * from './checkout/merchant-trade-no.js';
export * from './persistence/index.js';
export * from './notifications/index.js';
export * from './handlers/index.js';
export * from './callbacks/index.js';
export type { EcpayCallbacksConfig } from './callbacks/ecpay-callbacks.controller.js';
export * from './operations/index.js';
export * from './time/index.js';
// Deprecated here since 0.2.0, removed in 0.3.0: import them from 'nestjs-ecpay/testing' and 'nestjs-ecpay/sandbox'.
export * from './deprecated-entry-points.js';
export type * from './back-auth/back-auth-input.interface.js';
export type * from './back-auth/back-auth-result.interface.js';
export type { EcpayBackAuthCallOptions } from './back-auth/ecpay-back-auth-options.interface.js';
export type { EcpayBackAuthOutcome } from './back-auth/ecpay-back-auth-trades.service.js';
export { EcpayBackAuthRequest, redactBackAuthInput } from './back-auth/back-auth-request.js';
export { validateBackAuthInput } from './back-auth/validate-back-auth-input.js';
export { EcpayBackAuthService } from './back-auth/ecpay-back-auth.service.js';
export { EcpayCardsService } from './cards/ecpay-cards.service.js';
export type * from './cards/ecpay-cards.interface.js';
export {
  ECPAY_JSON_TRANSPORT,
  isOutcomeUnknown,
  type EcpayJsonTransport,
  type EcpayJsonApi,
  type EcpayJsonTransportOptions,
} from './back-auth/ecpay-json-transport.interface.js';
export * from './errors/index.js';
export { InjectEcpayDataSource, InjectEcpayJsonTransport, InjectEcpayRateLimitStore } from './tokens/ecpay.tokens.js';
export * from './observability/index.js';
