import { inspect } from 'node:util';
import { Injectable } from '@nestjs/common';
import { EcpayMerchantRegistry } from './config/ecpay-merchant.registry.js';
import type { EcpayMerchant } from './config/ecpay-merchant.js';
import { InjectEcpayOptions } from './config/ecpay-options.decorator.js';
import type { EcpayEnvironment } from './config/ecpay-options.interface.js';
import type { ResolvedEcpayOptions } from './config/resolved-ecpay-options.interface.js';
import type { EcpayCheckout, EcpayCheckoutForm } from './checkout/ecpay-checkout.service.js';
import { EcpayCheckoutService } from './checkout/ecpay-checkout.service.js';
import type { EcpayBackAuthInput } from './back-auth/back-auth-input.interface.js';
import type { EcpayBackAuthRequest } from './back-auth/back-auth-request.js';
import type { EcpayBackAuthCallOptions } from './back-auth/ecpay-back-auth-options.interface.js';
import { EcpayBackAuthTradesService, type EcpayBackAuthOutcome } from './back-auth/ecpay-back-auth-trades.service.js';
import { EcpayCardsService } from './cards/ecpay-cards.service.js';
import { EcpayClient } from './client/ecpay-client.service.js';
import type { EcpayCheckoutOrder } from './checkout/checkout-order.interface.js';
import { EcpayCryptoService } from './crypto/ecpay-crypto.service.js';
import { EcpayPersistedServices } from './ecpay-persisted-services.js';
import type {
  EcpayActionResolution,
  EcpayOperationOptions,
  EcpayOperationResult,
  EcpayReconciliationReport,
} from './operations/ecpay-operations.interface.js';
import type { EcpayEventQuery } from './operations/ecpay-events.service.js';
import type { EcpayNotification } from './persistence/ecpay-notification.entity.js';
import type { EcpayTradeAction } from './persistence/ecpay-trade-action.entity.js';
import type { EcpayTrade } from './persistence/ecpay-trade.entity.js';
import { EcpaySigningService } from './signing/ecpay-signing.service.js';

/**
 * The one service an app injects: one way to do each thing. The payment flows are its verbs (checkout, BackAuth,
 * queries, refunds and the other card actions, reconciliation, re-driving a notification); the building blocks
 * without a verb of their own (signing, crypto, client, cards) are read-only properties, for raw calls. Each verb
 * only delegates: the rules live in the services, and with `persistence: false` the verbs that need the database
 * reject with an `EcpayConfigError` naming `persistence` (see {@link EcpayPersistedServices}).
 *
 * @publicApi
 */
@Injectable()
export class EcpayService {
  // Nothing optional: persistence-backed services come through `persisted`, which the module provides in both modes.
  constructor(
    /** CheckMacValue signing and verification with the configured merchants. */
    readonly signing: EcpaySigningService,
    /** The AES envelope of the JSON APIs. */
    readonly crypto: EcpayCryptoService,
    /**
     * Server-to-server calls to ECPay: queries, DoAction, period actions, statements (timeouts, 403 breaker, verified
     * answers).
     */
    readonly client: EcpayClient,
    /** Cards customers keep with ECPay (站內付 2.0): binding, paying with a bound card, listing, deleting. */
    readonly cards: EcpayCardsService,
    private readonly checkouts: EcpayCheckoutService,
    private readonly backAuths: EcpayBackAuthTradesService,
    private readonly merchants: EcpayMerchantRegistry,
    @InjectEcpayOptions() private readonly options: ResolvedEcpayOptions,
    private readonly persisted: EcpayPersistedServices,
  ) {}

  // --- Configuration ------------------------------------------------------------------------------------------

  /** The environment the module was configured for. */
  get environment(): EcpayEnvironment {
    return this.options.environment;
  }

  /** A configured merchant by name or MerchantID (the default one without an argument). Keys are not printable. */
  merchant(reference?: string): EcpayMerchant {
    return this.merchants.get(reference);
  }

  // --- Starting a payment -------------------------------------------------------------------------------------

  /**
   * An All-in-One checkout (AioCheckOut/V5): checks every ECPay rule, stores the trade, and returns the signed fields
   * and an auto-submitting form. See {@link EcpayCheckoutService.createCheckout}.
   */
  createCheckout(order: EcpayCheckoutOrder): Promise<EcpayCheckout> {
    return this.checkouts.createCheckout(order);
  }

  /**
   * The signed fields and form of an order, checked like createCheckout but stored nowhere (works with
   * `persistence: false`). See {@link EcpayCheckoutService.buildCheckout}.
   */
  buildCheckout(order: EcpayCheckoutOrder): EcpayCheckoutForm {
    return this.checkouts.buildCheckout(order);
  }

  /**
   * Charges a card server to server (BackAuth, `/1.0.0/Cashier/BackAuth`, docs/protocol.md §7.6). Every field is
   * checked first (all problems in one `EcpayValidationError`, never echoing card data); the trade is stored `pending`;
   * the call is made once (30 s timeout). The result: `three-d-secure` (redirect the browser to `url`; the 3-D Secure
   * return and the ReturnURL settle the trade), `authorized` (the trade is paid), `failed` (declined), or `unknown` (no
   * answer and the follow-up QueryTrade could not tell: never resend; reconciliation or a later query settles it).
   * ReturnURL and OrderResultURL default to the library's `/ecpay/ecpg/return` and `/ecpay/ecpg/order-result`. Wrap
   * card input in `EcpayBackAuthRequest` as soon as it enters your app so it prints redacted.
   */
  backAuth(
    input: EcpayBackAuthInput | EcpayBackAuthRequest,
    options?: EcpayBackAuthCallOptions,
  ): Promise<EcpayBackAuthOutcome> {
    return this.backAuths.authorize(input, options);
  }

  // --- Stored trades and what follows a payment (persistence) -------------------------------------------------
  // These are `async` so that, with persistence off, the EcpayConfigError arrives as a rejection like every other
  // failure of a Promise-returning call, never as a synchronous throw.

  /**
   * The stored trade with this MerchantTradeNo, of the default merchant or of `options.merchant` (a configured
   * merchant's name or MerchantID); `null` when there is none. Its `status` is what ECPay's verified notifications,
   * queries and actions made of it — the one place an app reads whether an order was paid.
   */
  async findTrade(merchantTradeNo: string, options: { merchant?: string } = {}): Promise<EcpayTrade | null> {
    return this.persisted.trades.findByMerchantTradeNo(
      this.merchants.get(options.merchant).merchantId,
      merchantTradeNo,
    );
  }

  /**
   * Refunds a paid card trade: `amount` TWD (an integer, at most what is left; default all of it), by the DoAction
   * recipe of its card stage (authorized → N; waiting for its close → E then N in full, R in part; closed → R).
   * Refused with `EcpayOperationError` before anything is sent when the rules forbid it (partial refunds of
   * installment or Redeem trades, 20:15–20:30 Taipei, another action unresolved…). Raises `refund.succeeded`.
   */
  async refund(
    merchantTradeNo: string,
    amount?: number,
    options?: EcpayOperationOptions,
  ): Promise<EcpayOperationResult> {
    return this.persisted.operations.refund(merchantTradeNo, amount, options);
  }

  /**
   * Closes (captures) an authorized card trade, for its total or `amount` TWD (DoAction C). Raises `trade.captured`.
   */
  async capture(
    merchantTradeNo: string,
    amount?: number,
    options?: EcpayOperationOptions,
  ): Promise<EcpayOperationResult> {
    return this.persisted.operations.capture(merchantTradeNo, amount, options);
  }

  /**
   * Voids a card authorization that is not closed yet (N; E then N while it waits for its close). Raises
   * `trade.cancelled`.
   */
  async cancel(merchantTradeNo: string, options?: EcpayOperationOptions): Promise<EcpayOperationResult> {
    return this.persisted.operations.cancel(merchantTradeNo, options);
  }

  /** Stops a periodic (定期定額) order's later charges (CreditCardPeriodAction Cancel). Raises `period.cancelled`. */
  async cancelPeriod(merchantTradeNo: string, options?: EcpayOperationOptions): Promise<EcpayOperationResult> {
    return this.persisted.operations.cancelPeriod(merchantTradeNo, options);
  }

  /** Re-authorizes a periodic order's failed charge (CreditCardPeriodAction ReAuth). Raises `period.reauthorized`. */
  async reAuthPeriod(merchantTradeNo: string, options?: EcpayOperationOptions): Promise<EcpayOperationResult> {
    return this.persisted.operations.reAuthPeriod(merchantTradeNo, options);
  }

  /**
   * Settles an action whose outcome was unknown (a timed-out capture/refund/void) once a query told how it went;
   * until then the trade accepts no further action. See `EcpayOperationsService.resolveAction`.
   */
  async resolveAction(actionId: string, outcome: EcpayActionResolution): Promise<EcpayOperationResult> {
    return this.persisted.operations.resolveAction(actionId, outcome);
  }

  /** Runs one reconciliation round now: queries the trades past ECPay's recommended delays and applies the answers. */
  async reconcile(): Promise<EcpayReconciliationReport> {
    return this.persisted.reconciliation.run();
  }

  // --- Notifications (operator actions: listing and showing events belong here, beside the re-drive) ----------

  /**
   * Delivers a notification's event to its handlers again, with a fresh attempt budget — for an event parked as
   * `failed` once the handler is fixed. False when there is no such event.
   */
  async redriveNotification(notificationId: string): Promise<boolean> {
    return this.persisted.dispatcher.redrive(notificationId);
  }

  /**
   * Events (inbox rows) newest first, e.g. `{ status: 'failed' }` for the parked ones. See {@link EcpayEventsService}.
   */
  async listEvents(query?: EcpayEventQuery): Promise<EcpayNotification[]> {
    return this.persisted.events.listEvents(query);
  }

  /** One event: its notification's payload, attempts, last error, handlers done; null when there is none. */
  async getEvent(notificationId: string): Promise<EcpayNotification | null> {
    return this.persisted.events.getEvent(notificationId);
  }

  /**
   * Capture/refund/void/period actions whose outcome is unknown, oldest first: resolve each with {@link resolveAction}.
   */
  async listUnresolvedActions(): Promise<EcpayTradeAction[]> {
    return this.persisted.events.listUnresolvedActions();
  }

  // --- Deprecated -------------------------------------------------------------------------------------------

  /**
   * All-in-One checkout, the same service as {@link createCheckout} and {@link buildCheckout}: two ways to do one
   * thing, so the façade keeps only the verbs.
   *
   * @deprecated Since 0.2.0; removed in 0.3.0. Call `ecpay.createCheckout()` / `ecpay.buildCheckout()`, or inject
   * `EcpayCheckoutService` where a class needs the service itself.
   */
  get checkout(): EcpayCheckoutService {
    return this.checkouts;
  }

  /** What `console.log`/`util.inspect` show: the configuration, not the whole Nest container behind the services. */
  [inspect.custom](): string {
    return `EcpayService { environment: '${this.environment}', merchants: [${this.merchants
      .all()
      .map((m) => `'${m.name}' ${m.merchantId}`)
      .join(', ')}] }`;
  }
}
