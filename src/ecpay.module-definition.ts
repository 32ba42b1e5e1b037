import { ConfigurableModuleBuilder, type DynamicModule } from '@nestjs/common';
import { createEcpayCallbacksController, type EcpayCallbacksConfig } from './callbacks/ecpay-callbacks.controller.js';
import { ECPAY_CALLBACK_ROUTES, resolveEcpayCallbackRoutes } from './config/ecpay-callback-routes.js';
import { ECPAY_RESOLVED_OPTIONS } from './config/ecpay.constants.js';
import type { EcpayModuleOptions } from './config/ecpay-options.interface.js';
import type { ResolvedEcpayOptions } from './config/resolved-ecpay-options.interface.js';
import { validateEcpayOptions } from './config/validate-ecpay-options.js';
import {
  ECPAY_NO_PERSISTENCE_PROVIDERS,
  ECPAY_PERSISTENCE_EXPORTS,
  ECPAY_PERSISTENCE_PROVIDERS,
} from './ecpay.providers.js';
import { EcpayDataSourceModule } from './persistence/ecpay-data-source.module.js';

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
    global: extras.isGlobal !== false,
    controllers: [
      ...(definition.controllers ?? []),
      ...(callbacks ? [createEcpayCallbacksController(extras.callbacks || {}, routes)] : []),
    ],
    // With persistence, the bridge to the app's TypeORM connection (imported only then).
    imports: [
      ...(definition.imports ?? []),
      ...(persistence ? [EcpayDataSourceModule.register(extras.dataSource)] : []),
    ],
    providers: [
      ...(definition.providers ?? []),
      {
        // Validation runs once, while the app boots: a bad option stops start-up with a message naming it.
        provide: ECPAY_RESOLVED_OPTIONS,
        useFactory: (options: EcpayModuleOptions): ResolvedEcpayOptions => validateEcpayOptions(options),
        inject: [ECPAY_MODULE_OPTIONS],
      },
      { provide: ECPAY_CALLBACK_ROUTES, useValue: routes },
      ...(persistence ? ECPAY_PERSISTENCE_PROVIDERS : ECPAY_NO_PERSISTENCE_PROVIDERS),
    ],
    exports: [...(definition.exports ?? []), ECPAY_CALLBACK_ROUTES, ...(persistence ? ECPAY_PERSISTENCE_EXPORTS : [])],
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
