import { Injectable } from '@nestjs/common';
import { EcpayMerchantRegistry } from '../config/ecpay-merchant.registry.js';
import { InjectEcpayOptions } from '../config/ecpay-options.decorator.js';
import type { ResolvedEcpayOptions } from '../config/resolved-ecpay-options.interface.js';
import { EcpayCryptoService } from '../crypto/ecpay-crypto.service.js';
import { EcpayApiError } from '../errors/ecpay-api.error.js';
import { EcpayResponseVerificationError } from '../errors/ecpay-response-verification.error.js';
import { EcpayUnsupportedEnvironmentError } from '../errors/ecpay-unsupported-environment.error.js';
import { ECPAY_TRADE_NO_PATTERN } from '../rules/index.js';
import { EcpaySigningService } from '../signing/ecpay-signing.service.js';
import { InjectEcpayClock, type EcpayClock } from '../time/ecpay-clock.js';
import { formatEcpayDate, toUnixSeconds } from '../time/ecpay-time.js';
import { apiErrorFor, identityFields, type EcpayCallContext } from './ecpay-call-context.js';
import {
  type EcpayCallOptions,
  type EcpayCreditCardPeriodInfo,
  type EcpayCreditDetail,
  type EcpayCreditDetailQuery,
  type EcpayCustomFields,
  type EcpayDoActionInput,
  type EcpayDoActionResult,
  type EcpayPaymentInfo,
  type EcpayPeriodActionInput,
  type EcpayPeriodActionResult,
  type EcpayQueryTradeResult,
  type EcpayStatement,
  type EcpayStatementQuery,
  type EcpayTradeInfo,
  type EcpayTradeRef,
} from './ecpay-client.interface.js';
import type { EcpayApiName } from './ecpay-endpoints.js';
import { EcpayHttpTransport } from './ecpay-http.transport.js';
import { EcpayResponseFields } from './ecpay-response-fields.js';
import { EcpayResponseVerifier, type EcpayMacPolicy } from './ecpay-response.verifier.js';
import { parseCsv } from './ecpay-statement-csv.js';
import { checked, DAY, DIGITS, positiveInt, tradeNoIssue } from './validate-client-input.js';

/**
 * Server-to-server calls to ECPay (docs/protocol.md describes the APIs): each method checks its input, builds the
 * request and maps the verified answer to a typed result. The work around it is split by concern:
 *
 * - {@link EcpayHttpTransport} moves the bytes: every call has a timeout (10 s unless `timeoutMs` says otherwise)
 *   and is never resent — a timeout is `EcpayTimeoutError`, outcome unknown, query the trade; an HTTP 403
 *   opens the merchant's breaker for 30 minutes (`EcpayRateLimitedError` without any network I/O until then);
 * - {@link EcpayResponseVerifier} checks every answer before anything is read from it (CheckMacValue over the raw
 *   values, AES envelopes opened with the expected merchant's keys, answers bound to their request);
 * - here, form APIs are signed with the merchant's keys (the platform's for a member) and JSON APIs sealed in the
 *   AES envelope with a fresh timestamp.
 *
 * Logs carry the API, MerchantID, MerchantTradeNo, HTTP status and duration — never keys, bodies or card data.
 *
 * @publicApi
 */
@Injectable()
export class EcpayClient {
  constructor(
    private readonly merchants: EcpayMerchantRegistry,
    private readonly signing: EcpaySigningService,
    private readonly crypto: EcpayCryptoService,
    private readonly transport: EcpayHttpTransport,
    private readonly verifier: EcpayResponseVerifier,
    @InjectEcpayClock() private readonly clock: EcpayClock,
    @InjectEcpayOptions() private readonly options: ResolvedEcpayOptions,
  ) {}

  /**
   * QueryTradeInfo/V5: an AIO order's state. The TimeStamp (valid 3 minutes at ECPay) is read from the clock on
   * every call — the official Node SDK computes it once at load, so its long-lived clients send stale ones.
   */
  async queryTradeInfo(input: EcpayTradeRef, options: EcpayCallOptions = {}): Promise<EcpayTradeInfo> {
    const merchantTradeNo = checked('queryTradeInfo', [tradeNoIssue(input?.merchantTradeNo)], input?.merchantTradeNo);
    const ctx = this.context('queryTradeInfo', options, merchantTradeNo);
    const raw = await this.callKeyValue(
      ctx,
      { MerchantTradeNo: merchantTradeNo, TimeStamp: this.timestamp() },
      'required',
      options,
    );
    const f = new EcpayResponseFields(ctx.api, raw);
    return {
      merchantId: f.text('MerchantID'),
      merchantTradeNo: f.text('MerchantTradeNo'),
      storeId: f.text('StoreID'),
      tradeNo: f.text('TradeNo'),
      tradeAmount: f.int('TradeAmt'),
      tradeStatus: f.requiredInt('TradeStatus'),
      paymentType: f.text('PaymentType'),
      paymentDate: f.date('PaymentDate'),
      tradeDate: f.date('TradeDate'),
      handlingCharge: f.decimal('HandlingCharge'),
      paymentTypeChargeFee: f.decimal('PaymentTypeChargeFee'),
      itemName: f.text('ItemName'),
      customFields: customFields(f),
      raw,
    };
  }

  /** The JSON QueryTrade (`/1.0.0/Cashier/QueryTrade`) of the ecpayment APIs (站內付 2.0, BackAuth). */
  async queryTrade(input: EcpayTradeRef, options: EcpayCallOptions = {}): Promise<EcpayQueryTradeResult> {
    const merchantTradeNo = checked('queryTrade', [tradeNoIssue(input?.merchantTradeNo)], input?.merchantTradeNo);
    const ctx = this.context('queryTrade', options, merchantTradeNo);
    const data = await this.callEnvelope(ctx, { MerchantTradeNo: merchantTradeNo }, options);
    const f = new EcpayResponseFields(ctx.api, data);
    const order = f.object('OrderInfo');
    const answeredNo = order.text('MerchantTradeNo');
    if (answeredNo !== '' && answeredNo !== merchantTradeNo)
      throw new EcpayResponseVerificationError(ctx.api, 'mismatch', 'MerchantTradeNo');
    return {
      merchantId: f.text('MerchantID'),
      rtnMsg: f.text('RtnMsg'),
      merchantTradeNo: answeredNo,
      tradeNo: order.text('TradeNo'),
      tradeAmount: order.int('TradeAmt'),
      tradeStatus: order.int('TradeStatus'),
      paymentType: order.text('PaymentType'),
      tradeDate: order.date('TradeDate'),
      paymentDate: order.date('PaymentDate'),
      chargeFee: order.decimal('ChargeFee'),
      data,
    };
  }

  /**
   * CreditDetail/QueryTrade/V2: a card authorization's details and closes. ECPay offers it in production only; on
   * stage or the sandbox this throws {@link EcpayUnsupportedEnvironmentError} before anything is sent.
   */
  async queryCreditDetail(input: EcpayCreditDetailQuery, options: EcpayCallOptions = {}): Promise<EcpayCreditDetail> {
    const api = 'creditDetailQueryTrade';
    if (this.options.environment !== 'production') {
      throw new EcpayUnsupportedEnvironmentError(
        api,
        this.options.environment,
        'ECPay offers CreditDetail/QueryTrade/V2 in production only (stage has no real card authorizations). Use queryTradeInfo or queryTrade there.',
      );
    }
    checked(api, [
      DIGITS.test(String(input?.creditRefundId ?? ''))
        ? undefined
        : { field: 'CreditRefundId', rule: 'digits', message: 'must be the gwsr (digits) of the authorization' },
      positiveInt(input?.creditAmount, 'CreditAmount'),
      DIGITS.test(String(input?.creditCheckCode ?? ''))
        ? undefined
        : {
            field: 'CreditCheckCode',
            rule: 'digits',
            message: 'must be the 商家檢查碼 (digits) from the vendor back office',
          },
    ]);
    const ctx = this.context(api, options);
    const body = await this.callJson(
      ctx,
      {
        CreditRefundId: String(input.creditRefundId),
        CreditAmount: input.creditAmount,
        CreditCheckCode: String(input.creditCheckCode),
      },
      options,
    );
    const f = new EcpayResponseFields(api, body);
    const rtnMsg = f.text('RtnMsg');
    // An empty RtnMsg is success; error_Stop, error_nopay (ask again 10 minutes later) and error are not.
    if (rtnMsg !== '') throw new EcpayApiError({ api, rtnMsg, merchantId: ctx.merchant.merchantId });
    const value = f.object('RtnValue');
    const authTime = value.text('authtime');
    return {
      tradeId: value.int('TradeID'),
      amount: value.int('amount'),
      closedAmount: value.int('clsamt'),
      authTime,
      authorizedAt: lenientDate(authTime),
      status: value.text('status'),
      closeData: value.list('close_data').map((close) => ({
        status: close.text('status'),
        amount: close.int('amount'),
        sno: close.text('sno'),
        datetime: close.text('datetime'),
      })),
      raw: body,
    };
  }

  /** QueryCreditCardPeriodInfo: a periodic (定期定額) order and the log of its executions (JSON answer). */
  async queryCreditCardPeriodInfo(
    input: EcpayTradeRef,
    options: EcpayCallOptions = {},
  ): Promise<EcpayCreditCardPeriodInfo> {
    const merchantTradeNo = checked(
      'queryCreditCardPeriodInfo',
      [tradeNoIssue(input?.merchantTradeNo)],
      input?.merchantTradeNo,
    );
    const ctx = this.context('queryCreditCardPeriodInfo', options, merchantTradeNo);
    const body = await this.callJson(ctx, { MerchantTradeNo: merchantTradeNo, TimeStamp: this.timestamp() }, options);
    const f = new EcpayResponseFields(ctx.api, body);
    const rtnCode = f.requiredInt('RtnCode');
    if (rtnCode !== 1) throw apiErrorFor(ctx, rtnCode, f.text('RtnMsg'));
    return {
      merchantId: f.text('MerchantID'),
      merchantTradeNo: f.text('MerchantTradeNo'),
      tradeNo: f.text('TradeNo'),
      rtnCode,
      periodType: f.text('PeriodType'),
      frequency: f.int('Frequency'),
      execTimes: f.int('ExecTimes'),
      periodAmount: f.int('PeriodAmount'),
      firstAuthAmount: f.int('amount'),
      gwsr: f.int('gwsr'),
      processDate: f.date('process_date'),
      authCode: f.text('auth_code'),
      card4No: f.text('card4no'),
      card6No: f.text('card6no'),
      totalSuccessTimes: f.int('TotalSuccessTimes'),
      totalSuccessAmount: f.int('TotalSuccessAmount'),
      execStatus: f.text('ExecStatus'),
      execLog: f.list('ExecLog').map((run) => ({
        rtnCode: run.int('RtnCode'),
        rtnMsg: run.text('RtnMsg'),
        amount: run.int('amount'),
        gwsr: run.int('gwsr'),
        processDate: run.date('process_date'),
        authCode: run.text('auth_code'),
        tradeNo: run.text('TradeNo'),
      })),
      raw: body,
    };
  }

  /** QueryPaymentInfo: the ATM account or CVS/BARCODE code issued for an offline payment. */
  async queryPaymentInfo(input: EcpayTradeRef, options: EcpayCallOptions = {}): Promise<EcpayPaymentInfo> {
    const merchantTradeNo = checked('queryPaymentInfo', [tradeNoIssue(input?.merchantTradeNo)], input?.merchantTradeNo);
    const ctx = this.context('queryPaymentInfo', options, merchantTradeNo);
    const raw = await this.callKeyValue(
      ctx,
      { MerchantTradeNo: merchantTradeNo, TimeStamp: this.timestamp() },
      'required',
      options,
    );
    const f = new EcpayResponseFields(ctx.api, raw);
    const rtnCode = f.requiredInt('RtnCode');
    // 2 = ATM account issued, 10100073 = CVS/BARCODE code issued (docs/protocol.md, QueryPaymentInfo); 1 is accepted as
    // plain success.
    if (rtnCode !== 1 && rtnCode !== 2 && rtnCode !== 10100073) throw apiErrorFor(ctx, rtnCode, f.text('RtnMsg'));
    return {
      merchantId: f.text('MerchantID'),
      merchantTradeNo: f.text('MerchantTradeNo'),
      storeId: f.text('StoreID'),
      rtnCode,
      rtnMsg: f.text('RtnMsg'),
      tradeNo: f.text('TradeNo'),
      tradeAmount: f.int('TradeAmt'),
      paymentType: f.text('PaymentType'),
      tradeDate: f.date('TradeDate'),
      expireDate: f.date('ExpireDate'),
      bankCode: f.text('BankCode'),
      vAccount: f.text('vAccount'),
      paymentNo: f.text('PaymentNo'),
      barcodes: [f.text('Barcode1'), f.text('Barcode2'), f.text('Barcode3')],
      customFields: customFields(f),
      raw,
    };
  }

  /**
   * DoAction: close (C), refund (R), cancel the close (E) or void (N) a card trade. It changes money: on
   * {@link EcpayTimeoutError} or a transport error that may have reached ECPay, query the trade — never call again
   * blindly, a second refund is real.
   */
  async doAction(input: EcpayDoActionInput, options: EcpayCallOptions = {}): Promise<EcpayDoActionResult> {
    const api = 'doAction';
    checked(api, [
      tradeNoIssue(input?.merchantTradeNo),
      ECPAY_TRADE_NO_PATTERN.test(String(input?.tradeNo ?? ''))
        ? undefined
        : { field: 'TradeNo', rule: 'format', message: "must be ECPay's TradeNo (letters and digits, at most 20)" },
      ['C', 'R', 'E', 'N'].includes(input?.action)
        ? undefined
        : {
            field: 'Action',
            rule: 'one-of',
            message: 'must be C (close), R (refund), E (cancel the close) or N (void)',
          },
      positiveInt(input?.totalAmount, 'TotalAmount'),
    ]);
    const ctx = this.context(api, options, input.merchantTradeNo);
    const raw = await this.callKeyValue(
      ctx,
      {
        MerchantTradeNo: input.merchantTradeNo,
        TradeNo: input.tradeNo,
        Action: input.action,
        TotalAmount: input.totalAmount,
      },
      'if-present',
      options,
    );
    const f = new EcpayResponseFields(api, raw);
    const rtnCode = f.requiredInt('RtnCode');
    if (rtnCode !== 1) throw apiErrorFor(ctx, rtnCode, f.text('RtnMsg'));
    const tradeNo = f.text('TradeNo');
    if (tradeNo !== '' && tradeNo !== input.tradeNo)
      throw new EcpayResponseVerificationError(api, 'mismatch', 'TradeNo');
    return {
      merchantId: f.text('MerchantID'),
      merchantTradeNo: f.text('MerchantTradeNo'),
      tradeNo,
      action: input.action,
      rtnCode: 1,
      rtnMsg: f.text('RtnMsg'),
      raw,
    };
  }

  /** CreditCardPeriodAction: re-authorize a failed periodic charge (ReAuth) or stop the later ones (Cancel). */
  async creditCardPeriodAction(
    input: EcpayPeriodActionInput,
    options: EcpayCallOptions = {},
  ): Promise<EcpayPeriodActionResult> {
    const api = 'creditCardPeriodAction';
    checked(api, [
      tradeNoIssue(input?.merchantTradeNo),
      ['ReAuth', 'Cancel'].includes(input?.action)
        ? undefined
        : { field: 'Action', rule: 'one-of', message: 'must be ReAuth or Cancel' },
    ]);
    const ctx = this.context(api, options, input.merchantTradeNo);
    const raw = await this.callKeyValue(
      ctx,
      { MerchantTradeNo: input.merchantTradeNo, Action: input.action, TimeStamp: this.timestamp() },
      'if-present',
      options,
    );
    const f = new EcpayResponseFields(api, raw);
    const rtnCode = f.requiredInt('RtnCode');
    if (rtnCode !== 1) throw apiErrorFor(ctx, rtnCode, f.text('RtnMsg'));
    return {
      merchantId: f.text('MerchantID'),
      merchantTradeNo: f.text('MerchantTradeNo'),
      action: input.action,
      rtnCode: 1,
      rtnMsg: f.text('RtnMsg'),
      raw,
    };
  }

  /**
   * TradeNoAio: downloads the merchant's statement (特店對帳媒體檔) for a range of Taipei days and parses the CSV.
   * The file carries no CheckMacValue; it is as trustworthy as the TLS connection it came over.
   */
  async downloadStatement(query: EcpayStatementQuery, options: EcpayCallOptions = {}): Promise<EcpayStatement> {
    const api = 'tradeNoAio';
    const day = (value: Date | string | undefined): string | undefined =>
      value instanceof Date
        ? Number.isFinite(value.getTime())
          ? formatEcpayDate(value)
          : undefined
        : typeof value === 'string' && DAY.test(value)
          ? value
          : undefined;
    const beginDate = day(query?.beginDate);
    const endDate = day(query?.endDate);
    checked(api, [
      [2, 4, 5, 6].includes(query?.dateType)
        ? undefined
        : {
            field: 'DateType',
            rule: 'one-of',
            message: 'must be 2 (payment), 4 (close), 5 (appropriation) or 6 (order) date',
          },
      beginDate ? undefined : { field: 'BeginDate', rule: 'format', message: 'must be a Date or yyyy-MM-dd' },
      endDate ? undefined : { field: 'EndDate', rule: 'format', message: 'must be a Date or yyyy-MM-dd' },
      query?.paymentType === undefined || /^\d{2}$/.test(query.paymentType)
        ? undefined
        : { field: 'PaymentType', rule: 'format', message: 'must be a two-digit code such as 01' },
    ]);
    const ctx = this.context(api, options);
    const params: Record<string, string | number> = {
      DateType: query.dateType,
      BeginDate: beginDate!,
      EndDate: endDate!,
      // The official SDK example sends 0; ECPay requires the field.
      MediaFormated: query.mediaFormated ?? 0,
      ...(query.paymentType !== undefined ? { PaymentType: query.paymentType } : {}),
      ...(query.platformStatus !== undefined ? { PlatformStatus: query.platformStatus } : {}),
      ...(query.paymentStatus !== undefined ? { PaymentStatus: query.paymentStatus } : {}),
      ...(query.allocateStatus !== undefined ? { AllocateStatus: query.allocateStatus } : {}),
    };
    const text = this.verifier.statementText(ctx, await this.postForm(ctx, params, options));
    const [columns = [], ...lines] = parseCsv(text);
    const rows = lines.map((cells) => Object.fromEntries(columns.map((column, i) => [column, cells[i] ?? ''])));
    return { columns, rows };
  }

  /** When the merchant's 403 breaker closes, if it is open now (shared by every instance). */
  rateLimitedUntil(merchant?: string): Promise<Date | undefined> {
    return this.transport.rateLimitedUntil(this.merchants.get(merchant).merchantId);
  }

  /** Closes the merchant's 403 breaker at once, for every instance. ECPay asks for the full 30 minutes. */
  resetRateLimit(merchant?: string): Promise<void> {
    return this.transport.resetRateLimit(this.merchants.get(merchant).merchantId);
  }

  /**
   * A raw call to one of ECPay's JSON/AES APIs: `data` (the plaintext Data, MerchantID added) is sent in the envelope
   * and the answer's decrypted Data returned WHATEVER its RtnCode — a declined card is an answer, not an error.
   * TransCode ≠ 1 still throws {@link EcpayApiError}; timeouts, transport failures and unverifiable answers throw as
   * every call does. For BackAuth-class calls whose Data the caller builds; `data` is never logged.
   */
  async sendEnvelope(
    api: EcpayApiName,
    data: Record<string, unknown>,
    options: EcpayCallOptions = {},
  ): Promise<Record<string, unknown>> {
    const merchantTradeNo =
      typeof (data.OrderInfo as { MerchantTradeNo?: unknown } | undefined)?.MerchantTradeNo === 'string'
        ? String((data.OrderInfo as { MerchantTradeNo: string }).MerchantTradeNo)
        : typeof data.MerchantTradeNo === 'string'
          ? data.MerchantTradeNo
          : undefined;
    return this.callEnvelope(this.context(api, options, merchantTradeNo), data, options, { answerFailures: true });
  }

  // ---------------------------------------------------------------------------------------------------------------

  private context(api: EcpayApiName, options: EcpayCallOptions, merchantTradeNo?: string): EcpayCallContext {
    return { api, merchant: this.merchants.get(options.merchant), merchantTradeNo };
  }

  /** Unix seconds from the module clock, read at the moment of the call (never cached). */
  private timestamp(): number {
    return toUnixSeconds(this.clock.now());
  }

  /** Signs and POSTs a form; returns the answer's bytes (not yet verified). */
  private postForm(
    ctx: EcpayCallContext,
    params: Record<string, string | number>,
    options: EcpayCallOptions,
  ): Promise<Buffer> {
    const signed = this.signing.signParams(
      { ...identityFields(ctx.merchant), ...params },
      { merchant: ctx.merchant.name },
    );
    return this.transport.post(
      ctx,
      new URLSearchParams(signed).toString(),
      'application/x-www-form-urlencoded',
      options,
    );
  }

  /** A form API answering `k=v&…`; the verifier returns its fields without CheckMacValue. */
  private async callKeyValue(
    ctx: EcpayCallContext,
    params: Record<string, string | number>,
    mac: EcpayMacPolicy,
    options: EcpayCallOptions,
  ): Promise<Record<string, string>> {
    return this.verifier.keyValue(ctx, await this.postForm(ctx, params, options), mac);
  }

  /** A form API answering JSON. */
  private async callJson(
    ctx: EcpayCallContext,
    params: Record<string, string | number>,
    options: EcpayCallOptions,
  ): Promise<Record<string, unknown>> {
    return this.verifier.json(ctx, await this.postForm(ctx, params, options));
  }

  /** A JSON/AES API: the envelope is built with a fresh timestamp and opened with the expected merchant's keys. */
  private async callEnvelope(
    ctx: EcpayCallContext,
    data: Record<string, unknown>,
    options: EcpayCallOptions,
    verify: { answerFailures?: boolean } = {},
  ): Promise<Record<string, unknown>> {
    const envelope = this.crypto.buildRequest(
      { ...identityFields(ctx.merchant), ...data },
      { merchant: ctx.merchant.name },
    );
    return this.verifier.envelope(
      ctx,
      await this.transport.post(ctx, JSON.stringify(envelope), 'application/json', options),
      verify,
    );
  }
}

const customFields = (f: EcpayResponseFields): EcpayCustomFields => [
  f.text('CustomField1'),
  f.text('CustomField2'),
  f.text('CustomField3'),
  f.text('CustomField4'),
];

/** ECPay's authtime is informational: an unreadable one becomes null rather than failing the whole answer. */
function lenientDate(text: string): Date | null {
  try {
    return text.trim() === '' ? null : new EcpayResponseFields('', { d: text }).date('d');
  } catch {
    return null;
  }
}
