import { Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { EcpayCryptoService } from '../crypto/ecpay-crypto.service.js';
import type { EcpayEnvelopeResult } from '../crypto/ecpay-envelope.interface.js';
import { EcpayDecryptionError } from '../errors/ecpay-decryption.error.js';
import { EcpayCallbackException, type EcpayCallbackFailure } from './ecpay-callback.exception.js';
import {
  describeRequest,
  logSafe,
  setVerifiedEcpayEnvelope,
  type EcpayCallbackRequest,
  type EcpayOpenedEnvelope,
  type VerifiedEcpayEnvelope,
} from './ecpay-callback-request.js';
import {
  APPLICATION_JSON,
  DEFAULT_CALLBACK_BODY_LIMIT,
  isFormRequest,
  parseContentType,
  readFormFields,
} from './ecpay-form-body.js';
import { markArrival } from '../observability/request-arrival.js';

/**
 * Lets a JSON/AES notification (docs/protocol.md §3.3) through only when its envelope opens with the configured keys:
 *
 * - an `application/json` body `{ MerchantID, RpHeader, TransCode, TransMsg, Data }` (ecpayment ReturnURL), or
 * - a form post whose `ResultData` field holds that envelope as JSON text (the ecpg OrderResultURL, posted by the
 *   customer's browser).
 *
 * The envelope's MerchantID must be a configured merchant and `Data` must decrypt with its HashKey/HashIV into a
 * JSON object — AES with the shared keys is this API family's only integrity check. An envelope with
 * TransCode ≠ 1 carries no Data and is refused too. RtnCode ≠ 1 (a declined payment, a failed binding) is a
 * genuine notification and passes: check `result.status`. The handler gets the result through
 * {@link EcpayVerifiedEnvelope} (or `getVerifiedEcpayEnvelope(request)`); any failure is logged at warn (with its
 * specific reason) and answered `0|Envelope invalid` by {@link EcpayCallbackExceptionFilter} — one reply for every
 * failure, and the decryption does the same work whether or not the padding holds, so altered ciphertext learns
 * nothing from the answer or its timing (no padding oracle).
 *
 * @publicApi
 */
@Injectable()
export class EcpayEnvelopeGuard implements CanActivate {
  protected readonly logger = new Logger('EcpayCallbacks');
  /** The largest form body accepted, in bytes (JSON bodies are bounded by Nest's JSON parser). */
  protected readonly maxBodyBytes: number = DEFAULT_CALLBACK_BODY_LIMIT;

  constructor(protected readonly crypto: EcpayCryptoService) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<EcpayCallbackRequest>();
    markArrival(request);
    const { envelope, source } = this.readEnvelope(request);
    const result = this.open(request, envelope);
    const verified: VerifiedEcpayEnvelope = { result, data: result.data, merchantId: result.merchantId, source };
    setVerifiedEcpayEnvelope(request, verified);
    return true;
  }

  /** The envelope as posted: the parsed JSON body, or the `ResultData` text of a form post. */
  protected readEnvelope(request: EcpayCallbackRequest): { envelope: unknown; source: 'json' | 'form' } {
    const type = parseContentType(request.headers['content-type']);
    if (type?.mediaType === APPLICATION_JSON) {
      const body = request.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        this.reject(request, 'Envelope invalid', 'the JSON body is not an object');
      }
      return { envelope: body, source: 'json' };
    }
    if (isFormRequest(request)) {
      let fields: Record<string, string>;
      try {
        fields = readFormFields(request, this.maxBodyBytes);
      } catch (error) {
        if (error instanceof EcpayCallbackException) this.reject(request, error.reason, error.detail);
        throw error;
      }
      const resultData = fields.ResultData;
      if (resultData === undefined || resultData === '')
        this.reject(request, 'Envelope invalid', 'no ResultData field');
      return { envelope: resultData, source: 'form' };
    }
    const got = (type && logSafe(type.mediaType, 60)) ?? 'none';
    this.reject(
      request,
      'Unsupported Content-Type',
      `expected ${APPLICATION_JSON} or a form with ResultData, got ${got}`,
    );
  }

  /** Opens the envelope; refuses anything but TransCode 1 with decryptable Data. */
  protected open(request: EcpayCallbackRequest, envelope: unknown): EcpayOpenedEnvelope {
    let result: EcpayEnvelopeResult;
    try {
      result = this.crypto.openResponse(envelope);
    } catch (error) {
      const detail =
        error instanceof EcpayDecryptionError
          ? error.reason
          : `unexpected ${error instanceof Error ? error.name : typeof error}`;
      this.reject(request, 'Envelope invalid', detail, envelope);
    }
    if (result.status === 'transport-failure') {
      this.reject(request, 'Envelope invalid', `TransCode ${result.transCode}`, envelope);
    }
    return result;
  }

  /** Logs the refusal at warn (never the Data, the keys or the body) and throws the `0|<reason>` exception. */
  protected reject(
    request: EcpayCallbackRequest,
    reason: EcpayCallbackFailure,
    detail?: string,
    envelope?: unknown,
  ): never {
    const merchantId = logSafe(envelopeMerchantId(envelope));
    this.logger.warn(
      `Refused ECPay notification ${describeRequest(request)}: ${reason}${detail ? ` (${detail})` : ''}${merchantId ? `; MerchantID ${merchantId}` : ''}`,
    );
    throw new EcpayCallbackException(reason, detail);
  }
}

/** The outer MerchantID of an envelope object or JSON text, for the log; never throws. */
function envelopeMerchantId(envelope: unknown): unknown {
  if (typeof envelope === 'string') {
    return /"MerchantID"\s*:\s*"([^"\\]{1,20})"/.exec(envelope)?.[1];
  }
  return typeof envelope === 'object' && envelope !== null
    ? (envelope as { MerchantID?: unknown }).MerchantID
    : undefined;
}
