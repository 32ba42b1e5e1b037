import { Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { EcpayMerchantRegistry } from '../config/ecpay-merchant.registry.js';
import type { CheckMacVerifyAlgorithm } from '../signing/check-mac-value.js';
import { EcpaySigningService } from '../signing/ecpay-signing.service.js';
import { EcpayCallbackException, type EcpayCallbackFailure } from './ecpay-callback.exception.js';
import {
  describeRequest,
  logSafe,
  setVerifiedEcpayForm,
  type EcpayCallbackRequest,
  type VerifiedEcpayForm,
} from './ecpay-callback-request.js';
import { DEFAULT_CALLBACK_BODY_LIMIT, readFormFields } from './ecpay-form-body.js';
import { markArrival } from '../observability/request-arrival.js';

/**
 * Lets a form notification (ReturnURL, PeriodReturnURL, PaymentInfoURL, …) through only when its CheckMacValue
 * is valid over **exactly the fields posted**: all of them, empty values kept, unknown extras included
 * (NeedExtraPaidInfo adds lower-case ones) — never a whitelist, never a re-serialised body (docs/protocol.md §1.2).
 *
 * - With `NestFactory.create(AppModule, { rawBody: true })` (recommended) the guard parses `request.rawBody`
 *   itself with form semantics; a repeated field name is refused as ambiguous.
 * - Without it, the body Nest parsed is accepted only when it is a flat record of strings (Nest's `extended`
 *   parser turns `a[b]=c` into objects and repeated names into arrays: refused as malformed).
 * - The Content-Type must be `application/x-www-form-urlencoded` (UTF-8); bodies over 64 KiB are refused.
 *
 * The MAC is checked in constant time with the keys of the posted PlatformID/MerchantID; an unconfigured merchant
 * simply fails. Payment notifications are SHA256 (EncryptType=1), so a 32-character (MD5) value is refused rather
 * than verified as MD5; a subclass for MD5 notifications (logistics) sets `algorithm` to `'md5'` or `'auto'`. On
 * success the handler gets the fields through {@link EcpayVerifiedForm} (or `getVerifiedEcpayForm(request)`); on
 * failure the guard logs a warning (route, client IP, MerchantID and MerchantTradeNo when present, the reason — never
 * the CheckMacValue, the keys or the body) and throws {@link EcpayCallbackException}, which
 * {@link EcpayCallbackExceptionFilter} answers with `0|<reason>`.
 *
 * @example
 * @Post('return')
 * @HttpCode(200)
 * @Header('Content-Type', 'text/plain')
 * @UseGuards(EcpayCheckMacGuard)
 * @UseFilters(EcpayCallbackExceptionFilter)
 * onReturn(@EcpayVerifiedNotification('aio-return') notification: AioReturnNotification) { … return '1|OK'; }
 *
 * @publicApi
 */
@Injectable()
export class EcpayCheckMacGuard implements CanActivate {
  protected readonly logger = new Logger('EcpayCallbacks');
  /** The largest body accepted, in bytes. */
  protected readonly maxBodyBytes: number = DEFAULT_CALLBACK_BODY_LIMIT;
  /** The hash the CheckMacValue must use: SHA256, as every AIO payment notification does. */
  protected readonly algorithm: CheckMacVerifyAlgorithm = 'sha256';

  constructor(
    protected readonly signing: EcpaySigningService,
    protected readonly merchants: EcpayMerchantRegistry,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<EcpayCallbackRequest>();
    markArrival(request);
    const fields = this.readFields(request);
    if (!this.verifyFields(fields)) this.reject(request, 'CheckMacValue invalid', this.explainFailure(fields), fields);
    setVerifiedEcpayForm(request, this.toVerifiedForm(Object.freeze(fields)));
    return true;
  }

  /** Every posted field, exactly as posted. Throws (after logging) when the body cannot be read unambiguously. */
  protected readFields(request: EcpayCallbackRequest): Record<string, string> {
    try {
      return readFormFields(request, this.maxBodyBytes);
    } catch (error) {
      if (error instanceof EcpayCallbackException) this.reject(request, error.reason, error.detail);
      throw error;
    }
  }

  /** Whether the CheckMacValue is valid over `fields` (timing-safe, never throws). Override to pin a merchant. */
  protected verifyFields(fields: Readonly<Record<string, string>>): boolean {
    return this.signing.verify(fields, { algorithm: this.algorithm });
  }

  /** What the handler receives about a verified form. */
  protected toVerifiedForm(fields: Readonly<Record<string, string>>): VerifiedEcpayForm {
    const platformId = nonEmpty(fields.PlatformID);
    const merchantId = nonEmpty(fields.MerchantID) ?? this.merchants.forIncoming(fields)?.merchantId ?? '';
    return platformId === undefined ? { fields, merchantId } : { fields, merchantId, platformId };
  }

  /** For the log only: which part of the check failed. */
  protected explainFailure(fields: Readonly<Record<string, string>>): string {
    const mac = fields.CheckMacValue;
    if (mac === undefined || mac === '') return 'no CheckMacValue';
    const expected = this.algorithm === 'sha256' ? [64] : this.algorithm === 'md5' ? [32] : [64, 32];
    if (!expected.includes(mac.length)) return `CheckMacValue has ${mac.length} characters`;
    if (!this.merchants.forIncoming(fields)) {
      return fields.PlatformID ? 'PlatformID is not a configured merchant' : 'MerchantID is not a configured merchant';
    }
    return 'CheckMacValue does not match the fields';
  }

  /** Logs the refusal at warn and throws the exception that becomes `0|<reason>`. */
  protected reject(
    request: EcpayCallbackRequest,
    reason: EcpayCallbackFailure,
    detail?: string,
    fields?: Readonly<Record<string, string>>,
  ): never {
    const ids = [
      ['PlatformID', logSafe(fields?.PlatformID)],
      ['MerchantID', logSafe(fields?.MerchantID)],
      ['MerchantTradeNo', logSafe(fields?.MerchantTradeNo)],
    ]
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => `${name} ${value}`);
    this.logger.warn(
      `Refused ECPay notification ${describeRequest(request)}: ${reason}${detail ? ` (${detail})` : ''}${ids.length ? `; ${ids.join(', ')}` : ''}`,
    );
    throw new EcpayCallbackException(reason, detail);
  }
}

const nonEmpty = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;
