import { InjectEcpayCallbackRoutes, type EcpayCallbackRoutes } from '../config/ecpay-callback-routes.js';
import { Injectable, Optional } from '@nestjs/common';
import { InjectEcpayOptions } from '../config/ecpay-options.decorator.js';
import type { ResolvedEcpayOptions } from '../config/resolved-ecpay-options.interface.js';
import { generateMerchantTradeNo } from '../checkout/merchant-trade-no.js';
import { EcpayNotificationDispatcher } from '../notifications/ecpay-notification.dispatcher.js';
import { EcpayNotificationService } from '../notifications/ecpay-notification.service.js';
import type { EcpayTrade } from '../persistence/ecpay-trade.entity.js';
import { EcpayTradeStore } from '../persistence/ecpay-trade.store.js';
import { formatEcpayDateTime } from '../time/ecpay-time.js';
import type { EcpayBackAuthInput } from './back-auth-input.interface.js';
import type { EcpayBackAuthResult } from './back-auth-result.interface.js';
import { EcpayBackAuthRequest } from './back-auth-request.js';
import { EcpayBackAuthService } from './ecpay-back-auth.service.js';
import type { EcpayBackAuthCallOptions } from './ecpay-back-auth-options.interface.js';
import { validateBackAuthInput } from './validate-back-auth-input.js';
import { JSON_API_TRADE_OPTION, type EcpayJsonApiTradeKind } from './json-api-trade.js';

/** A BackAuth result with the stored trade it belongs to (when persistence is on). @publicApi */
export type EcpayBackAuthOutcome = EcpayBackAuthResult & { readonly trade?: EcpayTrade };

/**
 * BackAuth as an app uses it: the input checked, the trade stored as `pending` before anything is sent (so the
 * ReturnURL notification and the 3-D Secure return always find it), the call made once, and a definite answer —
 * authorized or declined — applied to the trade through the notification state machine, exactly like the
 * notification that will repeat it (which then only confirms). A 3-D Secure redirect or an unknown outcome leaves
 * the trade pending for the notification (or reconciliation) to settle.
 */
@Injectable()
export class EcpayBackAuthTradesService {
  constructor(
    private readonly backAuth: EcpayBackAuthService,
    @InjectEcpayOptions() private readonly options: ResolvedEcpayOptions,
    @InjectEcpayCallbackRoutes() private readonly routes: EcpayCallbackRoutes,
    @Optional() private readonly trades?: EcpayTradeStore,
    @Optional() private readonly notifications?: EcpayNotificationService,
    @Optional() private readonly dispatcher?: EcpayNotificationDispatcher,
  ) {}

  async authorize(
    input: EcpayBackAuthInput | EcpayBackAuthRequest,
    callOptions: EcpayBackAuthCallOptions = {},
  ): Promise<EcpayBackAuthOutcome> {
    const merchant = this.options.defaultMerchant;
    const now = this.options.clock.now();
    const request = EcpayBackAuthRequest.from(this.withDefaults(input, now));
    const filled = request.unwrap();
    validateBackAuthInput(filled, now, { merchantId: merchant.merchantId });
    const merchantTradeNo = filled.OrderInfo.MerchantTradeNo!;
    const itemName =
      filled.OrderInfo.ItemName ??
      filled.OrderInfo.items?.map((item) => `${item.name} x${item.quantity}`).join('#') ??
      '';
    const trade = await this.storePending(
      merchantTradeNo,
      filled.OrderInfo.TotalAmount,
      itemName,
      filled.OrderInfo.TradeDesc,
      now,
    );
    return this.settle(
      trade,
      merchantTradeNo,
      filled.OrderInfo.TotalAmount,
      await this.backAuth.backAuth(request, callOptions),
    );
  }

  /**
   * Stores the trade of a server-side card charge as `pending` before it is sent (undefined without persistence),
   * marked with the JSON API it goes through: reconciliation then asks QueryTrade about it.
   */
  storePending(
    merchantTradeNo: string,
    totalAmount: number,
    itemName: string,
    tradeDesc: string,
    now: Date,
    api: EcpayJsonApiTradeKind = 'BackAuth',
  ): Promise<EcpayTrade | undefined> {
    return this.trades
      ? this.trades.createPending({
          merchantId: this.options.defaultMerchant.merchantId,
          merchantTradeNo,
          totalAmount,
          choosePayment: 'Credit',
          paymentOptions: { [JSON_API_TRADE_OPTION]: api },
          itemName: itemName.slice(0, 400),
          tradeDesc: tradeDesc.slice(0, 200),
          merchantTradeDate: formatEcpayDateTime(now),
        })
      : Promise.resolve(undefined);
  }

  /**
   * Applies a definite answer (authorized or declined) to its trade as a 'back-auth' notification — the trade paid
   * or failed with one event, the ReturnURL repeating it later only confirming — and returns the result with the
   * trade as it now is. 3-D Secure and unknown outcomes leave the trade pending.
   */
  async settle(
    trade: EcpayTrade | undefined,
    merchantTradeNo: string,
    totalAmount: number,
    result: EcpayBackAuthResult,
  ): Promise<EcpayBackAuthOutcome> {
    if (!trade || !this.notifications || (result.status !== 'authorized' && result.status !== 'failed'))
      return trade ? { ...result, trade } : result;
    const merchantId = this.options.defaultMerchant.merchantId;
    const receipt = await this.notifications.receive('back-auth', {
      MerchantID: merchantId,
      MerchantTradeNo: merchantTradeNo,
      RtnCode: result.status === 'authorized' ? 1 : (result.rtnCode ?? 0),
      ...(result.status === 'authorized'
        ? {
            TradeNo: result.tradeNo,
            TradeAmt: result.amount ?? totalAmount,
            PaymentType: result.paymentType,
            PaymentDate: result.paymentDate ? formatEcpayDateTime(result.paymentDate) : undefined,
            Card4No: result.card.card4,
          }
        : { RtnMsg: result.rtnMsg }),
    });
    if (!receipt.duplicate && receipt.notification.eventName) void this.dispatcher?.kick();
    return { ...result, trade: (await this.trades!.findByMerchantTradeNo(merchantId, merchantTradeNo)) ?? trade };
  }

  /**
   * Reconciliation of a trade charged through a JSON API that is still pending (its answer was lost and the
   * QueryTrade right after failed too): QueryTrade now, never the charge again, and a definite answer applied like
   * {@link settle}. The result says what QueryTrade told (`unknown` when it still cannot tell).
   */
  async reconcile(trade: EcpayTrade): Promise<EcpayBackAuthOutcome> {
    const result = await this.backAuth.queryOutcome(trade.merchantTradeNo);
    return this.settle(trade, trade.merchantTradeNo, trade.totalAmount, result);
  }

  /** A MerchantTradeNo, and the library's callback routes when the app gave none. */
  private withDefaults(input: EcpayBackAuthInput | EcpayBackAuthRequest, now: Date): EcpayBackAuthInput {
    const plain = input instanceof EcpayBackAuthRequest ? input.unwrap() : input;
    const base = this.options.publicUrl;
    return {
      ...plain,
      OrderInfo: {
        ...plain.OrderInfo,
        MerchantTradeNo: plain.OrderInfo.MerchantTradeNo ?? generateMerchantTradeNo({ clock: { now: () => now } }),
        ReturnURL: plain.OrderInfo.ReturnURL || (this.routes.url('ecpgReturn', base) ?? ''),
      },
      CardInfo: {
        ...plain.CardInfo,
        OrderResultURL: plain.CardInfo.OrderResultURL ?? this.routes.url('ecpgOrderResult', base),
      },
    };
  }
}
