import { Injectable, Logger, Optional } from '@nestjs/common';
import type { Span } from '@opentelemetry/api';
import { InjectEcpayOptions } from '../config/ecpay-options.decorator.js';
import type { ResolvedEcpayOptions } from '../config/resolved-ecpay-options.interface.js';
import { EcpayRateLimitedError } from '../errors/ecpay-rate-limited.error.js';
import { EcpayResponseVerificationError } from '../errors/ecpay-response-verification.error.js';
import { EcpayTimeoutError } from '../errors/ecpay-timeout.error.js';
import { EcpayTransportError } from '../errors/ecpay-transport.error.js';
import { EcpayTelemetry } from '../observability/ecpay-telemetry.js';
import { ECPAY_ATTRIBUTES as A, type EcpayCallOutcome } from '../observability/ecpay-telemetry.names.js';
import type { EcpayCallContext } from './ecpay-call-context.js';
import { EcpayCircuitBreaker } from './ecpay-circuit-breaker.service.js';
import { ECPAY_DEFAULT_TIMEOUT_MS, type EcpayCallOptions } from './ecpay-client.interface.js';
import { ECPAY_PATHS, ecpayHosts, type EcpayApiName, type EcpayHosts } from './ecpay-endpoints.js';

const JSON_APIS: ReadonlySet<EcpayApiName> = new Set([
  'backAuth',
  'queryTrade',
  'creditDetailQueryTradeJson',
  'doActionJson',
  'creditCardPeriodActionJson',
  'queryPaymentInfoJson',
]);
const ECPG_APIS: ReadonlySet<EcpayApiName> = new Set([
  'getTokenByTrade',
  'createPayment',
  'getTokenByBindingCard',
  'createBindCard',
  'getTokenByUser',
  'createPaymentWithCardId',
  'getMemberBindCard',
  'deleteMemberBindCard',
]);

/** Which of ECPay's hosts serves an API: the same path lives on a different host per API family. */
const familyOf = (api: EcpayApiName): keyof EcpayHosts =>
  api === 'tradeNoAio' ? 'vendor' : JSON_APIS.has(api) ? 'ecpayment' : ECPG_APIS.has(api) ? 'ecpg' : 'payment';

/**
 * Connection failures that happen before a single byte of the request is written: the request cannot have reached
 * ECPay, so the caller may safely try again. Every other failure may have happened after ECPay read the request.
 */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/** Answers are small; a statement may be a month of trades. Anything larger is not ECPay talking. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

/**
 * Moves bytes to ECPay and back on Node's built-in fetch (see the transport rules in docs/protocol.md), and turns
 * every way that can fail into a typed error that says whether the request may have reached ECPay:
 *
 * - every exchange has a timeout (10 s unless `timeoutMs` says otherwise) and is never resent: a timeout is
 *   {@link EcpayTimeoutError}, outcome unknown — query the trade;
 * - an HTTP 403 opens the merchant's breaker (shared by every instance through the rate-limit store), and until it
 *   closes exchanges for that merchant fail with {@link EcpayRateLimitedError} without any network I/O;
 * - TLS is Node's default (certificates verified); nothing here can turn that off.
 *
 * It neither signs nor reads what it carries: the client builds the request, the response verifier checks the answer.
 */
@Injectable()
export class EcpayHttpTransport {
  // The log context stays the client's: these lines are the client's calls, and apps filter on that name.
  private readonly logger = new Logger('EcpayClient');

  constructor(
    private readonly breaker: EcpayCircuitBreaker,
    @InjectEcpayOptions() private readonly options: ResolvedEcpayOptions,
    @Optional() private readonly telemetry: EcpayTelemetry = new EcpayTelemetry(),
  ) {}

  /**
   * One HTTP exchange: the breaker first (no I/O while it is open), then exactly one POST with a timeout over the
   * whole exchange, body included. Never retried here: whether a failed call may be repeated depends on whether it
   * reached ECPay, which the error says. Returns the answer's bytes, not yet verified.
   *
   * Logs carry the API, MerchantID, MerchantTradeNo, HTTP status and duration — never keys, bodies or card data.
   */
  async post(ctx: EcpayCallContext, body: string, contentType: string, options: EcpayCallOptions): Promise<Buffer> {
    const { api, merchant } = ctx;
    const timeoutMs = options.timeoutMs ?? ECPAY_DEFAULT_TIMEOUT_MS;
    if (!(Number.isSafeInteger(timeoutMs) && timeoutMs >= 1))
      throw new RangeError(
        `timeoutMs must be a whole number of milliseconds of at least 1 (got ${String(timeoutMs)}).`,
      );
    const url = new URL(
      ecpayHosts(this.options.environment, this.options.sandboxUrl)[familyOf(api)] + ECPAY_PATHS[api],
    );
    // Identifiers only on the span: never the body (it carries CheckMacValue, card data, the encrypted Data).
    const attributes = {
      [A.httpMethod]: 'POST',
      [A.serverAddress]: url.hostname,
      [A.serverPort]: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      [A.merchantId]: merchant.merchantId,
      ...(ctx.merchantTradeNo ? { [A.merchantTradeNo]: ctx.merchantTradeNo } : {}),
    };
    let sent = false;
    return this.telemetry.clientCall(
      api,
      attributes,
      async (span) => {
        await this.breaker.assertClosed(merchant.merchantId, api);
        sent = true;
        return this.exchange(ctx, url.href, body, contentType, options, timeoutMs, span);
      },
      (error) => outcomeOf(error, sent),
    );
  }

  private async exchange(
    ctx: EcpayCallContext,
    url: string,
    body: string,
    contentType: string,
    options: EcpayCallOptions,
    timeoutMs: number,
    span: Span,
  ): Promise<Buffer> {
    const { api, merchant } = ctx;

    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    const started = performance.now();
    const line = (status: string) =>
      `${api} merchant=${merchant.merchantId} MerchantTradeNo=${ctx.merchantTradeNo ?? '-'} status=${status} ${Math.round(performance.now() - started)}ms`;
    let response: Response;
    let bytes: Buffer;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': contentType, accept: '*/*' },
        body,
        signal,
        redirect: 'manual',
      });
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
    span.setAttribute(A.httpStatus, status);
    if (status === 403) {
      const until = await this.breaker.trip(merchant.merchantId, api);
      this.logger.warn(
        `${line('403')}: rate-limited, calls for merchant ${merchant.merchantId} paused until ${until.toISOString()}`,
      );
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

  /** When the merchant's 403 breaker closes, if it is open now (shared by every instance). */
  rateLimitedUntil(merchantId: string): Promise<Date | undefined> {
    return this.breaker.openUntil(merchantId);
  }

  /** Closes the merchant's 403 breaker at once, for every instance. */
  resetRateLimit(merchantId: string): Promise<void> {
    return this.breaker.reset(merchantId);
  }
}

/** The bounded outcome of a failed call, and its error type, for its metrics and span. */
function outcomeOf(error: unknown, sent: boolean): { outcome: EcpayCallOutcome; errorType: string } {
  if (error instanceof EcpayRateLimitedError)
    return { outcome: sent ? 'rate_limited' : 'breaker_open', errorType: error.name };
  if (error instanceof EcpayTimeoutError) return { outcome: 'timeout', errorType: error.name };
  if (error instanceof EcpayTransportError) {
    if (error.reason === 'aborted') return { outcome: 'aborted', errorType: error.reason };
    if (error.status !== undefined) return { outcome: 'http_error', errorType: String(error.status) };
    return { outcome: 'transport_error', errorType: error.reason };
  }
  return { outcome: 'error', errorType: error instanceof Error ? error.name : typeof error };
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
