import { Module, type Provider } from '@nestjs/common';
import { ECPAY_RESOLVED_OPTIONS } from './config/ecpay.constants.js';
import { ECPAY_MODULE_OPTIONS, EcpayConfigurableModule } from './ecpay.module-definition.js';
import { EcpayMerchantRegistry } from './config/ecpay-merchant.registry.js';
import type { EcpayModuleOptions } from './config/ecpay-options.interface.js';
import type { ResolvedEcpayOptions } from './config/resolved-ecpay-options.interface.js';
import { validateEcpayOptions } from './config/validate-ecpay-options.js';
import { ECPAY_BACK_AUTH_OPTIONS, type EcpayBackAuthOptions } from './back-auth/ecpay-back-auth-options.interface.js';
import { EcpayBackAuthTradesService } from './back-auth/ecpay-back-auth-trades.service.js';
import { EcpayBackAuthService } from './back-auth/ecpay-back-auth.service.js';
import { EcpayClientJsonTransport } from './back-auth/ecpay-client-json.transport.js';
import { ECPAY_JSON_TRANSPORT } from './back-auth/ecpay-json-transport.interface.js';
import { EcpayCardsService } from './cards/ecpay-cards.service.js';
import { EcpayCheckoutService } from './checkout/ecpay-checkout.service.js';
import { EcpayCircuitBreaker } from './client/ecpay-circuit-breaker.service.js';
import { EcpayClient } from './client/ecpay-client.service.js';
import { ECPAY_PERSISTENT_RATE_LIMIT_STORE } from './client/ecpay-client.constants.js';
import { EcpayHttpTransport } from './client/ecpay-http.transport.js';
import { EcpayMemoryRateLimitStore } from './client/ecpay-memory-rate-limit.store.js';
import { ECPAY_RATE_LIMIT_STORE, type EcpayRateLimitStore } from './config/ecpay-rate-limit-store.interface.js';
import { EcpayRedisRateLimitStore } from './client/ecpay-redis-rate-limit.store.js';
import { EcpayResponseVerifier } from './client/ecpay-response.verifier.js';
import { EcpayCryptoService } from './crypto/ecpay-crypto.service.js';
import { EcpayService } from './ecpay.service.js';
import { EcpayHandlersModule } from './handlers/ecpay-handlers.module.js';
import { EcpaySigningService } from './signing/ecpay-signing.service.js';
import { ECPAY_CLOCK } from './time/ecpay-clock.js';

const providers: Provider[] = [
  {
    // Validation runs once, while the app boots: a bad option stops start-up with a message naming it.
    provide: ECPAY_RESOLVED_OPTIONS,
    useFactory: (options: EcpayModuleOptions): ResolvedEcpayOptions => validateEcpayOptions(options),
    inject: [ECPAY_MODULE_OPTIONS],
  },
  {
    provide: ECPAY_CLOCK,
    useFactory: (options: ResolvedEcpayOptions) => options.clock,
    inject: [ECPAY_RESOLVED_OPTIONS],
  },
  {
    // Where the 403 breaker lives: the app's own store, else Redis when given, else the database when persistence is
    // on (shared by every instance), else this process's memory.
    provide: ECPAY_RATE_LIMIT_STORE,
    useFactory: (options: ResolvedEcpayOptions, persistent?: EcpayRateLimitStore): EcpayRateLimitStore =>
      options.rateLimit.store ??
      (options.rateLimit.redis
        ? new EcpayRedisRateLimitStore(options.rateLimit.redis, { keyPrefix: options.rateLimit.keyPrefix })
        : undefined) ??
      persistent ??
      new EcpayMemoryRateLimitStore(),
    inject: [ECPAY_RESOLVED_OPTIONS, { token: ECPAY_PERSISTENT_RATE_LIMIT_STORE, optional: true }],
  },
  EcpayMerchantRegistry,
  EcpaySigningService,
  EcpayCryptoService,
  EcpayCheckoutService,
  EcpayCircuitBreaker,
  EcpayHttpTransport,
  EcpayResponseVerifier,
  EcpayClient,
  // BackAuth on the module's client; its Data carries the default merchant's MerchantID.
  { provide: ECPAY_JSON_TRANSPORT, useClass: EcpayClientJsonTransport },
  {
    provide: ECPAY_BACK_AUTH_OPTIONS,
    useFactory: (options: ResolvedEcpayOptions): EcpayBackAuthOptions => ({
      merchantId: options.defaultMerchant.merchantId,
    }),
    inject: [ECPAY_RESOLVED_OPTIONS],
  },
  EcpayBackAuthService,
  EcpayBackAuthTradesService,
  EcpayCardsService,
  EcpayService,
];

/**
 * ECPay for NestJS. Configure once with `EcpayModule.forRoot({...})` or `EcpayModule.forRootAsync({...})` and
 * inject {@link EcpayService}.
 *
 * @example
 * EcpayModule.forRootAsync({
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({
 *     environment: config.getOrThrow('ECPAY_ENV'),
 *     merchantId: config.getOrThrow('ECPAY_MERCHANT_ID'),
 *     hashKey: config.getOrThrow('ECPAY_HASH_KEY'),
 *     hashIv: config.getOrThrow('ECPAY_HASH_IV'),
 *   }),
 * })
 * @publicApi
 */
@Module({
  imports: [EcpayHandlersModule],
  providers,
  exports: [
    ECPAY_RESOLVED_OPTIONS,
    ECPAY_CLOCK,
    ECPAY_RATE_LIMIT_STORE,
    EcpayMerchantRegistry,
    EcpaySigningService,
    EcpayCryptoService,
    EcpayCheckoutService,
    EcpayClient,
    EcpayBackAuthService,
    EcpayCardsService,
    EcpayService,
    EcpayHandlersModule,
  ],
})
export class EcpayModule extends EcpayConfigurableModule {}
