import { Inject, Injectable } from '@nestjs/common';
import { verifyCheckMacValue } from '../signing/check-mac-value.js';
import { ECPAY_SANDBOX_OPTIONS } from './ecpay-sandbox.constants.js';
import type { EcpaySandboxMerchant, ResolvedEcpaySandboxOptions } from './ecpay-sandbox-options.interface.js';
import { EcpaySandboxStore } from './ecpay-sandbox.store.js';
import { SandboxPaymentService } from './sandbox-payment.service.js';
import { jsonReply, signedKeyValues, textReply, type SandboxReply } from './sandbox-response.js';
import { SANDBOX_RTN, TRADE_STATUS_FAILED, type SandboxRtn } from './sandbox-rtn-codes.js';
import type { SandboxTrade } from './sandbox-trade.interface.js';

/** ECPay's TimeStamp window for the AIO query and period APIs (docs/protocol.md §8.5). */
const TIMESTAMP_WINDOW_SECONDS = 180;
const POSITIVE_INTEGER = /^[1-9][0-9]*$/;

type Verified = { merchant: EcpaySandboxMerchant; signer: EcpaySandboxMerchant; trade: SandboxTrade | undefined };

/**
 * ECPay's server APIs of the All-in-One family: QueryTradeInfo/V5, CreditDetail/DoAction, QueryCreditCardPeriodInfo
 * and CreditCardPeriodAction. Every request is verified first (merchant, CheckMacValue, fields, TimeStamp); a
 * request ECPay would refuse is answered `code|message`, an answer about a trade is signed.
 */
@Injectable()
export class SandboxApiService {
  constructor(
    private readonly store: EcpaySandboxStore,
    private readonly payments: SandboxPaymentService,
    @Inject(ECPAY_SANDBOX_OPTIONS) private readonly options: ResolvedEcpaySandboxOptions,
  ) {}

  /**
   * QueryTradeInfo/V5: the trade as `k=v` (raw values, signed); an unknown trade is TradeStatus 10200047, still signed.
   */
  queryTradeInfo(fields: Readonly<Record<string, string>>): SandboxReply {
    const verified = this.verify(fields, ['MerchantID', 'MerchantTradeNo', 'TimeStamp'], true);
    if ('error' in verified) return refusal(verified.error);
    const { merchant, signer, trade } = verified;
    const answer: Record<string, string> = {
      MerchantID: merchant.merchantId,
      MerchantTradeNo: fields.MerchantTradeNo!,
      StoreID: trade?.params.StoreID ?? '',
      TradeNo: trade?.tradeNo ?? '',
      TradeAmt: String(trade?.totalAmount ?? 0),
      PaymentDate: trade?.paymentDate ?? '',
      PaymentType: trade?.paymentType ?? '',
      HandlingCharge: '0',
      PaymentTypeChargeFee: '0',
      TradeDate: trade?.tradeDate ?? '',
      TradeStatus: !trade
        ? SANDBOX_RTN.tradeNotFound.code
        : trade.status === 'paid'
          ? '1'
          : trade.status === 'failed'
            ? TRADE_STATUS_FAILED
            : '0',
      ItemName: trade?.params.ItemName ?? '',
      CustomField1: trade?.params.CustomField1 ?? '',
      CustomField2: trade?.params.CustomField2 ?? '',
      CustomField3: trade?.params.CustomField3 ?? '',
      CustomField4: trade?.params.CustomField4 ?? '',
    };
    return textReply(signedKeyValues(answer, signer));
  }

  /**
   * CreditDetail/DoAction with ECPay's state rules (docs/protocol.md §7.2): C closes an authorization (已授權 → 要關帳),
   * E undoes C, N voids an authorization that is not closed, R refunds — in part too — once closing or closed
   * (but not in full while 要關帳: that is E then N; installments and bonus points only in full).
   */
  doAction(fields: Readonly<Record<string, string>>): SandboxReply {
    const verified = this.verify(fields, ['MerchantID', 'MerchantTradeNo', 'TradeNo', 'Action', 'TotalAmount'], false);
    if ('error' in verified) return refusal(verified.error);
    const { merchant, signer, trade } = verified;
    const answer = (rtn: { code: string; message: string }): SandboxReply =>
      textReply(
        signedKeyValues(
          {
            MerchantID: merchant.merchantId,
            MerchantTradeNo: fields.MerchantTradeNo!,
            TradeNo: fields.TradeNo!,
            RtnCode: rtn.code,
            RtnMsg: rtn.message,
          },
          signer,
        ),
      );
    const action = fields.Action!;
    if (!['C', 'R', 'E', 'N'].includes(action)) return answer(SANDBOX_RTN.parameter('Action must be C, R, E or N.'));
    if (!trade) return answer(SANDBOX_RTN.tradeNotFound);
    if (trade.tradeNo !== fields.TradeNo) return answer(SANDBOX_RTN.actionRefused(`error_TradeNo_${action}`));
    if (!POSITIVE_INTEGER.test(fields.TotalAmount!)) return answer(SANDBOX_RTN.actionRefused(`error_amount_${action}`));
    const credit = trade.credit;
    if (!credit || trade.status !== 'paid') return answer(SANDBOX_RTN.actionRefused(`error_nopay_${action}`));
    // With auto-close, an authorization is waiting for the nightly close from the start, unless E cancelled that.
    if (this.options.autoClose && credit.state === 'authorized' && !credit.actions.some((done) => done.action === 'E'))
      credit.state = 'to-close';
    const amount = Number(fields.TotalAmount);
    const refused = (reason: string) => answer(SANDBOX_RTN.actionRefused(`error_${reason}_${action}`));
    switch (action) {
      case 'C':
        if (credit.state !== 'authorized') return refused('status');
        if (amount > credit.amount) return refused('amount');
        credit.state = 'to-close';
        credit.closeAmount = amount;
        break;
      case 'E':
        if (credit.state !== 'to-close') return refused('status');
        credit.state = 'authorized';
        credit.closeAmount = credit.amount;
        break;
      case 'N':
        if (credit.state !== 'authorized') return refused('status');
        credit.state = 'voided';
        break;
      case 'R': {
        if (credit.state !== 'to-close' && credit.state !== 'closed') return refused('status');
        const left = credit.closeAmount - credit.refundedAmount;
        const fullOnly = credit.installments > 0 || trade.params.Redeem === 'Y';
        if (amount > left || (fullOnly && amount !== left) || (credit.state === 'to-close' && amount === left))
          return refused('amount');
        credit.refundedAmount += amount;
        if (credit.state === 'closed' && credit.refundedAmount === credit.closeAmount) credit.state = 'refunded';
        break;
      }
    }
    credit.actions.push({
      action: action as 'C' | 'R' | 'E' | 'N',
      amount,
      at: this.options.clock.now().toISOString(),
    });
    return answer({ code: '1', message: '成功.' });
  }

  /**
   * QueryCreditCardPeriodInfo: JSON. Field names as in docs/protocol.md §7.4; the ones after `amount` and the
   * ExecStatus values (0 cancelled, 1 running, 2 finished) are [unverified] there.
   */
  periodInfo(fields: Readonly<Record<string, string>>): SandboxReply {
    const verified = this.verify(fields, ['MerchantID', 'MerchantTradeNo', 'TimeStamp'], true);
    if ('error' in verified) return refusal(verified.error);
    const { merchant, trade } = verified;
    const period = trade?.period;
    if (!trade || !period) {
      return jsonReply({
        MerchantID: merchant.merchantId,
        MerchantTradeNo: fields.MerchantTradeNo,
        RtnCode: Number(SANDBOX_RTN.tradeNotFound.code),
        RtnMsg: SANDBOX_RTN.tradeNotFound.message,
      });
    }
    const first = period.charges[0]!;
    const successes = period.charges.filter((charge) => charge.succeeded);
    return jsonReply({
      MerchantID: merchant.merchantId,
      MerchantTradeNo: trade.merchantTradeNo,
      TradeNo: trade.tradeNo,
      RtnCode: 1,
      PeriodType: period.periodType,
      Frequency: period.frequency,
      ExecTimes: period.execTimes,
      PeriodAmount: period.amount,
      amount: first.amount,
      gwsr: Number(first.gwsr),
      process_date: first.processDate,
      auth_code: first.authCode,
      card4no: trade.credit?.last4 ?? '',
      // Only the last four digits are ever kept, so the first six stay empty.
      card6no: '',
      TotalSuccessTimes: successes.length,
      TotalSuccessAmount: successes.reduce((sum, charge) => sum + charge.amount, 0),
      ExecStatus: period.status === 'cancelled' ? '0' : period.status === 'active' ? '1' : '2',
      ExecLog: period.charges.map((charge) => ({
        RtnCode: charge.succeeded ? 1 : 10100058,
        RtnMsg: charge.succeeded ? '成功' : 'Failed',
        amount: charge.amount,
        gwsr: Number(charge.gwsr),
        process_date: charge.processDate,
        auth_code: charge.authCode,
        TradeNo: charge.tradeNo,
      })),
    });
  }

  /** CreditCardPeriodAction: `Cancel` stops the schedule; `ReAuth` charges the last declined period again. */
  async periodAction(fields: Readonly<Record<string, string>>): Promise<SandboxReply> {
    const verified = this.verify(fields, ['MerchantID', 'MerchantTradeNo', 'Action', 'TimeStamp'], true);
    if ('error' in verified) return refusal(verified.error);
    const { merchant, signer, trade } = verified;
    const answer = (rtn: { code: string; message: string }): SandboxReply =>
      textReply(
        signedKeyValues(
          {
            MerchantID: merchant.merchantId,
            MerchantTradeNo: fields.MerchantTradeNo!,
            RtnCode: rtn.code,
            RtnMsg: rtn.message,
          },
          signer,
        ),
      );
    const action = fields.Action!;
    if (action !== 'Cancel' && action !== 'ReAuth')
      return answer(SANDBOX_RTN.parameter('Action must be Cancel or ReAuth.'));
    if (!trade?.period) return answer(SANDBOX_RTN.tradeNotFound);
    if (trade.period.status !== 'active') return answer(SANDBOX_RTN.actionRefused(`error_status_${action}`));
    if (action === 'Cancel') {
      trade.period.status = 'cancelled';
      return answer({ code: '1', message: '成功.' });
    }
    const charged = await this.payments.reauthorizePeriod(trade);
    return answer(charged ? { code: '1', message: '成功.' } : SANDBOX_RTN.actionRefused('error_nofail_ReAuth'));
  }

  private verify(
    fields: Readonly<Record<string, string>>,
    required: readonly string[],
    timeStamp: boolean,
  ): Verified | { error: SandboxRtn } {
    const merchant = this.store.merchant(fields.MerchantID);
    if (!merchant)
      return {
        error: fields.MerchantID ? SANDBOX_RTN.unknownMerchant : SANDBOX_RTN.parameter('MerchantID is required.'),
      };
    const signer = fields.PlatformID ? this.store.merchant(fields.PlatformID) : merchant;
    if (!signer) return { error: SANDBOX_RTN.unknownMerchant };
    if (!verifyCheckMacValue(fields, signer, 'sha256')) return { error: SANDBOX_RTN.checkMac };
    for (const name of required) if (!fields[name]) return { error: SANDBOX_RTN.parameter(`${name} is required.`) };
    if (timeStamp) {
      const stamp = Number(fields.TimeStamp);
      const now = Math.floor(this.options.clock.now().getTime() / 1000);
      if (!POSITIVE_INTEGER.test(fields.TimeStamp!) || Math.abs(now - stamp) > TIMESTAMP_WINDOW_SECONDS)
        return { error: SANDBOX_RTN.timeStamp };
    }
    return { merchant, signer, trade: this.store.trade(fields.MerchantTradeNo!, merchant.merchantId) };
  }
}

/** A request ECPay refuses outright: `code|message`, unsigned (there is no trade to speak for). */
const refusal = (error: SandboxRtn): SandboxReply => textReply(`${error.code}|${error.message}`);
