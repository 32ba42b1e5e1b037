import { Inject, Injectable } from '@nestjs/common';
import { ECPAY_SANDBOX_OPTIONS, ECPAY_SANDBOX_OTP } from '../ecpay-sandbox.constants.js';
import type { ResolvedEcpaySandboxOptions } from '../ecpay-sandbox-options.interface.js';
import { EcpaySandboxNotifier } from '../ecpay-sandbox.notifier.js';
import { EcpaySandboxStore } from '../ecpay-sandbox.store.js';
import type { SandboxTrade } from '../sandbox-trade.interface.js';
import { checkJsonCard } from './sandbox-json-card.js';
import { SANDBOX_JSON_RTN, type SandboxJsonRtn } from './sandbox-json-codes.js';
import { checkCustomField, checkOrderInfo, checkUrl, object, text } from './sandbox-json-data.js';
import { buildResponseEnvelope, type SandboxResponseEnvelope } from './sandbox-json-envelope.js';
import { failure, type JsonRequest } from './sandbox-json-request.js';
import { authorize, cardInfoOf, decline, newJsonTrade, orderInfoOf } from './sandbox-json-trades.js';

/** What a step of the BackAuth 3-D Secure page leads to; the controller turns it into a page. */
export type ThreeDSecureStep =
  | { readonly next: 'page'; readonly error?: string }
  | { readonly next: 'result'; readonly envelope: SandboxResponseEnvelope };

/** ECI of an authorization that went through the sandbox's 3-D Secure step, and of one that did not. */
const ECI_AUTHENTICATED = 5;
const ECI_NOT_AUTHENTICATED = 7;

/**
 * BackAuth (docs/protocol.md §7.6) and the JSON QueryTrade on the sandbox's side. BackAuth validates the Data as ECPay
 * does, then by card: ECPay's stage card asks for 3-D Secure (ThreeDURL to the sandbox's OTP page), 4938-1777-7777-7777
 * is authorized at once, anything else is declined. An authorization is followed by the JSON envelope notification to
 * ReturnURL; after 3-D Secure the browser also takes the envelope to OrderResultURL as `ResultData`.
 */
@Injectable()
export class SandboxBackAuthService {
  constructor(
    private readonly store: EcpaySandboxStore,
    private readonly notifier: EcpaySandboxNotifier,
    @Inject(ECPAY_SANDBOX_OPTIONS) private readonly options: ResolvedEcpaySandboxOptions,
  ) {}

  /** `POST /1.0.0/Cashier/BackAuth`; `origin` (`http://host:port`) makes the ThreeDURL absolute, as ECPay's is. */
  backAuth(request: JsonRequest, origin: string): Record<string, unknown> {
    const { data } = request;
    const checked = checkOrderInfo(object(data, 'OrderInfo'));
    if ('problem' in checked) return failure(request, SANDBOX_JSON_RTN.parameter(checked.problem));
    const { order } = checked;
    const refuse = (rtn: SandboxJsonRtn) => failure(request, rtn, { MerchantTradeNo: order.merchantTradeNo });
    const problem = this.requestProblem(data);
    if (problem) return refuse(SANDBOX_JSON_RTN.parameter(problem));
    const cardInfo = object(data, 'CardInfo')!;
    const card = checkJsonCard(
      cardInfo.CardNo,
      cardInfo.CardValidMM,
      cardInfo.CardValidYY,
      cardInfo.CardCVV2,
      this.now(),
    );
    if (!card.ok) return refuse(SANDBOX_JSON_RTN.parameter(card.problem));
    if (this.store.trade(order.merchantTradeNo, request.merchantId)) return refuse(SANDBOX_JSON_RTN.duplicateTradeNo);

    const trade = newJsonTrade(this.store, this.now(), 'back-auth', request.merchantId, order, {
      PlatformID: request.platformId,
      OrderResultURL: text(cardInfo, 'OrderResultURL'),
      CustomField: text(data, 'CustomField'),
      MerchantMemberID: text(object(data, 'ConsumerInfo'), 'MerchantMemberID'),
      DirectCapture: text(cardInfo, 'DirectCapture'),
      Redeem: text(cardInfo, 'Redeem'),
    });
    if (!this.store.addTrade(trade)) return refuse(SANDBOX_JSON_RTN.duplicateTradeNo);
    const installments = singleInstallment(text(cardInfo, 'CreditInstallment'));

    switch (card.outcome) {
      case 'declined':
      case 'expired': {
        // The refusal is the answer itself; ECPay's ReturnURL carries payment results, and nothing was paid.
        const rtn = card.outcome === 'expired' ? SANDBOX_JSON_RTN.expired : SANDBOX_JSON_RTN.declined;
        decline(trade, rtn);
        return refuse(rtn);
      }
      case 'three-d-secure':
        trade.pendingCard = { card6: card.card.card6, last4: card.card.last4, installments };
        trade.status = 'awaiting-3ds';
        return {
          RtnCode: 1,
          RtnMsg: 'Success',
          PlatformID: request.platformId,
          MerchantID: request.merchantId,
          MerchantTradeNo: order.merchantTradeNo,
          ThreeDURL: `${origin}${this.options.prefix}/__sandbox/3ds/${trade.token}`,
        };
      case 'direct': {
        this.approve(trade, card.card, ECI_NOT_AUTHENTICATED, installments);
        const result = this.resultData(trade);
        // Not awaited: the answer must not wait on the shop's server (its 1|OK can take up to the notification
        // timeout).
        void this.notifier.sendEnvelope(trade, 'return', trade.params.ReturnURL!, result);
        return result;
      }
    }
  }

  /**
   * The OTP page's confirm / cancel. The ReturnURL notification's first post is awaited before the browser goes on,
   * as on ECPay (the server hears of the payment before the shop's result page is shown).
   */
  async confirmThreeDSecure(trade: SandboxTrade, form: Readonly<Record<string, string>>): Promise<ThreeDSecureStep> {
    if (trade.status !== 'awaiting-3ds' || !trade.pendingCard) return this.already(trade);
    if (form.action === 'cancel') {
      decline(trade, SANDBOX_JSON_RTN.threeDSecureCancelled);
    } else if ((form.otp ?? '').trim() !== ECPAY_SANDBOX_OTP) {
      return { next: 'page', error: '驗證碼錯誤 Wrong one-time password.' };
    } else {
      const { card6 = '', last4, installments } = trade.pendingCard;
      this.approve(trade, { card6, last4 }, ECI_AUTHENTICATED, installments);
    }
    await this.notifier.sendEnvelope(trade, 'return', trade.params.ReturnURL!, this.resultData(trade));
    return { next: 'result', envelope: this.resultEnvelope(trade) };
  }

  /** `POST /1.0.0/Cashier/QueryTrade`: any trade of the merchant, made by BackAuth, the binding APIs or AioCheckOut. */
  queryTrade(request: JsonRequest): Record<string, unknown> {
    const merchantTradeNo = text(request.data, 'MerchantTradeNo');
    if (!merchantTradeNo) return failure(request, SANDBOX_JSON_RTN.parameter('MerchantTradeNo is required.'));
    const trade = this.store.trade(merchantTradeNo, request.merchantId);
    if (!trade) return failure(request, SANDBOX_JSON_RTN.tradeNotFound);
    const card = cardInfoOf(trade);
    return {
      RtnCode: 1,
      RtnMsg: 'Success',
      PlatformID: request.platformId,
      MerchantID: request.merchantId,
      OrderInfo: orderInfoOf(trade),
      ...(card ? { CardInfo: card } : {}),
      CustomField: trade.params.CustomField ?? '',
    };
  }

  /** The envelope the browser posts to OrderResultURL as `ResultData` (same Data as the ReturnURL notification). */
  resultEnvelope(trade: SandboxTrade): SandboxResponseEnvelope {
    return buildResponseEnvelope(this.store.signerOf(trade), this.resultData(trade), this.now());
  }

  /** ReturnURL's Data (BackAuth's "not using 3DS" example, docs/protocol.md §6.6). */
  private resultData(trade: SandboxTrade): Record<string, unknown> {
    const paid = trade.status === 'paid';
    const card = cardInfoOf(trade);
    return {
      RtnCode: paid ? 1 : Number(trade.failure?.code ?? SANDBOX_JSON_RTN.declined.code),
      RtnMsg: paid ? 'Success' : (trade.failure?.message ?? SANDBOX_JSON_RTN.declined.message),
      PlatformID: trade.params.PlatformID ?? '',
      MerchantID: trade.merchantId,
      OrderInfo: orderInfoOf(trade),
      ...(card ? { CardInfo: card } : {}),
      CustomField: trade.params.CustomField ?? '',
    };
  }

  private approve(
    trade: SandboxTrade,
    card: { card6: string; last4: string },
    eci: number,
    installments: number,
  ): void {
    authorize(trade, card, eci, this.now(), installments);
    // DirectCapture 1: ECPay requests the capture itself right after the authorization (docs/protocol.md §7.6), i.e.
    // 要關帳.
    if (trade.params.DirectCapture === '1') trade.credit!.state = 'to-close';
  }

  /** The rest of BackAuth's required fields, after OrderInfo. */
  private requestProblem(data: Readonly<Record<string, unknown>>): string | undefined {
    if (text(data, 'ChoosePayment') !== 'Credit') return 'ChoosePayment must be Credit.';
    const cardInfo = object(data, 'CardInfo');
    if (!cardInfo) return 'CardInfo is required.';
    for (const name of ['CardNo', 'CardValidMM', 'CardValidYY', 'CardCVV2', 'DirectCapture'] as const) {
      if (!text(cardInfo, name)) return `CardInfo.${name} is required.`;
    }
    if (!['0', '1'].includes(text(cardInfo, 'DirectCapture')!)) return 'CardInfo.DirectCapture must be 0 or 1.';
    const resultUrl = text(cardInfo, 'OrderResultURL');
    if (resultUrl) {
      const urlProblem = checkUrl(resultUrl, 'CardInfo.OrderResultURL');
      if (urlProblem) return urlProblem;
      if (resultUrl === text(object(data, 'OrderInfo'), 'ReturnURL'))
        return 'CardInfo.OrderResultURL must not be the ReturnURL (docs/protocol.md §7.6).';
    }
    return checkCustomField(data.CustomField);
  }

  /** A repeated step (reload, back button) never authorizes twice: it shows where the trade stands. */
  private already(trade: SandboxTrade): ThreeDSecureStep {
    return trade.status === 'paid' || trade.status === 'failed'
      ? { next: 'result', envelope: this.resultEnvelope(trade) }
      : { next: 'page' };
  }

  private now(): Date {
    return this.options.clock.now();
  }
}

/** The installment count of a single-plan CreditInstallment (`3`, `30N`); 0 for none or a list to choose from. */
function singleInstallment(value: string | undefined): number {
  const match = /^\s*(\d{1,2})N?\s*$/.exec(value ?? '');
  return match ? Number(match[1]) : 0;
}
