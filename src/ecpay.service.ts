import { inspect } from 'node:util';
import { Injectable, Optional } from '@nestjs/common';
import { EcpayMerchantRegistry } from './config/ecpay-merchant.registry.js';
import type { EcpayMerchant } from './config/ecpay-merchant.js';
import { InjectEcpayOptions } from './config/ecpay-options.decorator.js';
import type { EcpayEnvironment } from './config/ecpay-options.interface.js';
import type { ResolvedEcpayOptions } from './config/resolved-ecpay-options.interface.js';
import type { EcpayCheckout } from './checkout/ecpay-checkout.service.js';
import { EcpayCheckoutService } from './checkout/ecpay-checkout.service.js';
import { EcpayClient } from './client/ecpay-client.service.js';
import type { EcpayCheckoutOrder } from './checkout/checkout-order.interface.js';
import { EcpayCryptoService } from './crypto/ecpay-crypto.service.js';
import { EcpayConfigError } from './errors/ecpay-config.error.js';
import { EcpayNotificationDispatcher } from './notifications/ecpay-notification.dispatcher.js';
import { EcpaySigningService } from './signing/ecpay-signing.service.js';

/**
 * The one service an app injects. It grows with the library (checkout, BackAuth, queries, refunds); the building
 * blocks are reachable too, for raw calls.
 *
 * @publicApi
 */
@Injectable()
export class EcpayService {
  constructor(
    /** CheckMacValue signing and verification with the configured merchants. */
    readonly signing: EcpaySigningService,
    /** The AES envelope of the JSON APIs. */
    readonly crypto: EcpayCryptoService,
    /** All-in-One checkout. */
    readonly checkout: EcpayCheckoutService,
    /** Server-to-server calls to ECPay: queries, DoAction, period actions, statements (timeouts, 403 breaker, verified answers). */
    readonly client: EcpayClient,
    private readonly merchants: EcpayMerchantRegistry,
    @InjectEcpayOptions() private readonly options: ResolvedEcpayOptions,
    @Optional() private readonly dispatcher?: EcpayNotificationDispatcher,
  ) {}

  /**
   * Delivers a notification's event to its handlers again, with a fresh attempt budget — for an event parked as
   * `failed` once the handler is fixed. False when there is no such event.
   */
  redriveNotification(notificationId: string): Promise<boolean> {
    if (!this.dispatcher) {
      throw new EcpayConfigError([{ option: 'persistence', message: 'notifications and their events live in the database; enable persistence' }]);
    }
    return this.dispatcher.redrive(notificationId);
  }

  /**
   * An All-in-One checkout (AioCheckOut/V5): checks every ECPay rule, stores the trade, and returns the signed fields
   * and an auto-submitting form. See {@link EcpayCheckoutService.createCheckout}.
   */
  createCheckout(order: EcpayCheckoutOrder): Promise<EcpayCheckout> {
    return this.checkout.createCheckout(order);
  }

  /** The environment the module was configured for. */
  get environment(): EcpayEnvironment {
    return this.options.environment;
  }

  /** What `console.log`/`util.inspect` show: the configuration, not the whole Nest container behind the services. */
  [inspect.custom](): string {
    return `EcpayService { environment: '${this.environment}', merchants: [${this.merchants.all().map((m) => `'${m.name}' ${m.merchantId}`).join(', ')}] }`;
  }

  /** A configured merchant by name or MerchantID (the default one without an argument). Keys are not printable. */
  merchant(reference?: string): EcpayMerchant {
    return this.merchants.get(reference);
  }
}
