import { EcpayTesting, type EcpayTestTrade } from '../testing/ecpay-testing.js';
import type { EcpayClock } from '../time/ecpay-clock.js';
import { formatEcpayDateTime } from '../time/ecpay-time.js';
import type { EcpaySandboxMerchant } from './ecpay-sandbox-options.interface.js';
import { RTN_ATM_CODE_ISSUED, RTN_CVS_CODE_ISSUED } from './sandbox-rtn-codes.js';
import type { SandboxPeriodCharge, SandboxTrade } from './sandbox-trade.interface.js';

/**
 * The bodies the sandbox posts, built by the library's own `EcpayTesting` (the same shapes its e2e tests use) and
 * filled with the trade's real values. Signed with the keys the order was signed with: a platform member's
 * notifications carry the platform's MAC (docs/protocol.md §1.2).
 */
export class SandboxNotificationFields {
  private readonly testing: EcpayTesting;

  constructor(
    private readonly trade: SandboxTrade,
    signer: EcpaySandboxMerchant,
    private readonly clock: EcpayClock,
  ) {
    this.testing = new EcpayTesting(signer, () => clock.now());
  }

  /** ReturnURL after a successful payment (RtnMsg 交易成功; re-posts say `paid`). */
  paid(): Record<string, string> {
    return this.testing.paymentSucceeded(this.testTrade(), { ...this.common(), ...this.paidExtras() });
  }

  /** ReturnURL after a declined card or a failed 3-D Secure step. */
  failed(code: string, message: string): Record<string, string> {
    return this.testing.paymentFailed(this.testTrade(), {
      ...this.common(),
      RtnCode: code,
      RtnMsg: message,
      PaymentDate: '',
    });
  }

  /** What the browser posts to OrderResultURL: the ReturnURL fields with ECPay's client-side message. */
  orderResult(notification: Readonly<Record<string, string>>): Record<string, string> {
    const succeeded = notification.RtnCode === '1';
    return this.testing.sign({ ...notification, RtnMsg: succeeded ? 'Succeeded' : (notification.RtnMsg ?? 'Failed') });
  }

  /** PaymentInfoURL after an ATM account or a CVS / BARCODE code was issued. */
  paymentInfo(method: 'ATM' | 'CVS' | 'BARCODE'): Record<string, string> {
    const { params, tradeNo } = this.trade;
    const now = this.clock.now();
    const sub = params.ChooseSubPayment;
    const common = {
      StoreID: params.StoreID ?? '',
      TradeNo: tradeNo,
      TradeDate: this.trade.tradeDate,
      PaymentType: this.trade.paymentType!,
      CustomField1: params.CustomField1 ?? '',
      CustomField2: params.CustomField2 ?? '',
      CustomField3: params.CustomField3 ?? '',
      CustomField4: params.CustomField4 ?? '',
    };
    if (method === 'ATM') {
      const days = Number(params.ExpireDate || 3);
      return this.testing.paymentInfo(this.testTrade(), 'ATM', {
        ...common,
        RtnCode: RTN_ATM_CODE_ISSUED,
        BankCode: sub === 'FIRST' ? '007' : '812',
        vAccount: `9103${tradeNo.slice(-12)}`,
        ExpireDate: formatEcpayDateTime(new Date(now.getTime() + days * 86_400_000)).slice(0, 10),
      });
    }
    // CVS: StoreExpireDate in minutes (default 7 days); BARCODE: in days (default 7) — docs/protocol.md §5.5.
    const minutes =
      method === 'CVS' ? Number(params.StoreExpireDate || 10_080) : Number(params.StoreExpireDate || 7) * 1440;
    const expire = formatEcpayDateTime(new Date(now.getTime() + minutes * 60_000));
    const barcode = method === 'BARCODE';
    return this.testing.paymentInfo(this.testTrade(), method, {
      ...common,
      RtnCode: RTN_CVS_CODE_ISSUED,
      ExpireDate: expire,
      PaymentNo: barcode ? '' : `LLL${tradeNo.slice(-9)}`,
      Barcode1: barcode ? `${expire.slice(2, 4)}${expire.slice(5, 7)}${expire.slice(8, 10)}6Y1` : '',
      Barcode2: barcode ? tradeNo.slice(-16) : '',
      Barcode3: barcode
        ? `${expire.slice(5, 7)}${expire.slice(2, 4)}${String(this.trade.totalAmount).padStart(9, '0')}`
        : '',
    });
  }

  /** PeriodReturnURL of the `charge.times`-th charge (2 and later; the first went to ReturnURL). */
  periodCharge(charge: SandboxPeriodCharge, totalSuccessTimes: number): Record<string, string> {
    const period = this.trade.period!;
    const { params } = this.trade;
    return this.testing.periodCharged(this.testTrade(), charge.times, {
      StoreID: params.StoreID ?? '',
      RtnCode: charge.succeeded ? '1' : '10100058',
      RtnMsg: charge.succeeded ? '交易成功' : 'Failed',
      PeriodType: period.periodType,
      Frequency: String(period.frequency),
      ExecTimes: String(period.execTimes),
      Amount: String(charge.amount),
      Gwsr: charge.gwsr,
      ProcessDate: charge.processDate,
      AuthCode: charge.authCode,
      FirstAuthAmount: String(period.charges[0]!.amount),
      TotalSuccessTimes: String(totalSuccessTimes),
      CustomField1: params.CustomField1 ?? '',
      CustomField2: params.CustomField2 ?? '',
      CustomField3: params.CustomField3 ?? '',
      CustomField4: params.CustomField4 ?? '',
    });
  }

  private testTrade(): EcpayTestTrade {
    return {
      merchantId: this.trade.merchantId,
      merchantTradeNo: this.trade.merchantTradeNo,
      totalAmount: this.trade.totalAmount,
    };
  }

  private common(): Record<string, string> {
    const { params } = this.trade;
    return {
      StoreID: params.StoreID ?? '',
      TradeNo: this.trade.tradeNo,
      PaymentDate: this.trade.paymentDate ?? '',
      PaymentType: this.trade.paymentType ?? 'Credit_CreditCard',
      PaymentTypeChargeFee: chargeFee(this.trade),
      TradeDate: this.trade.tradeDate,
      CustomField1: params.CustomField1 ?? '',
      CustomField2: params.CustomField2 ?? '',
      CustomField3: params.CustomField3 ?? '',
      CustomField4: params.CustomField4 ?? '',
    };
  }

  /** NeedExtraPaidInfo=Y: ECPay adds the payment's details, all covered by the MAC (docs/protocol.md §1.2, §6.2). */
  private paidExtras(): Record<string, string> {
    if (this.trade.params.NeedExtraPaidInfo !== 'Y') return {};
    const credit = this.trade.credit;
    if (credit) {
      const stage = credit.installments;
      const staed = stage > 0 ? Math.floor(credit.amount / stage) : 0;
      return {
        gwsr: credit.gwsr,
        process_date: credit.processDate,
        auth_code: credit.authCode,
        amount: String(credit.amount),
        stage: String(stage),
        stast: String(stage > 0 ? credit.amount - staed * (stage - 1) : 0),
        staed: String(staed),
        eci: '5',
        card4no: credit.last4,
        red_dan: '0',
        red_de_amt: '0',
        red_ok_amt: '0',
        red_yet: '0',
        PeriodType: this.trade.period?.periodType ?? '',
        Frequency: this.trade.period ? String(this.trade.period.frequency) : '',
        ExecTimes: this.trade.period ? String(this.trade.period.execTimes) : '',
        TotalSuccessTimes: this.trade.period ? '1' : '',
      };
    }
    const info = this.trade.paymentInfo ?? {};
    return {
      PayFrom: this.trade.method === 'ATM' ? '' : 'family',
      ATMAccBank: info.BankCode ?? '',
      ATMAccNo: info.vAccount ? info.vAccount.slice(-5) : '',
      PaymentNo: info.PaymentNo ?? '',
    };
  }
}

/** A plausible fee per method (ECPay reports its fee as a decimal string); not ECPay's actual rates. */
export function chargeFee(trade: SandboxTrade): string {
  switch (trade.method) {
    case 'Credit':
      return String(Math.max(5, Math.round(trade.totalAmount * 0.0275)));
    case 'ATM':
      return '10';
    case 'CVS':
    case 'BARCODE':
      return '26';
    default:
      return '0';
  }
}
