import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { EcpayModuleOptions } from './ecpay-options.interface.js';

/**
 * `forRoot(options)` and `forRootAsync({ imports, inject, useFactory | useClass | useExisting })` come from Nest's
 * ConfigurableModuleBuilder. A `useClass`/`useExisting` provider implements `createEcpayOptions()`.
 * `isGlobal` (default true) makes EcpayService injectable everywhere, as the module is configured once per app.
 */
export const {
  ConfigurableModuleClass: EcpayConfigurableModule,
  MODULE_OPTIONS_TOKEN: ECPAY_MODULE_OPTIONS,
  OPTIONS_TYPE: ECPAY_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: ECPAY_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<EcpayModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createEcpayOptions')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/** The options of `EcpayModule.forRoot()` (module options plus `isGlobal`). @publicApi */
export type EcpayForRootOptions = typeof ECPAY_OPTIONS_TYPE;
/** The options of `EcpayModule.forRootAsync()`. @publicApi */
export type EcpayForRootAsyncOptions = typeof ECPAY_ASYNC_OPTIONS_TYPE;
