import { InjectEcpayCallbackRoutes, type EcpayCallbackRoutes } from '../config/ecpay-callback-routes.js';
import { Injectable, Optional } from '@nestjs/common';
import { ecpayHosts, ECPAY_PATHS } from '../client/ecpay-endpoints.js';
import { EcpayMerchantRegistry } from '../config/ecpay-merchant.registry.js';
import { InjectEcpayOptions } from '../config/ecpay-options.decorator.js';
import type { ResolvedEcpayOptions } from '../config/resolved-ecpay-options.interface.js';
import { EcpayConfigError } from '../errors/ecpay-config.error.js';
import { EcpayValidationError } from '../errors/ecpay-validation.error.js';
import { EcpayDuplicateTradeError } from '../errors/ecpay-duplicate-trade.error.js';
import type { EcpayPaymentOptions, EcpayTrade } from '../persistence/ecpay-trade.entity.js';
import { EcpayTradeStore } from '../persistence/ecpay-trade.store.js';
import { EcpaySigningService } from '../signing/ecpay-signing.service.js';
import { InjectEcpayClock, type EcpayClock } from '../time/ecpay-clock.js';
import { type AioParams, buildAioParams } from './build-aio-params.js';
import { renderCheckoutForm } from './checkout-form.js';
import type { EcpayCheckoutOrder } from './checkout-order.interface.js';
import { generateMerchantTradeNo } from './merchant-trade-no.js';
import { validateAioParams } from './validate-aio-params.js';

/**
 * A checkout ready for the browser: post `fields` to `action` (single-page apps), or send `html`, a page that does
 * it by itself.
 *
 * @publicApi
 */
export interface EcpayCheckoutForm {
  readonly action: string;
  readonly method: 'POST';
  /** The signed AioCheckOut/V5 fields, CheckMacValue included. */
  readonly fields: Readonly<Record<string, string>>;
  /** An auto-submitting HTML form; every value is escaped. */
  readonly html: string;
  readonly merchantTradeNo: string;
}

/** @publicApi */
export interface EcpayCheckout extends EcpayCheckoutForm {
  /** The stored trade (status `pending`), which the payment notification will be matched against. */
  readonly trade: EcpayTrade;
}

// The fields every order has; the rest are the payment's options, kept on the trade for later decisions.
const BASIC_FIELDS = new Set([
  'MerchantID',
  'MerchantTradeNo',
  'MerchantTradeDate',
  'PaymentType',
  'TotalAmount',
  'TradeDesc',
  'ItemName',
  'ChoosePayment',
  'EncryptType',
  'PlatformID',
  'CustomField1',
  'CustomField2',
  'CustomField3',
  'CustomField4',
]);

/**
 * All-in-One checkout (AioCheckOut/V5): build the fields from an order, check every ECPay rule, store the trade,
 * sign, and render the form. Nothing is stored when a rule is broken, and nothing is returned before the trade is
 * stored, so every payment notification has a trade to match.
 *
 * @publicApi
 */
@Injectable()
export class EcpayCheckoutService {
  constructor(
    private readonly signing: EcpaySigningService,
    private readonly merchants: EcpayMerchantRegistry,
    @InjectEcpayOptions() private readonly options: ResolvedEcpayOptions,
    @InjectEcpayClock() private readonly clock: EcpayClock,
    @InjectEcpayCallbackRoutes() private readonly routes: EcpayCallbackRoutes,
    @Optional() private readonly store?: EcpayTradeStore,
  ) {}

  /**
   * Checks the order against every ECPay rule, stores the trade (`pending`), and returns the signed fields and the
   * auto-submitting form. Nothing is returned before the trade is stored, so every payment notification has a trade
   * to match. Needs persistence; an app that keeps its own records uses {@link buildCheckout}.
   *
   * @throws EcpayValidationError listing every broken rule (nothing stored, nothing signed).
   * @throws EcpayUnknownMerchantError when `order.merchant` is not configured.
   */
  async createCheckout(order: EcpayCheckoutOrder): Promise<EcpayCheckout> {
    const store = this.requireStore();
    const { params, form } = this.prepare(order);
    const trade = await this.storeTrade(store, params);
    return { ...form, trade };
  }

  /**
   * The signed fields and form of an order, checked against every ECPay rule like {@link createCheckout}, but stored
   * nowhere: for an app without persistence that records its orders itself. The library's notification routes and
   * operations only know trades that `createCheckout` stored.
   *
   * @throws EcpayValidationError listing every broken rule (nothing signed).
   * @throws EcpayUnknownMerchantError when `order.merchant` is not configured.
   */
  buildCheckout(order: EcpayCheckoutOrder): EcpayCheckoutForm {
    return this.prepare(order).form;
  }

  private prepare(order: EcpayCheckoutOrder): { params: AioParams; form: EcpayCheckoutForm } {
    const merchant = this.merchants.get(order.merchant);
    const merchantTradeNo = order.merchantTradeNo ?? generateMerchantTradeNo({ clock: this.clock });
    const { params, issues } = buildAioParams(order, {
      merchant,
      now: this.clock.now(),
      merchantTradeNo,
      publicUrl: this.options.publicUrl,
      routes: this.routes,
    });
    issues.push(...validateAioParams(params, { environment: this.options.environment }));
    if (issues.length > 0) throw new EcpayValidationError(issues);

    const fields = this.signing.signParams(params, { merchant: merchant.name });
    const action = ecpayHosts(this.options.environment, this.options.sandboxUrl).payment + ECPAY_PATHS.aioCheckOut;
    return {
      params,
      form: {
        action,
        method: 'POST',
        fields,
        html: renderCheckoutForm(action, fields, { cspNonce: order.cspNonce }),
        merchantTradeNo,
      },
    };
  }

  private async storeTrade(store: EcpayTradeStore, params: AioParams): Promise<EcpayTrade> {
    const paymentOptions: EcpayPaymentOptions = {};
    for (const [name, value] of Object.entries(params))
      if (!BASIC_FIELDS.has(name) && value !== undefined) paymentOptions[name] = value;
    try {
      return await store.createPending({
        merchantId: params.MerchantID!,
        platformId: params.PlatformID ?? null,
        merchantTradeNo: params.MerchantTradeNo!,
        totalAmount: Number(params.TotalAmount),
        choosePayment: params.ChoosePayment!,
        paymentOptions,
        itemName: params.ItemName!,
        tradeDesc: params.TradeDesc!,
        merchantTradeDate: params.MerchantTradeDate!,
        customField1: params.CustomField1 ?? null,
        customField2: params.CustomField2 ?? null,
        customField3: params.CustomField3 ?? null,
        customField4: params.CustomField4 ?? null,
      });
    } catch (error) {
      if (error instanceof EcpayDuplicateTradeError) {
        throw new EcpayValidationError([
          {
            field: 'MerchantTradeNo',
            rule: 'unique',
            message: 'is already used by another trade of this merchant (ECPay never accepts one twice)',
            value: params.MerchantTradeNo,
          },
        ]);
      }
      throw error;
    }
  }

  private requireStore(): EcpayTradeStore {
    if (!this.store) {
      throw new EcpayConfigError([
        {
          option: 'persistence',
          message:
            'createCheckout stores every trade before returning the form; remove "persistence: false" and give the app a TypeOrmModule connection, or use buildCheckout',
        },
      ]);
    }
    return this.store;
  }
}
