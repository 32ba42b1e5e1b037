// Every provider EcpayModule registers, in one place: those every app gets, and those persistence adds. The module
// definition (ecpay.module-definition.ts) chooses which sets a registration gets; nothing here is built by hand
// beyond choosing a value.
import type { Provider } from '@nestjs/common';
import { ECPAY_RESOLVED_OPTIONS } from './config/ecpay.constants.js';
import { EcpayMerchantRegistry } from './config/ecpay-merchant.registry.js';
import type { ResolvedEcpayOptions } from './config/resolved-ecpay-options.interface.js';
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
import { EcpaySigningService } from './signing/ecpay-signing.service.js';
import { ECPAY_CLOCK } from './time/ecpay-clock.js';
import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import {
  ECPAY_AUTO_CLOSE,
  ECPAY_BOUND_CARD_REPOSITORY,
  ECPAY_DATA_SOURCE,
  ECPAY_DISPATCH_OPTIONS,
  ECPAY_NOTIFICATION_OPTIONS,
  ECPAY_RATE_LIMIT_REPOSITORY,
  ECPAY_RECONCILIATION_OPTIONS,
  ECPAY_TRADE_REPOSITORY,
} from './config/ecpay.constants.js';
import { EcpayTypeOrmRateLimitStore } from './client/ecpay-typeorm-rate-limit.store.js';
import { EcpayNotificationDispatcher } from './notifications/ecpay-notification.dispatcher.js';
import { EcpayNotificationService } from './notifications/ecpay-notification.service.js';
import { EcpayEventsService } from './operations/ecpay-events.service.js';
import { EcpayOperationsService } from './operations/ecpay-operations.service.js';
import { EcpayReconciliationService } from './operations/ecpay-reconciliation.service.js';
import { EcpayBoundCard } from './persistence/ecpay-bound-card.entity.js';
import { EcpayBoundCardStore } from './persistence/ecpay-bound-card.store.js';
import { EcpayRateLimit } from './persistence/ecpay-rate-limit.entity.js';
import { EcpayTrade } from './persistence/ecpay-trade.entity.js';
import { EcpayTradeStore } from './persistence/ecpay-trade.store.js';
import { EcpayService } from './ecpay.service.js';
import { EcpayDatabaseServices, EcpayPersistedServices, EcpayPersistenceOff } from './ecpay-persisted-services.js';
import { EcpayTelemetry } from './observability/ecpay-telemetry.js';

export const ECPAY_PROVIDERS: Provider[] = [
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
  // Metrics and spans through the OpenTelemetry API: no-ops until the app installs an SDK.
  EcpayTelemetry,
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
  // Each service gets its own slice of the resolved options.
  optionSlice(ECPAY_DISPATCH_OPTIONS, (options) => options.dispatch),
  optionSlice(ECPAY_NOTIFICATION_OPTIONS, (options) => options.notifications),
  optionSlice(ECPAY_RECONCILIATION_OPTIONS, (options) => options.reconciliation),
  optionSlice(ECPAY_AUTO_CLOSE, (options) => options.autoClose),
];

function optionSlice(token: symbol, pick: (options: ResolvedEcpayOptions) => unknown): Provider {
  return { provide: token, useFactory: pick, inject: [ECPAY_RESOLVED_OPTIONS] };
}

function repositoryOf(token: symbol, entity: EntityTarget<ObjectLiteral>): Provider {
  return {
    provide: token,
    useFactory: (dataSource: DataSource) => dataSource.getRepository(entity),
    inject: [ECPAY_DATA_SOURCE],
  };
}

/**
 * What persistence adds: the stores, the inbox and its dispatcher, operations and reconciliation, on the app's
 * DataSource.
 */
export const ECPAY_PERSISTENCE_PROVIDERS: Provider[] = [
  repositoryOf(ECPAY_TRADE_REPOSITORY, EcpayTrade),
  repositoryOf(ECPAY_BOUND_CARD_REPOSITORY, EcpayBoundCard),
  repositoryOf(ECPAY_RATE_LIMIT_REPOSITORY, EcpayRateLimit),
  EcpayTradeStore,
  EcpayBoundCardStore,
  // The 403 breaker shared by every instance on the database (the store factory above prefers it to memory).
  { provide: ECPAY_PERSISTENT_RATE_LIMIT_STORE, useClass: EcpayTypeOrmRateLimitStore },
  EcpayNotificationService,
  EcpayNotificationDispatcher,
  // Captures, refunds, voids and period actions: recorded per call, events through the inbox.
  EcpayOperationsService,
  // Queries trades ECPay never reported on; its timer runs only with reconciliation.enabled.
  EcpayReconciliationService,
  // An operator's view of the inbox and the unresolved actions (also what the `ecpay events` command runs).
  EcpayEventsService,
  // What EcpayService's persistence verbs reach: the services above.
  { provide: EcpayPersistedServices, useClass: EcpayDatabaseServices },
];

/**
 * What `persistence: false` puts in persistence's place: EcpayService's persistence verbs refuse, naming the option.
 */
export const ECPAY_NO_PERSISTENCE_PROVIDERS: Provider[] = [
  { provide: EcpayPersistedServices, useClass: EcpayPersistenceOff },
];

/** What persistence adds to the module's exports. */
export const ECPAY_PERSISTENCE_EXPORTS = [
  EcpayTradeStore,
  EcpayBoundCardStore,
  EcpayNotificationService,
  EcpayNotificationDispatcher,
  EcpayOperationsService,
  EcpayReconciliationService,
  EcpayEventsService,
];
