import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { inspect } from 'node:util';
import { EcpayResponseVerificationError } from '../errors/ecpay-response-verification.error.js';
import { InjectEcpayClock, systemClock, type EcpayClock } from '../time/ecpay-clock.js';
import type { EcpayBackAuthInput } from './back-auth-input.interface.js';
import { EcpayBackAuthRequest } from './back-auth-request.js';
import type { EcpayBackAuthResult } from './back-auth-result.interface.js';
import { buildBackAuthData, type EcpayBackAuthData } from './build-back-auth-data.js';
import { mentionsCard } from './card-number.js';
import { EcpayCardDataWithheldError } from '../errors/ecpay-card-data-withheld.error.js';
import {
  BACK_AUTH_QUERY_TIMEOUT_MS,
  BACK_AUTH_TIMEOUT_MS,
  ECPAY_BACK_AUTH_OPTIONS,
  type EcpayBackAuthCallOptions,
  type EcpayBackAuthOptions,
} from './ecpay-back-auth-options.interface.js';
import { ECPAY_JSON_TRANSPORT, isOutcomeUnknown, type EcpayJsonTransport } from './ecpay-json-transport.interface.js';
import { int, parseBackAuthResult, text } from './parse-back-auth-result.js';
import { parseBackAuthQueryResult } from './parse-query-trade-result.js';

/**
 * ECPay BackAuth (幕後授權, docs/protocol.md §7.6): authorizes a card number server-side.
 *
 * 1. Validates every rule of ECPay's BackAuth page first and throws one `EcpayValidationError` listing all problems;
 *    nothing is sent then.
 * 2. Builds the Data (MerchantTradeNo generated if absent) and sends it ONCE through the {@link EcpayJsonTransport},
 *    waiting 30 s by default (docs/protocol.md §8.2: the bank may be slow).
 * 3. Maps ECPay's answer to `authorized`, `three-d-secure` (redirect the browser to `url`) or `failed`.
 * 4. When the answer is lost (the transport's error has `outcomeUnknown === true`, or the answer cannot be trusted)
 *    the card may have been charged, so BackAuth is never sent again: QueryTrade is asked for the MerchantTradeNo
 *    and its answer mapped to the same union, or `unknown` when it cannot settle it.
 *
 * Card number, expiry and CVV stay in memory for the call only: they are never logged, never in an error message,
 * never in the result (which carries only Card6No/Card4No), and the service drops its references to them when the
 * call ends. Logs carry the MerchantTradeNo and outcome only.
 *
 * @publicApi
 */
@Injectable()
export class EcpayBackAuthService {
  private readonly logger = new Logger('EcpayBackAuthService');
  private readonly timeoutMs: number;
  private readonly queryTimeoutMs: number;

  constructor(
    @Inject(ECPAY_JSON_TRANSPORT) private readonly transport: EcpayJsonTransport,
    @Inject(ECPAY_BACK_AUTH_OPTIONS) private readonly options: EcpayBackAuthOptions,
    @Optional() @InjectEcpayClock() private readonly clock: EcpayClock = systemClock,
  ) {
    this.timeoutMs = positiveTimeout(options.timeoutMs, BACK_AUTH_TIMEOUT_MS, 'timeoutMs');
    this.queryTimeoutMs = positiveTimeout(options.queryTimeoutMs, BACK_AUTH_QUERY_TIMEOUT_MS, 'queryTimeoutMs');
  }

  /**
   * Authorizes a card. Resolves with the outcome; rejects only with `EcpayValidationError` (nothing sent) or an error
   * of the transport that leaves the outcome known (e.g. TransCode ≠ 1: ECPay could not read the request).
   */
  async backAuth(
    input: EcpayBackAuthInput | EcpayBackAuthRequest,
    callOptions: EcpayBackAuthCallOptions = {},
  ): Promise<EcpayBackAuthResult> {
    const request = EcpayBackAuthRequest.from(input);
    const timeoutMs = positiveTimeout(callOptions.timeoutMs, this.timeoutMs, 'timeoutMs');
    const data = buildBackAuthData(request, this.options.merchantId, this.clock.now());
    const merchantTradeNo = data.OrderInfo.MerchantTradeNo;
    const cardDigits = data.CardInfo.CardNo;

    let answer: object;
    try {
      answer = await this.transport.post('backAuth', data, { timeoutMs });
    } catch (error) {
      if (isOutcomeUnknown(error)) {
        this.logger.warn(
          `BackAuth ${merchantTradeNo}: no answer (${describe(error)}); asking QueryTrade instead of resending`,
        );
        return await this.queryOutcome(merchantTradeNo);
      }
      const declined = rtnCodeOf(error);
      if (declined) return this.done({ status: 'failed', merchantTradeNo, ...declined });
      throw withheldIfCard(error, cardDigits);
    } finally {
      forgetCard(data);
    }

    try {
      return this.done(parseBackAuthResult(answer, { merchantTradeNo }));
    } catch (error) {
      if (!(error instanceof EcpayResponseVerificationError)) throw error;
      this.logger.warn(`BackAuth ${merchantTradeNo}: answer not usable (${describe(error)}); asking QueryTrade`);
      return await this.queryOutcome(merchantTradeNo);
    }
  }

  /**
   * What became of a card charge whose answer was lost (BackAuth, or a payment with a bound card): QueryTrade, never
   * the charge again. Never throws: `unknown` when the query cannot tell either.
   */
  async queryOutcome(merchantTradeNo: string): Promise<EcpayBackAuthResult> {
    let answer: object;
    try {
      answer = await this.transport.post(
        'queryTrade',
        { MerchantID: this.options.merchantId, MerchantTradeNo: merchantTradeNo },
        { timeoutMs: this.queryTimeoutMs },
      );
    } catch (error) {
      const rejected = rtnCodeOf(error);
      if (rejected) return this.done({ status: 'unknown', merchantTradeNo, reason: 'query-rejected', ...rejected });
      this.logger.warn(`QueryTrade ${merchantTradeNo} failed too (${describe(error)})`);
      return this.done({ status: 'unknown', merchantTradeNo, reason: 'query-failed' });
    }
    try {
      return this.done(parseBackAuthQueryResult(answer, merchantTradeNo));
    } catch (error) {
      this.logger.warn(`QueryTrade ${merchantTradeNo}: answer not usable (${describe(error)})`);
      return this.done({ status: 'unknown', merchantTradeNo, reason: 'query-failed' });
    }
  }

  private done<T extends EcpayBackAuthResult>(result: T): T {
    const detail =
      result.status === 'failed'
        ? ` (RtnCode ${String(result.rtnCode)})`
        : result.status === 'unknown'
          ? ` (${result.reason})`
          : '';
    this.logger.log(`BackAuth ${result.merchantTradeNo}: ${result.status}${detail}`);
    return result;
  }
}

function positiveTimeout(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`EcpayBackAuthService ${name} must be a positive number of milliseconds.`);
  return value;
}

/**
 * A transport that throws on RtnCode ≠ 1 (as EcpayClient does with EcpayApiError) still carries ECPay's answer: a
 * numeric `rtnCode` without a `transCode`. TransCode ≠ 1 is different — ECPay never read the request — and is
 * passed on as an error.
 */
function rtnCodeOf(error: unknown): { rtnCode: number; rtnMsg: string } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { rtnCode, rtnMsg, transCode } = error as { rtnCode?: unknown; rtnMsg?: unknown; transCode?: unknown };
  const code = int(rtnCode);
  return code !== null && code !== 1 && transCode === undefined ? { rtnCode: code, rtnMsg: text(rtnMsg) } : undefined;
}

/**
 * What a log line may say about a foreign error: its class name and code, never its message (it could echo the
 * request).
 */
function describe(error: unknown): string {
  const { name, code } = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    code?: unknown;
  };
  return (
    [safeName(name), typeof code === 'string' && /^[A-Za-z0-9_.-]{1,40}$/.test(code) ? code : undefined]
      .filter(Boolean)
      .join(' ') || 'error'
  );
}

const safeName = (name: unknown): string | undefined =>
  typeof name === 'string' && /^[A-Za-z0-9_]{1,60}$/.test(name) ? name : undefined;

/** Passes a transport error on, unless something in it mentions the card: then a clean error takes its place. */
function withheldIfCard(error: unknown, cardDigits: string): unknown {
  let printed: string;
  try {
    printed = [
      error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : '',
      inspect(error, { depth: 6 }),
      JSON.stringify(error) ?? '',
    ].join('\n');
  } catch {
    printed = '';
  }
  return mentionsCard(printed, cardDigits)
    ? new EcpayCardDataWithheldError('backAuth', safeName((error as { name?: unknown })?.name) ?? 'Error')
    : error;
}

/**
 * Drops the Data's references to the card once the request is out, so a transport or test that kept the object
 * (a retry queue, a recorded mock call) holds no card afterwards. JS strings cannot be wiped, only released.
 */
function forgetCard(data: EcpayBackAuthData): void {
  const card = data.CardInfo as Partial<EcpayBackAuthData['CardInfo']>;
  delete card.CardNo;
  delete card.CardValidMM;
  delete card.CardValidYY;
  delete card.CardCVV2;
}
