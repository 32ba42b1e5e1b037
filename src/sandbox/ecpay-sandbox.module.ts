import { Module, type DynamicModule } from '@nestjs/common';
import { ECPAY_SANDBOX_OPTIONS } from './ecpay-sandbox.constants.js';
import type { EcpaySandboxOptions } from './ecpay-sandbox-options.interface.js';
import { EcpaySandboxNotifier } from './ecpay-sandbox.notifier.js';
import { EcpaySandboxStore } from './ecpay-sandbox.store.js';
import { createSandboxJsonApiController } from './json/sandbox-json-api.controller.js';
import { createSandboxJsonPagesController } from './json/sandbox-json-pages.controller.js';
import { SandboxBackAuthService } from './json/sandbox-back-auth.service.js';
import { SandboxBindCardService } from './json/sandbox-bind-card.service.js';
import { resolveSandboxOptions } from './resolve-sandbox-options.js';
import { createSandboxApiController } from './sandbox-api.controller.js';
import { SandboxApiService } from './sandbox-api.service.js';
import { createSandboxCashierController } from './sandbox-cashier.controller.js';
import { createSandboxControlController } from './sandbox-control.controller.js';
import { SandboxPaymentService } from './sandbox-payment.service.js';

/**
 * A local stand-in for ECPay that speaks ECPay's protocol on ECPay's own paths: AioCheckOut/V5 with a payment page
 * (card with 3-D Secure, ATM / store codes, periodic charges), signed notifications with ECPay's retries,
 * QueryTradeInfo, DoAction, the period APIs; the JSON/AES APIs — BackAuth (with a 3-D Secure page), QueryTrade and
 * the 站內付 2.0 card binding (GetTokenbyBindingCard, a binding page, CreateBindCard, CreatePaymentWithCardID,
 * GetMemberBindCard, DeleteMemberBindCard) with envelope notifications; and injectable faults. All state is in
 * memory ({@link EcpaySandboxStore}).
 *
 * Mount it in the app beside `EcpayModule` (`prefix: '/ecpay-sandbox'`, and
 * `sandboxUrl: 'http://host:port/ecpay-sandbox'` with `environment: 'sandbox'`), or run it alone with
 * `startEcpaySandbox()` / `ecpay sandbox`. Create the app with `{ rawBody: true }` so requests are verified over the
 * exact bytes posted.
 *
 * @publicApi
 */
@Module({})
export class EcpaySandboxModule {
  /** Options are checked here, once: a bad one throws `EcpayConfigError` naming it. */
  static forRoot(options: EcpaySandboxOptions = {}): DynamicModule {
    const resolved = resolveSandboxOptions(options);
    return {
      module: EcpaySandboxModule,
      controllers: [
        createSandboxCashierController(resolved.prefix),
        createSandboxApiController(resolved.prefix),
        createSandboxJsonApiController(resolved.prefix),
        createSandboxJsonPagesController(resolved.prefix),
        createSandboxControlController(resolved.prefix),
      ],
      providers: [
        { provide: ECPAY_SANDBOX_OPTIONS, useValue: resolved },
        EcpaySandboxStore,
        EcpaySandboxNotifier,
        SandboxPaymentService,
        SandboxApiService,
        SandboxBackAuthService,
        SandboxBindCardService,
      ],
      exports: [EcpaySandboxStore, EcpaySandboxNotifier],
    };
  }
}
