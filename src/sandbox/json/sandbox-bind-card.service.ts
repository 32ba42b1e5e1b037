import { Inject, Injectable } from '@nestjs/common';
import { formatEcpayDateTime } from '../../time/ecpay-time.js';
import { ECPAY_SANDBOX_OPTIONS, ECPAY_SANDBOX_OTP } from '../ecpay-sandbox.constants.js';
import type { ResolvedEcpaySandboxOptions } from '../ecpay-sandbox-options.interface.js';
import { EcpaySandboxNotifier } from '../ecpay-sandbox.notifier.js';
import { EcpaySandboxStore } from '../ecpay-sandbox.store.js';
import type { SandboxTrade } from '../sandbox-trade.interface.js';
import { checkJsonCard } from './sandbox-json-card.js';
import { SANDBOX_JSON_RTN, type SandboxJsonRtn } from './sandbox-json-codes.js';
import {
  checkCustomField,
  checkMemberId,
  checkOrderInfo,
  checkUrl,
  object,
  text,
  type JsonOrder,
} from './sandbox-json-data.js';
import type { SandboxBindingSession, SandboxBoundCard, SandboxCardSummary } from './sandbox-json-records.interface.js';
import { failure, type JsonRequest } from './sandbox-json-request.js';
import { authorize, cardInfoOf, newJsonTrade, orderInfoOf } from './sandbox-json-trades.js';

/** A step of the binding page. */
export interface BindingStep {
  readonly error?: string;
}

/** How long a GetTokenbyBindingCard Token is said to live (TokenExpireDate). Sandbox's choice; not enforced. */
const TOKEN_LIFETIME_MS = 30 * 60_000;
const ECI_AUTHENTICATED = 5;
const ECI_NOT_AUTHENTICATED = 7;

/**
 * 站內付 2.0 card binding (docs/protocol.md §7.8, §6.7) on the sandbox's side: GetTokenbyBindingCard opens a session
 * (and reserves its MerchantTradeNo: the binding's verification authorization is a trade), the binding page stands
 * in for ECPay's JS SDK (card form, 3-D Secure OTP, then the BindCardPayToken), CreateBindCard binds — the same
 * card again for the same member gives the same BindCardID with IsSameCard true — and CreatePaymentWithCardID,
 * GetMemberBindCard and DeleteMemberBindCard work on the bound cards.
 *
 * "The same card" is judged by Card6No + Card4No + expiry: the sandbox never keeps more of a number, so two cards
 * that share all three would count as one — a collision no stage test card makes.
 */
@Injectable()
export class SandboxBindCardService {
  constructor(
    private readonly store: EcpaySandboxStore,
    private readonly notifier: EcpaySandboxNotifier,
    @Inject(ECPAY_SANDBOX_OPTIONS) private readonly options: ResolvedEcpaySandboxOptions,
  ) {}

  /** `POST /Merchant/GetTokenbyBindingCard` → Token (the binding page is `/__sandbox/bind/:Token`). */
  getTokenByBindingCard(request: JsonRequest): Record<string, unknown> {
    const { data } = request;
    const memberId = text(object(data, 'ConsumerInfo'), 'MerchantMemberID');
    const memberProblem = object(data, 'ConsumerInfo')
      ? checkMemberId(memberId, 'ConsumerInfo.MerchantMemberID')
      : 'ConsumerInfo is required.';
    if (memberProblem) return failure(request, SANDBOX_JSON_RTN.parameter(memberProblem));
    const checked = this.checkOrder(request);
    if ('refusal' in checked) return checked.refusal;
    const resultUrl = text(data, 'OrderResultURL');
    const urlProblem = resultUrl ? checkUrl(resultUrl, 'OrderResultURL') : undefined;
    if (urlProblem) return failure(request, SANDBOX_JSON_RTN.parameter(urlProblem));

    const now = this.now();
    const trade = newJsonTrade(this.store, now, 'bind-card', request.merchantId, checked.order, {
      PlatformID: request.platformId,
      OrderResultURL: resultUrl,
      CustomField: text(data, 'CustomField'),
      MerchantMemberID: memberId,
    });
    if (!this.store.addTrade(trade)) return failure(request, SANDBOX_JSON_RTN.duplicateTradeNo);
    const session: SandboxBindingSession = {
      token: this.store.newId(16),
      merchantId: request.merchantId,
      platformId: request.platformId,
      merchantMemberId: memberId!,
      merchantTradeNo: checked.order.merchantTradeNo,
      createdAt: formatEcpayDateTime(now),
      status: 'awaiting-card',
    };
    this.store.addBinding(session);
    return {
      RtnCode: 1,
      RtnMsg: 'Success',
      PlatformID: request.platformId,
      MerchantID: request.merchantId,
      Token: session.token,
      TokenExpireDate: formatEcpayDateTime(new Date(now.getTime() + TOKEN_LIFETIME_MS)),
    };
  }

  /** The binding page's card form (field names as ECPay's CardInfo): a refused card can be replaced by another. */
  submitCard(session: SandboxBindingSession, form: Readonly<Record<string, string>>): BindingStep {
    if (session.status !== 'awaiting-card') return {};
    const checked = checkJsonCard(form.CardNo, form.CardValidMM, form.CardValidYY, form.CardCVV2, this.now());
    if (!checked.ok) return { error: checked.problem };
    if (checked.outcome === 'declined') return { error: SANDBOX_JSON_RTN.declined.message };
    if (checked.outcome === 'expired') return { error: SANDBOX_JSON_RTN.expired.message };
    session.card = checked.card;
    session.status = 'awaiting-3ds';
    return {};
  }

  /**
   * The binding page's 3-D Secure step: the right OTP issues the one-use BindCardPayToken; cancel asks for a card
   * again.
   */
  confirmOtp(session: SandboxBindingSession, form: Readonly<Record<string, string>>): BindingStep {
    if (session.status !== 'awaiting-3ds') return {};
    if (form.action === 'cancel') {
      delete session.card;
      session.status = 'awaiting-card';
      return { error: SANDBOX_JSON_RTN.threeDSecureCancelled.message };
    }
    if ((form.otp ?? '').trim() !== ECPAY_SANDBOX_OTP) return { error: '驗證碼錯誤 Wrong one-time password.' };
    this.store.issuePayToken(session, this.store.newId(16));
    session.status = 'card-verified';
    return {};
  }

  /**
   * `POST /Merchant/CreateBindCard` (MerchantID, BindCardPayToken, MerchantMemberID): binds, answers, posts the binding
   * notification (docs/protocol.md §6.7).
   */
  createBindCard(request: JsonRequest): Record<string, unknown> {
    const payToken = text(request.data, 'BindCardPayToken');
    const memberId = text(request.data, 'MerchantMemberID');
    if (!payToken) return failure(request, SANDBOX_JSON_RTN.parameter('BindCardPayToken is required.'));
    const memberProblem = checkMemberId(memberId);
    if (memberProblem) return failure(request, SANDBOX_JSON_RTN.parameter(memberProblem));
    const session = this.store.bindingByPayToken(payToken);
    const trade = session && this.store.trade(session.merchantTradeNo, session.merchantId);
    if (
      !session ||
      !trade ||
      !session.card ||
      session.status !== 'card-verified' ||
      session.merchantId !== request.merchantId ||
      session.merchantMemberId !== memberId
    ) {
      return failure(request, SANDBOX_JSON_RTN.payTokenInvalid, { MerchantMemberID: memberId });
    }
    const card = session.card;
    const existing = this.store
      .cards({ merchantId: request.merchantId, merchantMemberId: memberId })
      .find((bound) => bound.deletedAt === undefined && sameCard(bound.card, card));
    const bound: SandboxBoundCard = existing ?? {
      bindCardId: this.store.newId(32),
      merchantId: request.merchantId,
      merchantMemberId: memberId!,
      card,
      boundAt: formatEcpayDateTime(this.now()),
    };
    if (!existing) this.store.addCard(bound);
    session.status = 'bound';
    session.bindCardId = bound.bindCardId;
    authorize(trade, card, ECI_AUTHENTICATED, this.now());
    const result = {
      RtnCode: 1,
      RtnMsg: 'Success',
      PlatformID: request.platformId,
      MerchantID: request.merchantId,
      MerchantMemberID: memberId,
      BindCardID: bound.bindCardId,
      IsSameCard: existing !== undefined,
      CardInfo: cardInfoOf(trade, card),
      OrderInfo: orderInfoOf(trade),
      CustomField: trade.params.CustomField ?? '',
    };
    // Not awaited: the API answer must not wait on the shop's server acknowledging the notification.
    void this.notifier.sendEnvelope(trade, 'return', trade.params.ReturnURL!, result);
    return result;
  }

  /** `POST /Merchant/CreatePaymentWithCardID`: authorizes with a bound card, no 3-D Secure (the binding had it). */
  createPaymentWithCardId(request: JsonRequest): Record<string, unknown> {
    const { data } = request;
    const bindCardId = text(data, 'BindCardID');
    if (!bindCardId) return failure(request, SANDBOX_JSON_RTN.parameter('BindCardID is required.'));
    const checked = this.checkOrder(request);
    if ('refusal' in checked) return checked.refusal;
    const { order } = checked;
    const memberId = text(object(data, 'ConsumerInfo'), 'MerchantMemberID');
    const bound = this.store.card(bindCardId, request.merchantId);
    // A card of another member is treated as unknown: the member's own BindCardID list is all a shop may use.
    if (!bound || bound.deletedAt !== undefined || (memberId && memberId !== bound.merchantMemberId)) {
      return failure(request, SANDBOX_JSON_RTN.bindCardNotFound, { MerchantTradeNo: order.merchantTradeNo });
    }
    const trade = newJsonTrade(this.store, this.now(), 'card-id', request.merchantId, order, {
      PlatformID: request.platformId,
      CustomField: text(data, 'CustomField'),
      MerchantMemberID: bound.merchantMemberId,
      BindCardID: bindCardId,
    });
    if (!this.store.addTrade(trade))
      return failure(request, SANDBOX_JSON_RTN.duplicateTradeNo, { MerchantTradeNo: order.merchantTradeNo });
    authorize(trade, bound.card, ECI_NOT_AUTHENTICATED, this.now());
    const result = {
      RtnCode: 1,
      RtnMsg: 'Success',
      PlatformID: request.platformId,
      MerchantID: request.merchantId,
      MerchantMemberID: bound.merchantMemberId,
      BindCardID: bindCardId,
      OrderInfo: orderInfoOf(trade),
      CardInfo: cardInfoOf(trade, bound.card),
      CustomField: trade.params.CustomField ?? '',
    };
    void this.notifier.sendEnvelope(trade, 'return', order.returnUrl, result);
    return result;
  }

  /** `POST /Merchant/GetMemberBindCard`: the member's cards that are not deleted. */
  getMemberBindCard(request: JsonRequest): Record<string, unknown> {
    const memberId = text(request.data, 'MerchantMemberID');
    const memberProblem = checkMemberId(memberId);
    if (memberProblem) return failure(request, SANDBOX_JSON_RTN.parameter(memberProblem));
    const merchantTradeNo = text(request.data, 'MerchantTradeNo');
    const cards = this.store
      .cards({ merchantId: request.merchantId, merchantMemberId: memberId })
      .filter((card) => card.deletedAt === undefined);
    return {
      RtnCode: 1,
      RtnMsg: 'Success',
      PlatformID: request.platformId,
      MerchantID: request.merchantId,
      MerchantMemberID: memberId,
      ...(merchantTradeNo ? { MerchantTradeNo: merchantTradeNo } : {}),
      BindCardList: cards.map((card) => ({
        BindCardID: card.bindCardId,
        CardInfo: {
          Card6No: card.card.card6,
          Card4No: card.card.last4,
          CardValidYY: card.card.validYY,
          CardValidMM: card.card.validMM,
        },
        BindDate: card.boundAt,
      })),
    };
  }

  /** `POST /Merchant/DeleteMemberBindCard`: the card can no longer pay; deleting it twice is refused. */
  deleteMemberBindCard(request: JsonRequest): Record<string, unknown> {
    const bindCardId = text(request.data, 'BindCardID');
    if (!bindCardId) return failure(request, SANDBOX_JSON_RTN.parameter('BindCardID is required.'));
    const bound = this.store.card(bindCardId, request.merchantId);
    if (!bound || bound.deletedAt !== undefined) return failure(request, SANDBOX_JSON_RTN.bindCardNotFound);
    bound.deletedAt = formatEcpayDateTime(this.now());
    return { RtnCode: 1, RtnMsg: 'Success', PlatformID: request.platformId, MerchantID: request.merchantId };
  }

  /** The order a binding session pays its verification with. */
  tradeOf(session: SandboxBindingSession): SandboxTrade | undefined {
    return this.store.trade(session.merchantTradeNo, session.merchantId);
  }

  private checkOrder(request: JsonRequest): { order: JsonOrder } | { refusal: Record<string, unknown> } {
    const checked = checkOrderInfo(object(request.data, 'OrderInfo'));
    if ('problem' in checked) return { refusal: failure(request, SANDBOX_JSON_RTN.parameter(checked.problem)) };
    const refuse = (rtn: SandboxJsonRtn) => ({
      refusal: failure(request, rtn, { MerchantTradeNo: checked.order.merchantTradeNo }),
    });
    const customProblem = checkCustomField(request.data.CustomField);
    if (customProblem) return refuse(SANDBOX_JSON_RTN.parameter(customProblem));
    if (this.store.trade(checked.order.merchantTradeNo, request.merchantId))
      return refuse(SANDBOX_JSON_RTN.duplicateTradeNo);
    return checked;
  }

  private now(): Date {
    return this.options.clock.now();
  }
}

const sameCard = (a: SandboxCardSummary, b: SandboxCardSummary): boolean =>
  a.card6 === b.card6 && a.last4 === b.last4 && a.validMM === b.validMM && a.validYY === b.validYY;
