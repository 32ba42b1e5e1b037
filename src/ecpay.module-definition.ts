import { ConfigurableModuleBuilder, type DynamicModule } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { createEcpayCallbacksController, type EcpayCallbacksConfig } from './callbacks/ecpay-callbacks.controller.js';
import { ECPAY_PERSISTENT_RATE_LIMIT_STORE } from './client/ecpay-client.constants.js';
import { EcpayTypeOrmRateLimitStore } from './client/ecpay-typeorm-rate-limit.store.js';
import { EcpayEventBus } from './handlers/ecpay-event.bus.js';
import { EcpayHandlerRegistry } from './handlers/ecpay-handler.registry.js';
import { EcpayNotificationDispatcher } from './notifications/ecpay-notification.dispatcher.js';
import { EcpayNotificationService } from './notifications/ecpay-notification.service.js';
import { EcpayClient } from './client/ecpay-client.service.js';
import { EcpayBackAuthTradesService } from './back-auth/ecpay-back-auth-trades.service.js';
import { EcpayMerchantRegistry } from './config/ecpay-merchant.registry.js';
import { EcpayOperationsService } from './operations/ecpay-operations.service.js';
import { EcpayReconciliationService } from './operations/ecpay-reconciliation.service.js';
import { ECPAY_CLOCK, type EcpayClock } from './time/ecpay-clock.js';
import { ECPAY_CALLBACK_ROUTES, resolveEcpayCallbackRoutes } from './config/ecpay-callback-routes.js';
import { ECPAY_RESOLVED_OPTIONS } from './config/ecpay.constants.js';
import type { ResolvedEcpayOptions } from './config/resolved-ecpay-options.interface.js';
import { ECPAY_DATA_SOURCE, EcpayDataSourceModule } from './persistence/ecpay-data-source.module.js';
import { EcpayRateLimit } from './persistence/ecpay-rate-limit.entity.js';
import { EcpayTrade } from './persistence/ecpay-trade.entity.js';
import { EcpayTradeStore } from './persistence/ecpay-trade.store.js';
import { EcpayBoundCard } from './persistence/ecpay-bound-card.entity.js';
import { EcpayBoundCardStore } from './persistence/ecpay-bound-card.store.js';
import type { EcpayModuleOptions } from './config/ecpay-options.interface.js';

/** Module-level switches, known before the options (so they work with forRootAsync too). @publicApi */
export interface EcpayModuleExtras {
  /** Make EcpayService injectable everywhere (default true: the module is configured once per app). */
  isGlobal?: boolean;
  /**
   * Store trades and bound cards through the app's TypeORM connection (default true; checkout needs it). The app
   * imports `TypeOrmModule.forRoot({ ..., autoLoadEntities: true })` or lists `ECPAY_ENTITIES`. `false` for apps that
   * only sign and verify.
   */
  persistence?: boolean;
  /** The TypeORM DataSource name, when the app has several. */
  dataSource?: string;
  /**
   * The notification routes (`/ecpay/return`, …): on by default with persistence (they store into the inbox);
   * `{ prefix, decorators }` to move or decorate them, `false` to mount your own controller with the guards.
   */
  callbacks?: false | EcpayCallbacksConfig;
}

function applyExtras(definition: DynamicModule, extras: EcpayModuleExtras): DynamicModule {
  const persistence = extras.persistence !== false;
  const callbacks = persistence && extras.callbacks !== false;
  // One resolution of the routes for the controller and for every URL handed to ECPay (checkout, BackAuth, cards).
  const routes = resolveEcpayCallbackRoutes((extras.callbacks || {}).prefix);
  return {
    ...definition,
    controllers: [
      ...(definition.controllers ?? []),
      ...(callbacks ? [createEcpayCallbacksController(extras.callbacks || {}, routes)] : []),
    ],
    global: extras.isGlobal !== false,
    imports: [
      ...(definition.imports ?? []),
      ...(persistence ? [EcpayDataSourceModule.register(extras.dataSource)] : []),
    ],
    providers: [
      ...(definition.providers ?? []),
      { provide: ECPAY_CALLBACK_ROUTES, useValue: routes },
      // Every store and service reaches the app's DataSource (named or default) through one alias.
      ...(persistence
        ? [
            {
              provide: EcpayTradeStore,
              useFactory: (dataSource: DataSource) => new EcpayTradeStore(dataSource.getRepository(EcpayTrade)),
              inject: [ECPAY_DATA_SOURCE],
            },
            {
              provide: EcpayBoundCardStore,
              useFactory: (dataSource: DataSource) => new EcpayBoundCardStore(dataSource.getRepository(EcpayBoundCard)),
              inject: [ECPAY_DATA_SOURCE],
            },
            // The 403 breaker shared by every instance on the database (the module's store factory prefers it to memory).
            {
              provide: ECPAY_PERSISTENT_RATE_LIMIT_STORE,
              useFactory: (dataSource: DataSource) =>
                new EcpayTypeOrmRateLimitStore(dataSource.getRepository(EcpayRateLimit)),
              inject: [ECPAY_DATA_SOURCE],
            },
            {
              provide: EcpayNotificationService,
              useFactory: (dataSource: DataSource, boundCards: EcpayBoundCardStore, options: ResolvedEcpayOptions) =>
                new EcpayNotificationService(dataSource, boundCards, options.notifications),
              inject: [ECPAY_DATA_SOURCE, EcpayBoundCardStore, ECPAY_RESOLVED_OPTIONS],
            },
            {
              provide: EcpayNotificationDispatcher,
              useFactory: (
                dataSource: DataSource,
                bus: EcpayEventBus,
                handlers: EcpayHandlerRegistry,
                clock: EcpayClock,
                options: ResolvedEcpayOptions,
              ) => new EcpayNotificationDispatcher(dataSource, bus, handlers, clock, options.dispatch),
              inject: [ECPAY_DATA_SOURCE, EcpayEventBus, EcpayHandlerRegistry, ECPAY_CLOCK, ECPAY_RESOLVED_OPTIONS],
            },
            // Captures, refunds, voids and period actions: recorded per call, events through the inbox.
            {
              provide: EcpayOperationsService,
              useFactory: (
                dataSource: DataSource,
                client: EcpayClient,
                merchants: EcpayMerchantRegistry,
                clock: EcpayClock,
                options: ResolvedEcpayOptions,
                dispatcher: EcpayNotificationDispatcher,
              ) => new EcpayOperationsService(dataSource, client, merchants, clock, options.autoClose, dispatcher),
              inject: [
                ECPAY_DATA_SOURCE,
                EcpayClient,
                EcpayMerchantRegistry,
                ECPAY_CLOCK,
                ECPAY_RESOLVED_OPTIONS,
                EcpayNotificationDispatcher,
              ],
            },
            // Queries trades ECPay never reported on; its timer runs only with reconciliation.enabled.
            {
              provide: EcpayReconciliationService,
              useFactory: (
                dataSource: DataSource,
                client: EcpayClient,
                notifications: EcpayNotificationService,
                clock: EcpayClock,
                options: ResolvedEcpayOptions,
                dispatcher: EcpayNotificationDispatcher,
                jsonTrades: EcpayBackAuthTradesService,
              ) =>
                new EcpayReconciliationService(
                  dataSource,
                  client,
                  notifications,
                  clock,
                  options.reconciliation,
                  dispatcher,
                  jsonTrades,
                ),
              inject: [
                ECPAY_DATA_SOURCE,
                EcpayClient,
                EcpayNotificationService,
                ECPAY_CLOCK,
                ECPAY_RESOLVED_OPTIONS,
                EcpayNotificationDispatcher,
                EcpayBackAuthTradesService,
              ],
            },
          ]
        : []),
    ],
    exports: [
      ...(definition.exports ?? []),
      ECPAY_CALLBACK_ROUTES,
      ...(persistence
        ? [
            EcpayTradeStore,
            EcpayBoundCardStore,
            EcpayNotificationService,
            EcpayNotificationDispatcher,
            EcpayOperationsService,
            EcpayReconciliationService,
          ]
        : []),
    ],
  };
}

/**
 * `forRoot(options)` and `forRootAsync({ imports, inject, useFactory | useClass | useExisting })` come from Nest's
 * ConfigurableModuleBuilder. A `useClass`/`useExisting` provider implements `createEcpayOptions()`. The extras
 * (`isGlobal`, `persistence`, `dataSource`) sit beside the options in both forms.
 */
export const {
  ConfigurableModuleClass: EcpayConfigurableModule,
  MODULE_OPTIONS_TOKEN: ECPAY_MODULE_OPTIONS,
  OPTIONS_TYPE: ECPAY_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: ECPAY_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<EcpayModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createEcpayOptions')
  .setExtras<EcpayModuleExtras>(
    { isGlobal: true, persistence: true, dataSource: undefined, callbacks: undefined },
    applyExtras,
  )
  .build();

/** The options of `EcpayModule.forRoot()` (module options plus `isGlobal`). @publicApi */
export type EcpayForRootOptions = typeof ECPAY_OPTIONS_TYPE;
/** The options of `EcpayModule.forRootAsync()`. @publicApi */
export type EcpayForRootAsyncOptions = typeof ECPAY_ASYNC_OPTIONS_TYPE;

/**
 * The token of the raw options as given to forRoot/forRootAsync (before validation). It lives here, with the module's
 * composition, so that no lower-level file imports this one (that would be an import cycle).
 *
 * @publicApi
 */
export const getEcpayRawOptionsToken = (): string | symbol => ECPAY_MODULE_OPTIONS;
