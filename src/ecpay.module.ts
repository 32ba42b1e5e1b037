import { Module } from '@nestjs/common';
import { ECPAY_RESOLVED_OPTIONS } from './config/ecpay.constants.js';
import { EcpayConfigurableModule } from './ecpay.module-definition.js';
import { EcpayMerchantRegistry } from './config/ecpay-merchant.registry.js';
import { EcpayBackAuthService } from './back-auth/ecpay-back-auth.service.js';
import { EcpayCardsService } from './cards/ecpay-cards.service.js';
import { EcpayCheckoutService } from './checkout/ecpay-checkout.service.js';
import { EcpayClient } from './client/ecpay-client.service.js';
import { ECPAY_RATE_LIMIT_STORE } from './config/ecpay-rate-limit-store.interface.js';
import { EcpayCryptoService } from './crypto/ecpay-crypto.service.js';
import { EcpayService } from './ecpay.service.js';
import { EcpayHandlersModule } from './handlers/ecpay-handlers.module.js';
import { EcpaySigningService } from './signing/ecpay-signing.service.js';
import { ECPAY_CLOCK } from './time/ecpay-clock.js';
import { ECPAY_PROVIDERS } from './ecpay.providers.js';
import { EcpayCircuitBreaker } from './client/ecpay-circuit-breaker.service.js';
import { EcpayTelemetry } from './observability/ecpay-telemetry.js';

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
  providers: ECPAY_PROVIDERS,
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
    // For the health indicator (nestjs-ecpay/health) and the callback filter on an app's own controller.
    EcpayTelemetry,
    EcpayCircuitBreaker,
  ],
})
export class EcpayModule extends EcpayConfigurableModule {}
