import { encryptEcpayData } from '../crypto/ecpay-aes.js';
import { computeCheckMacValue, type EcpayKeys } from '../signing/check-mac-value.js';
import { formatEcpayDateTime, toUnixSeconds } from '../time/ecpay-time.js';

/** The trade a test notification is about. */
export interface EcpayTestTrade {
  merchantId: string;
  merchantTradeNo: string;
  totalAmount: number;
}

/**
 * Builds the notifications ECPay would send, correctly signed or encrypted with your keys, for your own e2e tests:
 * post `EcpayTesting.form(...)` to `/ecpay/return` and your app runs exactly as it will in production.
 *
 * @example
 * const testing = new EcpayTesting({ hashKey, hashIv });
 * await request(app.getHttpServer()).post('/ecpay/return').type('form')
 *   .send(testing.form(testing.paymentSucceeded(trade))).expect(200, '1|OK');
 * @publicApi
 */
export class EcpayTesting {
  constructor(
    private readonly keys: EcpayKeys,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A ReturnURL notification of a successful credit card payment (RtnCode 1), signed. */
  paymentSucceeded(trade: EcpayTestTrade, overrides: Record<string, string> = {}): Record<string, string> {
    return this.sign({ ...this.returnFields(trade), ...overrides });
  }

  /** A ReturnURL notification of a failed payment, signed. */
  paymentFailed(trade: EcpayTestTrade, overrides: Record<string, string> = {}): Record<string, string> {
    return this.sign({
      ...this.returnFields(trade),
      RtnCode: '10100058',
      RtnMsg: 'Failed',
      PaymentDate: '',
      ...overrides,
    });
  }

  /** A PaymentInfoURL notification: an ATM account (RtnCode 2) or CVS code (10100073) issued, signed. */
  paymentInfo(
    trade: EcpayTestTrade,
    method: 'ATM' | 'CVS' | 'BARCODE' = 'ATM',
    overrides: Record<string, string> = {},
  ): Record<string, string> {
    const now = this.now();
    const expire = new Date(now.getTime() + 3 * 86_400_000);
    return this.sign({
      MerchantID: trade.merchantId,
      MerchantTradeNo: trade.merchantTradeNo,
      StoreID: '',
      RtnCode: method === 'ATM' ? '2' : '10100073',
      RtnMsg: 'Get Number Succeeded',
      TradeNo: tradeNoAt(now),
      TradeAmt: String(trade.totalAmount),
      PaymentType: method === 'ATM' ? 'ATM_TAISHIN' : `${method}_${method}`,
      TradeDate: formatEcpayDateTime(now),
      ExpireDate: formatEcpayDateTime(expire).slice(0, 10),
      ...(method === 'ATM'
        ? { BankCode: '812', vAccount: '9103522175887271' }
        : { PaymentNo: 'LLL22251222', Barcode1: '', Barcode2: '', Barcode3: '' }),
      CustomField1: '',
      CustomField2: '',
      CustomField3: '',
      CustomField4: '',
      ...overrides,
    });
  }

  /** A PeriodReturnURL notification of the `times`-th periodic charge (2 and later), signed. */
  periodCharged(trade: EcpayTestTrade, times: number, overrides: Record<string, string> = {}): Record<string, string> {
    return this.sign({
      MerchantID: trade.merchantId,
      MerchantTradeNo: trade.merchantTradeNo,
      StoreID: '',
      RtnCode: '1',
      RtnMsg: '交易成功',
      PeriodType: 'M',
      Frequency: '1',
      ExecTimes: '12',
      Amount: String(trade.totalAmount),
      Gwsr: String(10_000_000 + times),
      ProcessDate: formatEcpayDateTime(this.now()),
      AuthCode: '777777',
      FirstAuthAmount: String(trade.totalAmount),
      TotalSuccessTimes: String(times),
      SimulatePaid: '0',
      CustomField1: '',
      CustomField2: '',
      CustomField3: '',
      CustomField4: '',
      ...overrides,
    });
  }

  /** The fields with their CheckMacValue (SHA256, or MD5 when asked). */
  sign(fields: Record<string, string>, algorithm: 'sha256' | 'md5' = 'sha256'): Record<string, string> {
    const { CheckMacValue: _ignored, ...unsigned } = fields;
    return { ...unsigned, CheckMacValue: computeCheckMacValue(unsigned, this.keys, algorithm) };
  }

  /** A JSON+AES notification envelope (ecpayment ReturnURL, binding results) around `data`. */
  envelope(
    merchantId: string,
    data: unknown,
    overrides: { TransCode?: number; TransMsg?: string } = {},
  ): Record<string, unknown> {
    return {
      MerchantID: merchantId,
      RpHeader: { Timestamp: toUnixSeconds(this.now()) },
      TransCode: overrides.TransCode ?? 1,
      TransMsg: overrides.TransMsg ?? 'Success',
      Data: encryptEcpayData(data, this.keys),
    };
  }

  /** The `application/x-www-form-urlencoded` body of fields, as ECPay posts it. */
  form(fields: Record<string, string>): string {
    return new URLSearchParams(fields).toString();
  }

  private returnFields(trade: EcpayTestTrade): Record<string, string> {
    const now = this.now();
    return {
      MerchantID: trade.merchantId,
      MerchantTradeNo: trade.merchantTradeNo,
      StoreID: '',
      RtnCode: '1',
      RtnMsg: '交易成功',
      TradeNo: tradeNoAt(now),
      TradeAmt: String(trade.totalAmount),
      PaymentDate: formatEcpayDateTime(now),
      PaymentType: 'Credit_CreditCard',
      PaymentTypeChargeFee: '0',
      TradeDate: formatEcpayDateTime(new Date(now.getTime() - 60_000)),
      SimulatePaid: '0',
      CustomField1: '',
      CustomField2: '',
      CustomField3: '',
      CustomField4: '',
    };
  }
}

/** ECPay's TradeNo is 16 digits starting with the date; a stable one per second is enough for tests. */
const tradeNoAt = (date: Date): string => formatEcpayDateTime(date).replace(/\D/g, '').slice(2, 14) + '0001';
