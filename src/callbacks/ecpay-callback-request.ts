import type { IncomingHttpHeaders } from 'node:http';
import type { EcpayEnvelopeResult, EcpayResponseData } from '../crypto/ecpay-envelope.interface.js';

/**
 * The parts of an incoming HTTP request the callback guards read. Written out here instead of importing
 * Express's `Request`, so the library's types do not depend on `@types/express`; an Express request fits it.
 */
export interface EcpayCallbackRequest {
  readonly headers: IncomingHttpHeaders;
  /** What Nest's body parsers made of the body (`extended` urlencoded: possibly nested objects and arrays). */
  readonly body?: unknown;
  /** The body bytes, when the app was created with `{ rawBody: true }`. */
  readonly rawBody?: Buffer;
  readonly method?: string;
  readonly url?: string;
  readonly originalUrl?: string;
  readonly ip?: string;
  readonly socket?: { readonly remoteAddress?: string };
}

/**
 * A form notification whose CheckMacValue was verified (ReturnURL, PeriodReturnURL, PaymentInfoURL, …).
 *
 * @publicApi
 */
export interface VerifiedEcpayForm {
  /**
   * Every posted field exactly as sent (form-decoded; CheckMacValue, empty values and unknown extras included).
   * Frozen: this is the payload the MAC covered.
   */
  readonly fields: Readonly<Record<string, string>>;
  /** The MerchantID the notification is for (the default merchant's when ECPay named none). */
  readonly merchantId: string;
  /** The PlatformID ECPay posted, if any; the platform's keys verified the MAC then. */
  readonly platformId?: string;
}

/** An opened envelope that a notification may carry: TransCode 1, RtnCode either way. @publicApi */
export type EcpayOpenedEnvelope<T extends EcpayResponseData = EcpayResponseData> = Exclude<
  EcpayEnvelopeResult<T>,
  { status: 'transport-failure' }
>;

/**
 * A JSON/AES notification whose envelope was opened with the configured keys (ecpayment ReturnURL, the binding
 * OrderResultURL's `ResultData`, …). `result.status` tells a business failure (RtnCode ≠ 1) from success; both
 * are genuine notifications.
 *
 * @publicApi
 */
export interface VerifiedEcpayEnvelope<T extends EcpayResponseData = EcpayResponseData> {
  readonly result: EcpayOpenedEnvelope<T>;
  /** The decrypted `Data`. */
  readonly data: T;
  /** The envelope's outer MerchantID (the platform's, for a platform member). */
  readonly merchantId: string;
  /** `json`: an `application/json` body; `form`: a form post whose `ResultData` field held the envelope. */
  readonly source: 'json' | 'form';
}

// Symbols cannot be set from the wire, so nothing a client sends can pose as a verified payload.
const VERIFIED_FORM = Symbol('ECPAY:VERIFIED_FORM');
const VERIFIED_ENVELOPE = Symbol('ECPAY:VERIFIED_ENVELOPE');

type Carrier = { [VERIFIED_FORM]?: VerifiedEcpayForm; [VERIFIED_ENVELOPE]?: VerifiedEcpayEnvelope };

/** Stores what EcpayCheckMacGuard verified on the request. Internal. */
export function setVerifiedEcpayForm(request: object, form: VerifiedEcpayForm): void {
  (request as Carrier)[VERIFIED_FORM] = form;
}

/** Stores what EcpayEnvelopeGuard opened on the request. Internal. */
export function setVerifiedEcpayEnvelope(request: object, envelope: VerifiedEcpayEnvelope): void {
  (request as Carrier)[VERIFIED_ENVELOPE] = envelope;
}

/**
 * The form that {@link EcpayCheckMacGuard} verified for this request, or `undefined` when the guard did not run
 * (or refused it — then the handler is not reached at all).
 *
 * @publicApi
 */
export function getVerifiedEcpayForm(request: object): VerifiedEcpayForm | undefined {
  return (request as Carrier)[VERIFIED_FORM];
}

/**
 * The envelope that {@link EcpayEnvelopeGuard} opened for this request, or `undefined` when the guard did not run.
 *
 * @publicApi
 */
export function getVerifiedEcpayEnvelope<T extends EcpayResponseData = EcpayResponseData>(
  request: object,
): VerifiedEcpayEnvelope<T> | undefined {
  return (request as Carrier)[VERIFIED_ENVELOPE] as VerifiedEcpayEnvelope<T> | undefined;
}

/**
 * Sanitises a value for a log line: only `[A-Za-z0-9_.:/+-]`, at most `max` characters. Untrusted input never reaches
 * the log as is.
 */
export function logSafe(value: unknown, max = 40): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const clean = value.slice(0, max).replace(/[^\w.:/+-]/g, '?');
  return value.length > max ? `${clean}…` : clean;
}

/** `POST /ecpay/return from 203.0.113.9`, for log lines; the query string is left out, everything sanitised. */
export function describeRequest(request: EcpayCallbackRequest): string {
  const url = request.originalUrl ?? request.url ?? '';
  const path = url
    .split('?')[0]!
    .slice(0, 120)
    .replace(/[^\w./:-]/g, '?');
  const ip = (request.ip ?? request.socket?.remoteAddress ?? 'unknown').slice(0, 45).replace(/[^\w.:%-]/g, '?');
  return `${logSafe(request.method, 10) ?? 'POST'} ${path || '/'} from ${ip}`;
}
