import { Inject, Injectable } from '@nestjs/common';
import { formatEcpayDateTime } from '../time/ecpay-time.js';
import { ECPAY_SANDBOX_OPTIONS, ECPAY_SANDBOX_OTP } from './ecpay-sandbox.constants.js';
import type { EcpaySandboxMerchant, ResolvedEcpaySandboxOptions } from './ecpay-sandbox-options.interface.js';
import { EcpaySandboxNotifier } from './ecpay-sandbox.notifier.js';
import { EcpaySandboxStore } from './ecpay-sandbox.store.js';
import { checkCard } from './sandbox-card.js';
import { SandboxNotificationFields } from './sandbox-notification-fields.js';
import { SANDBOX_RTN, type SandboxRtn } from './sandbox-rtn-codes.js';
import type {
  SandboxNotification,
  SandboxPaymentMethod,
  SandboxPeriodCharge,
  SandboxTrade,
} from './sandbox-trade.interface.js';
import { validateCheckoutRequest } from './validate-checkout-request.js';

/** What a payment step leads to; the controller turns it into a page. */
export type PaymentStep =
  | { readonly next: 'page'; readonly error?: string }
  | { readonly next: 'result'; readonly orderResult?: Record<string, string> };

/** A periodic charge triggered through the control API. */
export interface PeriodChargeResult {
  readonly charge: SandboxPeriodCharge;
  readonly notification?: SandboxNotification;
}

const OFFLINE = new Set<SandboxPaymentMethod>(['ATM', 'CVS', 'BARCODE']);
const PAGE_METHODS: readonly SandboxPaymentMethod[] = [
  'Credit',
  'ATM',
  'CVS',
  'BARCODE',
  'WebATM',
  'ApplePay',
  'TWQR',
  'BNPL',
];
const OTHER_PAYMENT_TYPES: Partial<Record<SandboxPaymentMethod, string>> = {
  WebATM: 'WebATM_TAISHIN',
  ApplePay: 'ApplePay',
  TWQR: 'TWQR_OPAY',
  BNPL: 'BNPL_URICH',
};

/**
 * The customer's side of ECPay: accepting an order, the payment page's steps (card and 3-D Secure, payment codes,
 * paying them) and the periodic charges after the first, each followed by the notification ECPay would post.
 */
@Injectable()
export class SandboxPaymentService {
  constructor(
    private readonly store: EcpaySandboxStore,
    private readonly notifier: EcpaySandboxNotifier,
    @Inject(ECPAY_SANDBOX_OPTIONS) private readonly options: ResolvedEcpaySandboxOptions,
  ) {}

  /** AioCheckOut/V5: checks the request as ECPay does and records the trade, or says why ECPay would refuse it. */
  createTrade(fields: Readonly<Record<string, string>>): SandboxTrade | SandboxRtn {
    const checked = validateCheckoutRequest(fields, (id) => this.store.merchant(id));
    if ('error' in checked) return checked.error;
    const { CheckMacValue: _mac, ...params } = fields;
    const now = this.now();
    const method = params.ChoosePayment === 'ALL' ? undefined : (params.ChoosePayment as SandboxPaymentMethod);
    const trade: SandboxTrade = {
      token: this.store.newId(),
      merchantId: checked.merchant.merchantId,
      merchantTradeNo: params.MerchantTradeNo!,
      tradeNo: this.store.nextTradeNo(now),
      params,
      totalAmount: Number(params.TotalAmount),
      tradeDate: formatEcpayDateTime(now),
      status: 'created',
      ...(method ? { method } : {}),
      notifications: [],
    };
    return this.store.addTrade(trade) ? trade : SANDBOX_RTN.duplicateTradeNo;
  }

  /** The methods the page offers: ChoosePayment, or under ALL every method but those in IgnorePayment. */
  offeredMethods(trade: SandboxTrade): SandboxPaymentMethod[] {
    if (trade.params.ChoosePayment !== 'ALL') return [trade.params.ChoosePayment as SandboxPaymentMethod];
    const ignored = new Set((trade.params.IgnorePayment ?? '').split('#'));
    // A periodic order can only be paid by card.
    return PAGE_METHODS.filter((method) => !ignored.has(method) && (!trade.params.PeriodType || method === 'Credit'));
  }

  chooseMethod(trade: SandboxTrade, method: unknown): PaymentStep {
    if (trade.status !== 'created' || trade.method !== undefined) return { next: 'page' };
    if (!this.offeredMethods(trade).includes(method as SandboxPaymentMethod))
      return { next: 'page', error: 'Choose one of the offered methods.' };
    trade.method = method as SandboxPaymentMethod;
    return { next: 'page' };
  }

  /**
   * The card form: an invalid entry is shown again, the test card goes on to 3-D Secure, any other card is declined.
   */
  async submitCard(trade: SandboxTrade, form: Readonly<Record<string, string>>): Promise<PaymentStep> {
    if (trade.status !== 'created' || trade.method !== 'Credit') return this.already(trade);
    const card = checkCard(form.CardNo, form.CardExpiry, form.CardCVV, this.now());
    if (!card.ok) return { next: 'page', error: card.error };
    const offered = (trade.params.CreditInstallment ?? '').split(',').map((count) => count.replace('N', ''));
    const installments = form.Installments && form.Installments !== '0' ? form.Installments : '0';
    if (installments !== '0' && !offered.includes(installments))
      return { next: 'page', error: 'Choose one of the offered installments.' };
    if (!card.testCard) return this.fail(trade, SANDBOX_RTN.declined);
    trade.pendingCard = { last4: card.last4, installments: Number(installments) };
    trade.status = 'awaiting-3ds';
    return { next: 'page' };
  }

  /** The 3-D Secure step: the right OTP authorizes the card; cancel fails the payment; a wrong OTP is asked again. */
  async confirmThreeDSecure(trade: SandboxTrade, form: Readonly<Record<string, string>>): Promise<PaymentStep> {
    if (trade.status !== 'awaiting-3ds' || !trade.pendingCard) return this.already(trade);
    if (form.action === 'cancel')
      return this.fail(trade, { code: SANDBOX_RTN.declined.code, message: '3-D Secure verification cancelled' });
    if ((form.otp ?? '').trim() !== ECPAY_SANDBOX_OTP)
      return { next: 'page', error: '驗證碼錯誤 Wrong one-time password.' };
    const { last4, installments } = trade.pendingCard;
    delete trade.pendingCard;
    const now = this.now();
    const processDate = formatEcpayDateTime(now);
    const gwsr = this.gwsr();
    trade.credit = {
      state: 'authorized',
      last4,
      authCode: '777777',
      gwsr,
      processDate,
      amount: trade.totalAmount,
      installments,
      closeAmount: trade.totalAmount,
      refundedAmount: 0,
      actions: [],
    };
    if (trade.params.PeriodType) {
      const execTimes = Number(trade.params.ExecTimes);
      trade.period = {
        periodType: trade.params.PeriodType,
        frequency: Number(trade.params.Frequency),
        execTimes,
        amount: Number(trade.params.PeriodAmount),
        status: execTimes > 1 ? 'active' : 'done',
        charges: [
          {
            times: 1,
            succeeded: true,
            amount: trade.totalAmount,
            gwsr,
            authCode: '777777',
            processDate,
            tradeNo: trade.tradeNo,
          },
        ],
      };
    }
    return this.pay(trade, 'Credit_CreditCard');
  }

  /** ATM / CVS / BARCODE: issues the account or code and posts PaymentInfoURL. */
  async issueCode(trade: SandboxTrade): Promise<PaymentStep> {
    const method = trade.method;
    if (trade.status !== 'created' || method === undefined || !OFFLINE.has(method)) return { next: 'page' };
    const sub = trade.params.ChooseSubPayment;
    trade.paymentType =
      method === 'ATM' ? `ATM_${sub || 'TAISHIN'}` : method === 'CVS' ? `CVS_${sub || 'CVS'}` : 'BARCODE_BARCODE';
    trade.status = 'code-issued';
    const info = this.fieldsFor(trade).paymentInfo(method as 'ATM' | 'CVS' | 'BARCODE');
    trade.paymentInfo = info;
    if (trade.params.PaymentInfoURL) await this.notifier.send(trade, 'payment-info', trade.params.PaymentInfoURL, info);
    return { next: 'page' };
  }

  /** "Pay now" on the code page: the customer paid at the ATM or store; ReturnURL follows. */
  async payCode(trade: SandboxTrade): Promise<PaymentStep> {
    if (trade.status !== 'code-issued') return this.already(trade);
    return this.pay(trade, trade.paymentType!, false);
  }

  /** WebATM, Apple Pay, TWQR, BNPL: a single simulated step. */
  async payOther(trade: SandboxTrade): Promise<PaymentStep> {
    const method = trade.method;
    if (trade.status !== 'created' || method === undefined || !OTHER_PAYMENT_TYPES[method]) return this.already(trade);
    return this.pay(trade, OTHER_PAYMENT_TYPES[method]!);
  }

  /** The signed fields the browser posts to OrderResultURL, from the ReturnURL notification of the trade. */
  orderResultOf(trade: SandboxTrade): Record<string, string> | undefined {
    const notification = trade.notifications.find((n) => n.kind === 'return');
    if (!notification || !trade.params.OrderResultURL || (trade.method && OFFLINE.has(trade.method))) return undefined;
    return this.fieldsFor(trade).orderResult(notification.fields);
  }

  /**
   * The next periodic charge (2..ExecTimes), as ECPay's schedule would make it; `fail` makes the bank decline it.
   * Posts PeriodReturnURL. Throws a `RangeError` saying why when the trade has no charge left to make.
   */
  async chargePeriod(trade: SandboxTrade, fail = false): Promise<PeriodChargeResult> {
    const period = trade.period;
    if (!period || trade.status !== 'paid')
      throw new RangeError(`${trade.merchantTradeNo} is not a paid periodic order`);
    if (period.status !== 'active')
      throw new RangeError(`the periodic order ${trade.merchantTradeNo} is ${period.status}`);
    const last = period.charges[period.charges.length - 1]!;
    // A declined period is charged again by ReAuth, not by the next scheduled charge.
    const times = last.succeeded ? last.times + 1 : last.times;
    return this.recordPeriodCharge(trade, times, !fail);
  }

  /** CreditCardPeriodAction ReAuth: charges the last declined period again. `undefined` when nothing is declined. */
  async reauthorizePeriod(trade: SandboxTrade): Promise<PeriodChargeResult | undefined> {
    const period = trade.period;
    const last = period?.charges[period.charges.length - 1];
    if (!period || period.status !== 'active' || !last || last.succeeded) return undefined;
    return this.recordPeriodCharge(trade, last.times, true);
  }

  private async recordPeriodCharge(
    trade: SandboxTrade,
    times: number,
    succeeded: boolean,
  ): Promise<PeriodChargeResult> {
    const period = trade.period!;
    const now = this.now();
    const charge: SandboxPeriodCharge = {
      times,
      succeeded,
      amount: period.amount,
      gwsr: this.gwsr(),
      authCode: succeeded ? '777777' : '',
      processDate: formatEcpayDateTime(now),
      tradeNo: this.store.nextTradeNo(now),
    };
    period.charges.push(charge);
    if (succeeded && times >= period.execTimes) period.status = 'done';
    const successes = period.charges.filter((c) => c.succeeded).length;
    const url = trade.params.PeriodReturnURL;
    if (!url) return { charge };
    const notification = await this.notifier.send(
      trade,
      'period-return',
      url,
      this.fieldsFor(trade).periodCharge(charge, successes),
    );
    return { charge, notification };
  }

  private async pay(trade: SandboxTrade, paymentType: string, orderResult = true): Promise<PaymentStep> {
    trade.status = 'paid';
    trade.paymentType = paymentType;
    trade.paymentDate = formatEcpayDateTime(this.now());
    await this.notifier.send(trade, 'return', trade.params.ReturnURL!, this.fieldsFor(trade).paid());
    return { next: 'result', ...(orderResult ? { orderResult: this.orderResultOf(trade) } : {}) };
  }

  private async fail(trade: SandboxTrade, reason: SandboxRtn): Promise<PaymentStep> {
    delete trade.pendingCard;
    trade.status = 'failed';
    trade.paymentType = 'Credit_CreditCard';
    trade.failure = { code: reason.code, message: reason.message };
    // The failure goes to ReturnURL too, so the shop's trade leaves "pending" (the library maps it to payment.failed).
    await this.notifier.send(
      trade,
      'return',
      trade.params.ReturnURL!,
      this.fieldsFor(trade).failed(reason.code, reason.message),
    );
    return { next: 'result', orderResult: this.orderResultOf(trade) };
  }

  /** A repeated or out-of-order step (reload, back button) never charges twice: it shows where the trade stands. */
  private already(trade: SandboxTrade): PaymentStep {
    return trade.status === 'paid' || trade.status === 'failed'
      ? { next: 'result', orderResult: this.orderResultOf(trade) }
      : { next: 'page' };
  }

  private fieldsFor(trade: SandboxTrade): SandboxNotificationFields {
    const signer: EcpaySandboxMerchant = this.store.signerOf(trade);
    return new SandboxNotificationFields(trade, signer, this.options.clock);
  }

  private gwsr(): string {
    return String(10_000_000 + Math.floor(Math.random() * 89_999_999));
  }

  private now(): Date {
    return this.options.clock.now();
  }
}
