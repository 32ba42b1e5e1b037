import {
  InjectEcpayCallbackRoutes,
  type EcpayCallbackRouteName,
  type EcpayCallbackRoutes,
} from '../config/ecpay-callback-routes.js';
import { Injectable, Optional } from '@nestjs/common';
import { InjectEcpayOptions } from '../config/ecpay-options.decorator.js';
import type { ResolvedEcpayOptions } from '../config/resolved-ecpay-options.interface.js';
import { EcpayBackAuthTradesService, type EcpayBackAuthOutcome } from '../back-auth/ecpay-back-auth-trades.service.js';
import { EcpayBackAuthService } from '../back-auth/ecpay-back-auth.service.js';
import { parseBackAuthResult } from '../back-auth/parse-back-auth-result.js';
import { generateMerchantTradeNo } from '../checkout/merchant-trade-no.js';
import { ECPAY_BACK_AUTH_TIMEOUT_MS } from '../client/ecpay-client.interface.js';
import { EcpayClient } from '../client/ecpay-client.service.js';
import { EcpayApiError } from '../errors/ecpay-api.error.js';
import { EcpayResponseVerificationError } from '../errors/ecpay-response-verification.error.js';
import { EcpayTimeoutError } from '../errors/ecpay-timeout.error.js';
import { EcpayTransportError } from '../errors/ecpay-transport.error.js';
import { EcpayValidationError, type EcpayValidationIssue } from '../errors/ecpay-validation.error.js';
import { EcpayNotificationDispatcher } from '../notifications/ecpay-notification.dispatcher.js';
import { EcpayNotificationService } from '../notifications/ecpay-notification.service.js';
import { EcpayBoundCardStore } from '../persistence/ecpay-bound-card.store.js';
import { formatEcpayDateTime } from '../time/ecpay-time.js';
import type {
  EcpayBindingResult,
  EcpayBindingToken,
  EcpayBoundCardInfo,
  EcpayBoundCardPaymentInput,
  EcpayCompleteBindingInput,
  EcpayStartBindingInput,
} from './ecpay-cards.interface.js';

const MEMBER_ID = /^[\x21-\x7e]{1,30}$/;
const BIND_CARD_ID = /^[A-Za-z0-9]{1,64}$/;

/**
 * Cards a customer keeps with ECPay (站內付 2.0): binding (a token for ECPay's form, then CreateBindCard with what the
 * form returns), paying with a bound card, listing and deleting. Card numbers never pass through the shop: ECPay's
 * form takes them, and the shop only ever sees BindCardID, the first six and the last four digits.
 *
 * A binding's result is applied like its notification (docs/protocol.md §6.7): the bound card recorded once per member
 * and card (IsSameCard refreshes it) and `card.bound` raised once, whichever of the API answer, the ReturnURL or the
 * browser's ResultData arrives first. A payment is stored and settled exactly like BackAuth.
 *
 * @publicApi
 */
@Injectable()
export class EcpayCardsService {
  constructor(
    private readonly client: EcpayClient,
    private readonly backAuth: EcpayBackAuthService,
    private readonly charges: EcpayBackAuthTradesService,
    @InjectEcpayOptions() private readonly options: ResolvedEcpayOptions,
    @InjectEcpayCallbackRoutes() private readonly routes: EcpayCallbackRoutes,
    @Optional() private readonly notifications?: EcpayNotificationService,
    @Optional() private readonly dispatcher?: EcpayNotificationDispatcher,
    @Optional() private readonly boundCards?: EcpayBoundCardStore,
  ) {}

  /** GetTokenbyBindingCard: a token for ECPay's binding form. */
  async startBinding(input: EcpayStartBindingInput): Promise<EcpayBindingToken> {
    const amount = input.amount ?? 1;
    check([
      memberIssue(input.memberId),
      Number.isInteger(amount) && amount > 0
        ? undefined
        : issue('amount', 'positive-integer', 'must be a whole number of TWD above 0'),
    ]);
    const now = this.options.clock.now();
    const merchantTradeNo = generateMerchantTradeNo({ clock: this.options.clock });
    const data = await this.client.sendEnvelope('getTokenByBindingCard', {
      ConsumerInfo: { MerchantMemberID: input.memberId, ...input.consumer },
      OrderInfo: {
        MerchantTradeDate: formatEcpayDateTime(now),
        MerchantTradeNo: merchantTradeNo,
        TotalAmount: amount,
        TradeDesc: input.tradeDesc ?? 'Card binding',
        ItemName: input.itemName ?? 'Card binding',
        ReturnURL: this.callback('ecpgReturn'),
      },
      OrderResultURL: input.orderResultUrl ?? this.callback('ecpgOrderResult'),
      ...(input.customField !== undefined ? { CustomField: input.customField } : {}),
    });
    if (Number(data.RtnCode) !== 1 || typeof data.Token !== 'string' || data.Token === '')
      throw rejected('getTokenByBindingCard', data);
    return {
      token: data.Token,
      merchantTradeNo,
      tokenExpireDate: typeof data.TokenExpireDate === 'string' ? data.TokenExpireDate : undefined,
    };
  }

  /** CreateBindCard: binds the card ECPay's form verified; records it and raises `card.bound` once. */
  async completeBinding(input: EcpayCompleteBindingInput): Promise<EcpayBindingResult> {
    check([
      memberIssue(input.memberId),
      input.bindCardPayToken ? undefined : issue('bindCardPayToken', 'required', 'is required'),
    ]);
    const data = await this.client.sendEnvelope('createBindCard', {
      BindCardPayToken: input.bindCardPayToken,
      MerchantMemberID: input.memberId,
    });
    const threeD = (data.ThreeDInfo as { ThreeDURL?: unknown } | undefined)?.ThreeDURL ?? data.ThreeDURL;
    if (Number(data.RtnCode) === 1 && typeof threeD === 'string' && /^https?:\/\//.test(threeD))
      return { status: 'three-d-secure', url: threeD };
    if (Number(data.RtnCode) !== 1)
      return {
        status: 'failed',
        rtnCode: Number.isFinite(Number(data.RtnCode)) ? Number(data.RtnCode) : null,
        rtnMsg: String(data.RtnMsg ?? ''),
      };
    const card = cardOf(data);
    if (String(data.MerchantMemberID ?? input.memberId) !== input.memberId || !card) {
      throw new EcpayResponseVerificationError('createBindCard', 'mismatch', 'MerchantMemberID or BindCardID');
    }
    const order = (data.OrderInfo ?? {}) as Record<string, unknown>;
    const merchantTradeNo = String(order.MerchantTradeNo ?? '');
    if (this.notifications) {
      // The same facts as the binding's notification, under the same dedupe key: stored once, card.bound once.
      const receipt = await this.notifications.receive('card-binding', {
        MerchantID: data.MerchantID ?? this.options.defaultMerchant.merchantId,
        MerchantTradeNo: merchantTradeNo,
        RtnCode: 1,
        TradeNo: order.TradeNo,
        MerchantMemberID: input.memberId,
        BindCardID: card.bindCardId,
        IsSameCard: data.IsSameCard,
        Data: data,
      });
      if (!receipt.duplicate && receipt.notification.eventName) void this.dispatcher?.kick();
    }
    return {
      status: 'bound',
      memberId: input.memberId,
      isSameCard: data.IsSameCard === true || data.IsSameCard === 'true',
      merchantTradeNo,
      ...card,
    };
  }

  /**
   * CreatePaymentWithCardID: charges a bound card. The trade is stored `pending` first and settled like BackAuth:
   * authorized → paid, declined → failed; a lost answer is learned with QueryTrade, never by charging again.
   */
  async payWithBoundCard(input: EcpayBoundCardPaymentInput): Promise<EcpayBackAuthOutcome> {
    const itemName = input.itemName ?? input.items?.map((item) => `${item.name} x${item.quantity}`).join('#') ?? '';
    check([
      memberIssue(input.memberId),
      BIND_CARD_ID.test(input.bindCardId ?? '')
        ? undefined
        : issue('bindCardId', 'format', "must be ECPay's BindCardID (letters and digits, at most 64)"),
      Number.isInteger(input.totalAmount) && input.totalAmount > 0
        ? undefined
        : issue('totalAmount', 'positive-integer', 'must be a whole number of TWD above 0'),
      itemName !== '' && itemName.length <= 400
        ? undefined
        : issue('itemName', 'length', 'must be 1 to 400 characters'),
      input.tradeDesc.length <= 200 ? undefined : issue('tradeDesc', 'max-length', 'must be at most 200 characters'),
    ]);
    const now = this.options.clock.now();
    const merchantTradeNo = input.merchantTradeNo ?? generateMerchantTradeNo({ clock: this.options.clock });
    const trade = await this.charges.storePending(
      merchantTradeNo,
      input.totalAmount,
      itemName,
      input.tradeDesc,
      now,
      'CreatePaymentWithCardID',
    );
    let result;
    try {
      const data = await this.client.sendEnvelope(
        'createPaymentWithCardId',
        {
          BindCardID: input.bindCardId,
          OrderInfo: {
            MerchantTradeDate: formatEcpayDateTime(now),
            MerchantTradeNo: merchantTradeNo,
            TotalAmount: input.totalAmount,
            ReturnURL: input.returnUrl ?? this.callback('ecpgReturn'),
            TradeDesc: input.tradeDesc,
            ItemName: itemName,
          },
          ConsumerInfo: { MerchantMemberID: input.memberId, ...input.consumer },
          ...(input.customField !== undefined ? { CustomField: input.customField } : {}),
        },
        { timeoutMs: ECPAY_BACK_AUTH_TIMEOUT_MS },
      );
      result =
        Number(data.RtnCode) === 1
          ? parseBackAuthResult(data, { merchantTradeNo })
          : {
              status: 'failed' as const,
              merchantTradeNo,
              rtnCode: Number.isFinite(Number(data.RtnCode)) ? Number(data.RtnCode) : null,
              rtnMsg: String(data.RtnMsg ?? ''),
            };
    } catch (error) {
      // Sent, but no usable answer: ECPay may have charged the card. Ask, never charge again.
      if (!(
        error instanceof EcpayTimeoutError ||
        error instanceof EcpayTransportError ||
        error instanceof EcpayResponseVerificationError
      ))
        throw error;
      result = await this.backAuth.queryOutcome(merchantTradeNo);
    }
    return this.charges.settle(trade, merchantTradeNo, input.totalAmount, result);
  }

  /** GetMemberBindCard: the member's cards as ECPay holds them. */
  async listBoundCards(memberId: string): Promise<EcpayBoundCardInfo[]> {
    check([memberIssue(memberId)]);
    const data = await this.client.sendEnvelope('getMemberBindCard', {
      MerchantMemberID: memberId,
      MerchantTradeNo: generateMerchantTradeNo({ clock: this.options.clock }),
    });
    if (Number(data.RtnCode) !== 1) throw rejected('getMemberBindCard', data);
    const list = Array.isArray(data.BindCardList) ? data.BindCardList : [];
    return list
      .map((entry) => cardOf(entry as Record<string, unknown>))
      .filter((card): card is EcpayBoundCardInfo => card !== undefined);
  }

  /** DeleteMemberBindCard: ECPay forgets the card; the library's row is marked `deleted`. */
  async deleteBoundCard(memberId: string, bindCardId: string): Promise<void> {
    check([
      memberIssue(memberId),
      BIND_CARD_ID.test(bindCardId ?? '')
        ? undefined
        : issue('bindCardId', 'format', "must be ECPay's BindCardID (letters and digits, at most 64)"),
    ]);
    const data = await this.client.sendEnvelope('deleteMemberBindCard', { BindCardID: bindCardId });
    if (Number(data.RtnCode) !== 1) throw rejected('deleteMemberBindCard', data);
    await this.boundCards?.markDeleted(this.options.defaultMerchant.merchantId, memberId, bindCardId);
  }

  private callback(route: EcpayCallbackRouteName): string {
    return this.routes.url(route, this.options.publicUrl) ?? '';
  }
}

function cardOf(data: Record<string, unknown>): EcpayBoundCardInfo | undefined {
  const bindCardId = typeof data.BindCardID === 'string' ? data.BindCardID : '';
  if (!BIND_CARD_ID.test(bindCardId)) return undefined;
  const info = (typeof data.CardInfo === 'object' && data.CardInfo !== null ? data.CardInfo : {}) as Record<
    string,
    unknown
  >;
  const text = (value: unknown): string | null =>
    value === undefined || value === null || value === '' ? null : String(value);
  return {
    bindCardId,
    card6: text(info.Card6No) ?? '',
    card4: text(info.Card4No) ?? '',
    cardValidMm: text(info.CardValidMM),
    cardValidYy: text(info.CardValidYY),
  };
}

const issue = (field: string, rule: string, message: string): EcpayValidationIssue => ({ field, rule, message });
const memberIssue = (memberId: string): EcpayValidationIssue | undefined =>
  MEMBER_ID.test(memberId ?? '')
    ? undefined
    : issue('memberId', 'format', 'must be 1 to 30 printable ASCII characters');

function check(issues: readonly (EcpayValidationIssue | undefined)[]): void {
  const found = issues.filter((found): found is EcpayValidationIssue => found !== undefined);
  if (found.length > 0) throw new EcpayValidationError(found);
}

/** ECPay answered, and said no. */
function rejected(api: string, data: Record<string, unknown>): Error {
  const rtnCode = Number(data.RtnCode);
  return new EcpayApiError({
    api,
    ...(Number.isFinite(rtnCode) ? { rtnCode } : {}),
    rtnMsg: String(data.RtnMsg ?? ''),
  });
}
