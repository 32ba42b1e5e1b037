import { inspect } from 'node:util';
import { Injectable, Optional } from '@nestjs/common';
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
import { EcpayConfigError } from './errors/ecpay-config.error.js';
import { EcpayNotificationDispatcher } from './notifications/ecpay-notification.dispatcher.js';
import type {
  EcpayActionResolution,
  EcpayOperationOptions,
  EcpayOperationResult,
  EcpayReconciliationReport,
} from './operations/ecpay-operations.interface.js';
import { EcpayEventsService, type EcpayEventQuery } from './operations/ecpay-events.service.js';
import { EcpayOperationsService } from './operations/ecpay-operations.service.js';
import type { EcpayNotification } from './persistence/ecpay-notification.entity.js';
import type { EcpayTradeAction } from './persistence/ecpay-trade-action.entity.js';
import { EcpayReconciliationService } from './operations/ecpay-reconciliation.service.js';
import type { EcpayTrade } from './persistence/ecpay-trade.entity.js';
import { EcpayTradeStore } from './persistence/ecpay-trade.store.js';
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
    /** Cards customers keep with ECPay (站內付 2.0): binding, paying with a bound card, listing, deleting. */
    readonly cards: EcpayCardsService,
    private readonly merchants: EcpayMerchantRegistry,
    @InjectEcpayOptions() private readonly options: ResolvedEcpayOptions,
    private readonly backAuths: EcpayBackAuthTradesService,
    @Optional() private readonly dispatcher?: EcpayNotificationDispatcher,
    @Optional() private readonly operations?: EcpayOperationsService,
    @Optional() private readonly reconciliation?: EcpayReconciliationService,
    @Optional() private readonly trades?: EcpayTradeStore,
    @Optional() private readonly events?: EcpayEventsService,
  ) {}

  /**
   * The stored trade with this MerchantTradeNo, of the default merchant or of `options.merchant` (a configured
   * merchant's name or MerchantID); `null` when there is none. Its `status` is what ECPay's verified notifications,
   * queries and actions made of it — the one place an app reads whether an order was paid.
   */
  async findTrade(merchantTradeNo: string, options: { merchant?: string } = {}): Promise<EcpayTrade | null> {
    if (!this.trades) throw this.noPersistence('trades');
    return this.trades.findByMerchantTradeNo(this.merchants.get(options.merchant).merchantId, merchantTradeNo);
  }

  /**
   * Charges a card server to server (BackAuth, `/1.0.0/Cashier/BackAuth`, docs/protocol.md §7.6). Every field is checked first
   * (all problems in one `EcpayValidationError`, never echoing card data); the trade is stored `pending`; the call is
   * made once (30 s timeout). The result: `three-d-secure` (redirect the browser to `url`; the 3-D Secure return
   * and the ReturnURL settle the trade), `authorized` (the trade is paid), `failed` (declined), or `unknown` (no
   * answer and the follow-up QueryTrade could not tell: never resend; reconciliation or a later query settles it).
   * ReturnURL and OrderResultURL default to the library's `/ecpay/ecpg/return` and `/ecpay/ecpg/order-result`.
   * Wrap card input in `EcpayBackAuthRequest` as soon as it enters your app so it prints redacted.
   */
  backAuth(
    input: EcpayBackAuthInput | EcpayBackAuthRequest,
    options?: EcpayBackAuthCallOptions,
  ): Promise<EcpayBackAuthOutcome> {
    return this.backAuths.authorize(input, options);
  }

  /**
   * Refunds a paid card trade: `amount` TWD (an integer, at most what is left; default all of it), by the DoAction
   * recipe of its card stage (authorized → N; waiting for its close → E then N in full, R in part; closed → R).
   * Refused with `EcpayOperationError` before anything is sent when the rules forbid it (partial refunds of
   * installment or Redeem trades, 20:15–20:30 Taipei, another action unresolved…). Raises `refund.succeeded`.
   */
  refund(merchantTradeNo: string, amount?: number, options?: EcpayOperationOptions): Promise<EcpayOperationResult> {
    return this.requireOperations().refund(merchantTradeNo, amount, options);
  }

  /** Closes (captures) an authorized card trade, for its total or `amount` TWD (DoAction C). Raises `trade.captured`. */
  capture(merchantTradeNo: string, amount?: number, options?: EcpayOperationOptions): Promise<EcpayOperationResult> {
    return this.requireOperations().capture(merchantTradeNo, amount, options);
  }

  /** Voids a card authorization that is not closed yet (N; E then N while it waits for its close). Raises `trade.cancelled`. */
  cancel(merchantTradeNo: string, options?: EcpayOperationOptions): Promise<EcpayOperationResult> {
    return this.requireOperations().cancel(merchantTradeNo, options);
  }

  /** Stops a periodic (定期定額) order's later charges (CreditCardPeriodAction Cancel). Raises `period.cancelled`. */
  cancelPeriod(merchantTradeNo: string, options?: EcpayOperationOptions): Promise<EcpayOperationResult> {
    return this.requireOperations().cancelPeriod(merchantTradeNo, options);
  }

  /** Re-authorizes a periodic order's failed charge (CreditCardPeriodAction ReAuth). Raises `period.reauthorized`. */
  reAuthPeriod(merchantTradeNo: string, options?: EcpayOperationOptions): Promise<EcpayOperationResult> {
    return this.requireOperations().reAuthPeriod(merchantTradeNo, options);
  }

  /**
   * Settles an action whose outcome was unknown (a timed-out capture/refund/void) once a query told how it went;
   * until then the trade accepts no further action. See {@link EcpayOperationsService.resolveAction}.
   */
  resolveAction(actionId: string, outcome: EcpayActionResolution): Promise<EcpayOperationResult> {
    return this.requireOperations().resolveAction(actionId, outcome);
  }

  /** Runs one reconciliation round now: queries the trades past ECPay's recommended delays and applies the answers. */
  reconcile(): Promise<EcpayReconciliationReport> {
    if (!this.reconciliation) throw this.noPersistence('reconciliation');
    return this.reconciliation.run();
  }

  private requireOperations(): EcpayOperationsService {
    if (!this.operations) throw this.noPersistence('operations');
    return this.operations;
  }

  private noPersistence(what: string): EcpayConfigError {
    return new EcpayConfigError([
      { option: 'persistence', message: `${what} live in the database; enable persistence` },
    ]);
  }

  /**
   * Delivers a notification's event to its handlers again, with a fresh attempt budget — for an event parked as
   * `failed` once the handler is fixed. False when there is no such event.
   */
  redriveNotification(notificationId: string): Promise<boolean> {
    if (!this.dispatcher) {
      throw new EcpayConfigError([
        { option: 'persistence', message: 'notifications and their events live in the database; enable persistence' },
      ]);
    }
    return this.dispatcher.redrive(notificationId);
  }

  /** Events (inbox rows) newest first, e.g. `{ status: 'failed' }` for the parked ones. See {@link EcpayEventsService}. */
  listEvents(query?: EcpayEventQuery): Promise<EcpayNotification[]> {
    return this.requireEvents().listEvents(query);
  }

  /** One event: its notification's payload, attempts, last error, handlers done; null when there is none. */
  getEvent(notificationId: string): Promise<EcpayNotification | null> {
    return this.requireEvents().getEvent(notificationId);
  }

  /** Capture/refund/void/period actions whose outcome is unknown, oldest first: resolve each with {@link resolveAction}. */
  listUnresolvedActions(): Promise<EcpayTradeAction[]> {
    return this.requireEvents().listUnresolvedActions();
  }

  private requireEvents(): EcpayEventsService {
    if (!this.events) throw this.noPersistence('events');
    return this.events;
  }

  /**
   * An All-in-One checkout (AioCheckOut/V5): checks every ECPay rule, stores the trade, and returns the signed fields
   * and an auto-submitting form. See {@link EcpayCheckoutService.createCheckout}.
   */
  createCheckout(order: EcpayCheckoutOrder): Promise<EcpayCheckout> {
    return this.checkout.createCheckout(order);
  }

  /**
   * The signed fields and form of an order, checked like createCheckout but stored nowhere (works with
   * `persistence: false`). See {@link EcpayCheckoutService.buildCheckout}.
   */
  buildCheckout(order: EcpayCheckoutOrder): EcpayCheckoutForm {
    return this.checkout.buildCheckout(order);
  }

  /** The environment the module was configured for. */
  get environment(): EcpayEnvironment {
    return this.options.environment;
  }

  /** What `console.log`/`util.inspect` show: the configuration, not the whole Nest container behind the services. */
  [inspect.custom](): string {
    return `EcpayService { environment: '${this.environment}', merchants: [${this.merchants
      .all()
      .map((m) => `'${m.name}' ${m.merchantId}`)
      .join(', ')}] }`;
  }

  /** A configured merchant by name or MerchantID (the default one without an argument). Keys are not printable. */
  merchant(reference?: string): EcpayMerchant {
    return this.merchants.get(reference);
  }
}
