import { Injectable, Logger } from '@nestjs/common';
import { EcpayMerchantRegistry } from '../config/ecpay-merchant.registry.js';
import type { EcpayMerchant } from '../config/ecpay-merchant.js';
import { InjectEcpayOptions } from '../config/ecpay-options.decorator.js';
import type { ResolvedEcpayOptions } from '../config/resolved-ecpay-options.interface.js';
import { EcpayCryptoService } from '../crypto/ecpay-crypto.service.js';
import type { EcpayResponseData } from '../crypto/ecpay-envelope.interface.js';
import { EcpayApiError } from '../errors/ecpay-api.error.js';
import { EcpayDecryptionError } from '../errors/ecpay-decryption.error.js';
import { EcpayRateLimitedError } from '../errors/ecpay-rate-limited.error.js';
import { EcpayResponseVerificationError } from '../errors/ecpay-response-verification.error.js';
import { EcpayTimeoutError } from '../errors/ecpay-timeout.error.js';
import { EcpayTransportError } from '../errors/ecpay-transport.error.js';
import { EcpayUnsupportedEnvironmentError } from '../errors/ecpay-unsupported-environment.error.js';
import { EcpayValidationError, type EcpayValidationIssue } from '../errors/ecpay-validation.error.js';
import { EcpaySigningService } from '../signing/ecpay-signing.service.js';
import { InjectEcpayClock, type EcpayClock } from '../time/ecpay-clock.js';
import { formatEcpayDate, toUnixSeconds } from '../time/ecpay-time.js';
import { EcpayCircuitBreaker } from './ecpay-circuit-breaker.service.js';
import {
  ECPAY_DEFAULT_TIMEOUT_MS,
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
import { ECPAY_PATHS, ecpayHosts, type EcpayApiName, type EcpayHosts } from './ecpay-endpoints.js';
import { EcpayResponseFields, splitCodeMessage, splitRawKeyValue } from './ecpay-response-fields.js';
import { decodeStatementText, parseCsv } from './ecpay-statement-csv.js';

/** Whether an answer must carry a CheckMacValue: ECPay signs some form-API answers, others never (PHP SDK's choice of response class). */
type MacPolicy = 'required' | 'if-present';

/** What a call is about, for the breaker, the logs and the checks binding an answer to its request. */
interface CallContext {
  readonly api: EcpayApiName;
  readonly merchant: EcpayMerchant;
  readonly merchantTradeNo?: string;
}

const JSON_APIS: ReadonlySet<EcpayApiName> = new Set([
  'backAuth', 'queryTrade', 'creditDetailQueryTradeJson', 'doActionJson', 'creditCardPeriodActionJson', 'queryPaymentInfoJson',
]);
const ECPG_APIS: ReadonlySet<EcpayApiName> = new Set([
  'getTokenByTrade', 'createPayment', 'getTokenByBindingCard', 'createBindCard', 'getTokenByUser', 'createPaymentWithCardId',
  'getMemberBindCard', 'deleteMemberBindCard',
]);

const familyOf = (api: EcpayApiName): keyof EcpayHosts =>
  api === 'tradeNoAio' ? 'vendor' : JSON_APIS.has(api) ? 'ecpayment' : ECPG_APIS.has(api) ? 'ecpg' : 'payment';

/**
 * Connection failures that happen before a single byte of the request is written: the request cannot have reached
 * ECPay, so the caller may safely try again. Every other failure may have happened after ECPay read the request.
 */
const NOT_SENT = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/** Answers are small; a statement may be a month of trades. Anything larger is not ECPay talking. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

const ALNUM_20 = /^[A-Za-z0-9]{1,20}$/;
const DIGITS = /^\d{1,20}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Server-to-server calls to ECPay on Node's built-in fetch (docs/protocol.md §2.4, §3, §4, §7, §8):
 *
 * - every call has a timeout (10 s unless `timeoutMs` says otherwise) and is never resent: a timeout is
 *   {@link EcpayTimeoutError}, outcome unknown — query the trade;
 * - form APIs are POSTed `application/x-www-form-urlencoded` with a CheckMacValue from the merchant's keys (the
 *   platform's for a member); JSON APIs travel in the AES envelope with a fresh timestamp;
 * - every answer is verified before anything is read from it: `k=v&…` answers are split without form-decoding and
 *   their CheckMacValue checked over the raw values; JSON answers' CheckMacValue is checked when present; AES
 *   envelopes are opened with the expected merchant's keys, TransCode ≠ 1 and RtnCode ≠ 1 are {@link EcpayApiError};
 *   an answer about another merchant or trade is refused;
 * - an HTTP 403 opens the merchant's breaker for 30 minutes, shared by every instance through the rate-limit store,
 *   and until then calls for that merchant fail with {@link EcpayRateLimitedError} without any network I/O;
 * - TLS is Node's default (certificates verified); nothing here can turn that off.
 *
 * Logs carry the API, MerchantID, MerchantTradeNo, HTTP status and duration — never keys, bodies or card data.
 *
 * @publicApi
 */
@Injectable()
export class EcpayClient {
  private readonly logger = new Logger('EcpayClient');

  constructor(
    private readonly merchants: EcpayMerchantRegistry,
    private readonly signing: EcpaySigningService,
    private readonly crypto: EcpayCryptoService,
    private readonly breaker: EcpayCircuitBreaker,
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
    const raw = await this.callKeyValue(ctx, { MerchantTradeNo: merchantTradeNo, TimeStamp: this.timestamp() }, 'required', options);
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
    if (answeredNo !== '' && answeredNo !== merchantTradeNo) throw new EcpayResponseVerificationError(ctx.api, 'mismatch', 'MerchantTradeNo');
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
      DIGITS.test(String(input?.creditRefundId ?? '')) ? undefined : { field: 'CreditRefundId', rule: 'digits', message: 'must be the gwsr (digits) of the authorization' },
      positiveInt(input?.creditAmount, 'CreditAmount'),
      DIGITS.test(String(input?.creditCheckCode ?? '')) ? undefined : { field: 'CreditCheckCode', rule: 'digits', message: 'must be the 商家檢查碼 (digits) from the vendor back office' },
    ]);
    const ctx = this.context(api, options);
    const body = await this.callJson(
      ctx,
      { CreditRefundId: String(input.creditRefundId), CreditAmount: input.creditAmount, CreditCheckCode: String(input.creditCheckCode) },
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
  async queryCreditCardPeriodInfo(input: EcpayTradeRef, options: EcpayCallOptions = {}): Promise<EcpayCreditCardPeriodInfo> {
    const merchantTradeNo = checked('queryCreditCardPeriodInfo', [tradeNoIssue(input?.merchantTradeNo)], input?.merchantTradeNo);
    const ctx = this.context('queryCreditCardPeriodInfo', options, merchantTradeNo);
    const body = await this.callJson(ctx, { MerchantTradeNo: merchantTradeNo, TimeStamp: this.timestamp() }, options);
    const f = new EcpayResponseFields(ctx.api, body);
    const rtnCode = f.requiredInt('RtnCode');
    if (rtnCode !== 1) throw this.apiError(ctx, rtnCode, f.text('RtnMsg'));
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
    const raw = await this.callKeyValue(ctx, { MerchantTradeNo: merchantTradeNo, TimeStamp: this.timestamp() }, 'required', options);
    const f = new EcpayResponseFields(ctx.api, raw);
    const rtnCode = f.requiredInt('RtnCode');
    // 2 = ATM account issued, 10100073 = CVS/BARCODE code issued (docs/protocol.md §6.3); 1 is accepted as plain success.
    if (rtnCode !== 1 && rtnCode !== 2 && rtnCode !== 10100073) throw this.apiError(ctx, rtnCode, f.text('RtnMsg'));
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
      ALNUM_20.test(String(input?.tradeNo ?? '')) ? undefined : { field: 'TradeNo', rule: 'format', message: "must be ECPay's TradeNo (letters and digits, at most 20)" },
      ['C', 'R', 'E', 'N'].includes(input?.action) ? undefined : { field: 'Action', rule: 'one-of', message: 'must be C (close), R (refund), E (cancel the close) or N (void)' },
      positiveInt(input?.totalAmount, 'TotalAmount'),
    ]);
    const ctx = this.context(api, options, input.merchantTradeNo);
    const raw = await this.callKeyValue(
      ctx,
      { MerchantTradeNo: input.merchantTradeNo, TradeNo: input.tradeNo, Action: input.action, TotalAmount: input.totalAmount },
      'if-present',
      options,
    );
    const f = new EcpayResponseFields(api, raw);
    const rtnCode = f.requiredInt('RtnCode');
    if (rtnCode !== 1) throw this.apiError(ctx, rtnCode, f.text('RtnMsg'));
    const tradeNo = f.text('TradeNo');
    if (tradeNo !== '' && tradeNo !== input.tradeNo) throw new EcpayResponseVerificationError(api, 'mismatch', 'TradeNo');
    return { merchantId: f.text('MerchantID'), merchantTradeNo: f.text('MerchantTradeNo'), tradeNo, action: input.action, rtnCode: 1, rtnMsg: f.text('RtnMsg'), raw };
  }

  /** CreditCardPeriodAction: re-authorize a failed periodic charge (ReAuth) or stop the later ones (Cancel). */
  async creditCardPeriodAction(input: EcpayPeriodActionInput, options: EcpayCallOptions = {}): Promise<EcpayPeriodActionResult> {
    const api = 'creditCardPeriodAction';
    checked(api, [
      tradeNoIssue(input?.merchantTradeNo),
      ['ReAuth', 'Cancel'].includes(input?.action) ? undefined : { field: 'Action', rule: 'one-of', message: 'must be ReAuth or Cancel' },
    ]);
    const ctx = this.context(api, options, input.merchantTradeNo);
    const raw = await this.callKeyValue(ctx, { MerchantTradeNo: input.merchantTradeNo, Action: input.action, TimeStamp: this.timestamp() }, 'if-present', options);
    const f = new EcpayResponseFields(api, raw);
    const rtnCode = f.requiredInt('RtnCode');
    if (rtnCode !== 1) throw this.apiError(ctx, rtnCode, f.text('RtnMsg'));
    return { merchantId: f.text('MerchantID'), merchantTradeNo: f.text('MerchantTradeNo'), action: input.action, rtnCode: 1, rtnMsg: f.text('RtnMsg'), raw };
  }

  /**
   * TradeNoAio: downloads the merchant's statement (特店對帳媒體檔) for a range of Taipei days and parses the CSV.
   * The file carries no CheckMacValue; it is as trustworthy as the TLS connection it came over.
   */
  async downloadStatement(query: EcpayStatementQuery, options: EcpayCallOptions = {}): Promise<EcpayStatement> {
    const api = 'tradeNoAio';
    const day = (value: Date | string | undefined): string | undefined =>
      value instanceof Date ? (Number.isFinite(value.getTime()) ? formatEcpayDate(value) : undefined) : typeof value === 'string' && DAY.test(value) ? value : undefined;
    const beginDate = day(query?.beginDate);
    const endDate = day(query?.endDate);
    checked(api, [
      [2, 4, 5, 6].includes(query?.dateType) ? undefined : { field: 'DateType', rule: 'one-of', message: 'must be 2 (payment), 4 (close), 5 (appropriation) or 6 (order) date' },
      beginDate ? undefined : { field: 'BeginDate', rule: 'format', message: 'must be a Date or yyyy-MM-dd' },
      endDate ? undefined : { field: 'EndDate', rule: 'format', message: 'must be a Date or yyyy-MM-dd' },
      query?.paymentType === undefined || /^\d{2}$/.test(query.paymentType) ? undefined : { field: 'PaymentType', rule: 'format', message: 'must be a two-digit code such as 01' },
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
    const bytes = await this.postForm(ctx, params, options);
    const text = decodeStatementText(bytes).replace(/^\uFEFF/, '');
    const refusal = splitCodeMessage(text.trim());
    if (refusal) throw this.apiError(ctx, refusal.code, refusal.message);
    if (/^\s*</.test(text)) throw new EcpayResponseVerificationError(api, 'malformed', 'HTML instead of CSV');
    const [columns = [], ...lines] = parseCsv(text);
    const rows = lines.map((cells) => Object.fromEntries(columns.map((column, i) => [column, cells[i] ?? ''])));
    return { columns, rows };
  }

  /** When the merchant's 403 breaker closes, if it is open now (shared by every instance). */
  rateLimitedUntil(merchant?: string): Promise<Date | undefined> {
    return this.breaker.openUntil(this.merchants.get(merchant).merchantId);
  }

  /** Closes the merchant's 403 breaker at once, for every instance. ECPay asks for the full 30 minutes. */
  resetRateLimit(merchant?: string): Promise<void> {
    return this.breaker.reset(this.merchants.get(merchant).merchantId);
  }

  // ---------------------------------------------------------------------------------------------------------------

  private context(api: EcpayApiName, options: EcpayCallOptions, merchantTradeNo?: string): CallContext {
    return { api, merchant: this.merchants.get(options.merchant), merchantTradeNo };
  }

  /** Unix seconds from the module clock, read at the moment of the call (never cached). */
  private timestamp(): number {
    return toUnixSeconds(this.clock.now());
  }

  /** The merchant's identity fields: MerchantID, and PlatformID for a platform member (its keys are the platform's). */
  private identity(merchant: EcpayMerchant): Record<string, string> {
    return merchant.platformId !== undefined ? { MerchantID: merchant.merchantId, PlatformID: merchant.platformId } : { MerchantID: merchant.merchantId };
  }

  /** Signs and POSTs a form; returns the answer's bytes (not yet verified). */
  private postForm(ctx: CallContext, params: Record<string, string | number>, options: EcpayCallOptions): Promise<Buffer> {
    const signed = this.signing.signParams({ ...this.identity(ctx.merchant), ...params }, { merchant: ctx.merchant.name });
    return this.exchange(ctx, new URLSearchParams(signed).toString(), 'application/x-www-form-urlencoded', options);
  }

  /** A form API answering `k=v&…`: verified over the raw values, bound to the request; CheckMacValue removed. */
  private async callKeyValue(ctx: CallContext, params: Record<string, string | number>, mac: MacPolicy, options: EcpayCallOptions): Promise<Record<string, string>> {
    const text = utf8(ctx.api, await this.postForm(ctx, params, options)).trim();
    const refusal = splitCodeMessage(text);
    if (refusal) throw this.apiError(ctx, refusal.code, refusal.message);
    const fields = splitRawKeyValue(text);
    if (!fields) throw new EcpayResponseVerificationError(ctx.api, 'malformed', 'not a k=v&k=v answer');
    this.verifyMac(ctx, fields, mac);
    this.bindToRequest(ctx, fields);
    const { CheckMacValue: _mac, ...rest } = fields;
    return Object.freeze(Object.assign(Object.create(null) as Record<string, string>, rest));
  }

  /** A form API answering JSON: verified when it carries a CheckMacValue, bound to the request. */
  private async callJson(ctx: CallContext, params: Record<string, string | number>, options: EcpayCallOptions): Promise<Record<string, unknown>> {
    const text = utf8(ctx.api, await this.postForm(ctx, params, options)).trim();
    const refusal = splitCodeMessage(text);
    if (refusal) throw this.apiError(ctx, refusal.code, refusal.message);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new EcpayResponseVerificationError(ctx.api, 'malformed', 'not JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new EcpayResponseVerificationError(ctx.api, 'malformed', 'not a JSON object');
    const fields = body as Record<string, unknown>;
    if (fields.CheckMacValue !== undefined) {
      // ECPay documents no MAC rule for nested JSON; a MAC, when sent, is checked over the top-level scalar fields,
      // numbers written in decimal as the form MAC does.
      const scalars = Object.fromEntries(Object.entries(fields).filter(([, value]) => typeof value === 'string' || typeof value === 'number'));
      this.verifyMac(ctx, scalars, 'required');
    }
    this.bindToRequest(ctx, fields);
    const { CheckMacValue: _mac, ...rest } = fields;
    return rest;
  }

  /**
   * A raw call to one of ECPay's JSON/AES APIs: `data` (the plaintext Data, MerchantID added) is sent in the envelope
   * and the answer's decrypted Data returned WHATEVER its RtnCode — a declined card is an answer, not an error.
   * TransCode ≠ 1 still throws {@link EcpayApiError}; timeouts, transport failures and unverifiable answers throw as
   * every call does. For BackAuth-class calls whose Data the caller builds; `data` is never logged.
   */
  async sendEnvelope(api: EcpayApiName, data: Record<string, unknown>, options: EcpayCallOptions = {}): Promise<Record<string, unknown>> {
    const merchantTradeNo = typeof (data.OrderInfo as { MerchantTradeNo?: unknown } | undefined)?.MerchantTradeNo === 'string'
      ? String((data.OrderInfo as { MerchantTradeNo: string }).MerchantTradeNo)
      : typeof data.MerchantTradeNo === 'string' ? data.MerchantTradeNo : undefined;
    return this.callEnvelope(this.context(api, options, merchantTradeNo), data, options, { answerFailures: true });
  }

  /** A JSON/AES API: the envelope is built with a fresh timestamp and opened with the expected merchant's keys. */
  private async callEnvelope(
    ctx: CallContext,
    data: Record<string, unknown>,
    options: EcpayCallOptions,
    { answerFailures = false }: { answerFailures?: boolean } = {},
  ): Promise<Record<string, unknown>> {
    const envelope = this.crypto.buildRequest({ ...this.identity(ctx.merchant), ...data }, { merchant: ctx.merchant.name });
    const text = utf8(ctx.api, await this.exchange(ctx, JSON.stringify(envelope), 'application/json', options));
    let opened;
    try {
      opened = this.crypto.openResponse<EcpayResponseData>(text, { merchant: ctx.merchant.name });
    } catch (error) {
      if (!(error instanceof EcpayDecryptionError)) throw error;
      const reason = error.reason === 'malformed-envelope' ? 'malformed' : error.reason === 'merchant-mismatch' || error.reason === 'unknown-merchant' ? 'mismatch' : 'bad-envelope';
      throw new EcpayResponseVerificationError(ctx.api, reason, error.reason, { cause: error });
    }
    if (opened.status === 'transport-failure') {
      throw new EcpayApiError({ api: ctx.api, transCode: opened.transCode, rtnMsg: opened.transMsg, merchantId: ctx.merchant.merchantId, merchantTradeNo: ctx.merchantTradeNo });
    }
    if (opened.status === 'business-failure' && !answerFailures) throw this.apiError(ctx, opened.rtnCode, opened.rtnMsg);
    this.bindToRequest(ctx, opened.data);
    return opened.data;
  }

  private verifyMac(ctx: CallContext, fields: Record<string, unknown>, mac: MacPolicy): void {
    if (fields.CheckMacValue === undefined) {
      if (mac === 'required') throw new EcpayResponseVerificationError(ctx.api, 'missing-check-mac');
      return;
    }
    // The keys that signed the request (the platform's for a member) sign the answer; SHA256 as for every AIO API.
    const signer = this.merchants.forOutgoing(this.identity(ctx.merchant), ctx.merchant.name);
    if (!this.signing.verify(fields, { merchant: signer.name, algorithm: 'sha256' })) {
      throw new EcpayResponseVerificationError(ctx.api, 'bad-check-mac');
    }
  }

  /** A verified answer about another merchant or trade is not an answer to this request (a mixed-up proxy, a replay). */
  private bindToRequest(ctx: CallContext, fields: Readonly<Record<string, unknown>>): void {
    const merchantId = fields.MerchantID;
    if (merchantId !== undefined && merchantId !== '' && String(merchantId) !== ctx.merchant.merchantId) {
      throw new EcpayResponseVerificationError(ctx.api, 'mismatch', 'MerchantID');
    }
    const tradeNo = fields.MerchantTradeNo;
    if (ctx.merchantTradeNo !== undefined && tradeNo !== undefined && tradeNo !== '' && String(tradeNo) !== ctx.merchantTradeNo) {
      throw new EcpayResponseVerificationError(ctx.api, 'mismatch', 'MerchantTradeNo');
    }
  }

  private apiError(ctx: CallContext, rtnCode: number | undefined, rtnMsg: string): EcpayApiError {
    return new EcpayApiError({ api: ctx.api, rtnCode, rtnMsg, merchantId: ctx.merchant.merchantId, merchantTradeNo: ctx.merchantTradeNo });
  }

  /**
   * One HTTP exchange: the breaker first (no I/O while it is open), then exactly one POST with a timeout over the
   * whole exchange, body included. Never retried here: whether a failed call may be repeated depends on whether it
   * reached ECPay, which the error says.
   */
  private async exchange(ctx: CallContext, body: string, contentType: string, options: EcpayCallOptions): Promise<Buffer> {
    const { api, merchant } = ctx;
    const timeoutMs = options.timeoutMs ?? ECPAY_DEFAULT_TIMEOUT_MS;
    if (!(Number.isSafeInteger(timeoutMs) && timeoutMs >= 1)) throw new RangeError(`timeoutMs must be a whole number of milliseconds of at least 1 (got ${String(timeoutMs)}).`);
    const url = ecpayHosts(this.options.environment, this.options.sandboxUrl)[familyOf(api)] + ECPAY_PATHS[api];
    await this.breaker.assertClosed(merchant.merchantId, api);

    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    const started = performance.now();
    const line = (status: string) =>
      `${api} merchant=${merchant.merchantId} MerchantTradeNo=${ctx.merchantTradeNo ?? '-'} status=${status} ${Math.round(performance.now() - started)}ms`;
    let response: Response;
    let bytes: Buffer;
    try {
      response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType, accept: '*/*' }, body, signal, redirect: 'manual' });
      bytes = Buffer.from(await response.arrayBuffer());
    } catch (error) {
      if (timeout.aborted && !options.signal?.aborted) {
        this.logger.warn(line('timeout'));
        throw new EcpayTimeoutError(api, timeoutMs, merchant.merchantId, ctx.merchantTradeNo);
      }
      if (options.signal?.aborted) {
        this.logger.warn(line('aborted'));
        throw new EcpayTransportError(api, true, 'aborted');
      }
      const code = systemCode(error);
      this.logger.warn(line(code));
      throw new EcpayTransportError(api, !NOT_SENT.has(code), code, undefined, { cause: error });
    }
    const status = response.status;
    if (status === 403) {
      const until = await this.breaker.trip(merchant.merchantId, api);
      this.logger.warn(`${line('403')}: rate-limited, calls for merchant ${merchant.merchantId} paused until ${until.toISOString()}`);
      throw new EcpayRateLimitedError(api, merchant.merchantId, until);
    }
    if (status < 200 || status > 299) {
      this.logger.warn(line(String(status)));
      throw new EcpayTransportError(api, true, `http-${status}`, status);
    }
    this.logger.debug(line(String(status)));
    if (bytes.length > MAX_BODY_BYTES) throw new EcpayResponseVerificationError(api, 'malformed', 'answer too large');
    return bytes;
  }
}

/** Throws one {@link EcpayValidationError} listing every problem; returns `value` (typed) otherwise. */
function checked<T>(api: string, issues: (EcpayValidationIssue | undefined)[], value?: T): T {
  const found = issues.filter((issue): issue is EcpayValidationIssue => issue !== undefined);
  if (found.length > 0) throw new EcpayValidationError(found.map((issue) => ({ ...issue, message: `${api}: ${issue.message}` })));
  return value as T;
}

const tradeNoIssue = (value: unknown): EcpayValidationIssue | undefined =>
  typeof value === 'string' && ALNUM_20.test(value) ? undefined : { field: 'MerchantTradeNo', rule: 'format', message: 'must be 1–20 letters and digits' };

const positiveInt = (value: unknown, field: string): EcpayValidationIssue | undefined =>
  Number.isSafeInteger(value) && (value as number) >= 1 ? undefined : { field, rule: 'integer', message: 'must be a whole number of TWD of at least 1' };

const customFields = (f: EcpayResponseFields): EcpayCustomFields => [f.text('CustomField1'), f.text('CustomField2'), f.text('CustomField3'), f.text('CustomField4')];

function lenientDate(text: string): Date | null {
  try {
    return text.trim() === '' ? null : new EcpayResponseFields('', { d: text }).date('d');
  } catch {
    return null;
  }
}

function utf8(api: string, bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new EcpayResponseVerificationError(api, 'malformed', 'not UTF-8');
  }
}

/** The system error code behind fetch's generic "fetch failed" TypeError. */
function systemCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return error instanceof Error ? error.name : 'unknown';
}
