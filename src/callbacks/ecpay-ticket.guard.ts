import { createHash, randomBytes } from 'node:crypto';
import { Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { EcpayMerchantRegistry } from '../config/ecpay-merchant.registry.js';
import { decryptEcpayPayload } from '../crypto/ecpay-aes.js';
import { EcpayDecryptionError } from '../errors/ecpay-decryption.error.js';
import { verifyJsonCheckMacValue, type EcpayKeys } from '../signing/check-mac-value.js';
import { EcpayCallbackException, type EcpayCallbackFailure } from './ecpay-callback.exception.js';
import { describeRequest, logSafe, type EcpayCallbackRequest } from './ecpay-callback-request.js';
import { APPLICATION_JSON, parseContentType } from './ecpay-form-body.js';
import { markArrival } from '../observability/request-arrival.js';

/** A ticketing notification (ECTicket RefundNotifyURL) that passed {@link EcpayTicketGuard}. @publicApi */
export interface VerifiedEcpayTicketNotification {
  /** The MerchantID the notification names (a platform's member, or the merchant itself). */
  readonly merchantId: string;
  /** The configured merchant whose keys verified it (the platform's for a member). */
  readonly merchantName: string;
  /** The decrypted Data as sent: the text the CheckMacValue covers. */
  readonly plaintext: string;
  readonly data: Readonly<Record<string, unknown>>;
}

const VERIFIED = Symbol('ecpay.verifiedTicket');

export function getVerifiedEcpayTicket(request: object): VerifiedEcpayTicketNotification | undefined {
  return (request as { [VERIFIED]?: VerifiedEcpayTicketNotification })[VERIFIED];
}

/** The one reply to every ticket notification that fails verification, whichever check it failed. */
const REFUSED: EcpayCallbackFailure = 'Envelope invalid';

/**
 * Verifies ECPay's ticketing notifications (ECTicket RefundNotifyURL; docs/protocol.md §6.8, §1.6): a JSON body
 * `{ PlatformID?, MerchantID, RqHeader, TransCode, TransMsg, Data, CheckMacValue }`. TransCode must be 1; `Data` must
 * decrypt with the keys of a merchant we have (a platform's only for its own members); the CheckMacValue must equal
 * the JSON-plaintext formula (SHA256 over `HashKey + plaintext + HashIV`, URL-encoded, lower-cased) over the
 * decrypted text, compared in constant time. Only then is the text parsed and trusted.
 *
 * The MAC covers the plaintext, so decryption has to come first; what the protocol cannot order, the guard makes
 * uniform. Every post goes through every step — decryption (with throwaway keys for an unknown merchant, or over
 * nothing when Data is missing) and the MAC — and every failure gets the same `400 0|Envelope invalid`. Neither the
 * reply nor the work done tells whether altered ciphertext decrypted, so the route is no padding or format oracle.
 * The specific reason goes to the log (warn), never the payload or the keys; nothing is stored.
 */
@Injectable()
export class EcpayTicketGuard implements CanActivate {
  private readonly logger = new Logger('EcpayCallbacks');
  /** Keys no merchant has: a post naming an unknown merchant is decrypted and checked with these, and refused. */
  private readonly throwawayKeys: EcpayKeys = {
    hashKey: randomBytes(8).toString('hex'),
    hashIv: randomBytes(8).toString('hex'),
  };

  constructor(private readonly merchants: EcpayMerchantRegistry) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<EcpayCallbackRequest>();
    markArrival(request);
    // Framing, checked before anything is read: it says nothing about keys or ciphertext.
    if (parseContentType(request.headers['content-type'])?.mediaType !== APPLICATION_JSON) {
      this.reject(request, 'Unsupported Content-Type', `expected ${APPLICATION_JSON}`);
    }
    const posted = request.body;
    const body = (isObject(posted) ? posted : {}) as Record<string, unknown>;
    const failed: string[] = [];
    if (!isObject(posted)) failed.push('the JSON body is not an object');
    if (Number(body.TransCode) !== 1) failed.push(`TransCode ${logSafe(body.TransCode) ?? 'missing'}`);
    if (typeof body.Data !== 'string' || typeof body.CheckMacValue !== 'string')
      failed.push('Data or CheckMacValue missing');
    const merchant = this.merchants.forIncoming({ MerchantID: body.MerchantID, PlatformID: body.PlatformID });
    if (!merchant) failed.push('unknown MerchantID/PlatformID');

    const keys = merchant ?? this.throwawayKeys;
    let plaintext: string | undefined;
    try {
      plaintext = decryptEcpayPayload(typeof body.Data === 'string' ? body.Data : '', keys);
    } catch (error) {
      failed.push(`Data ${error instanceof EcpayDecryptionError ? error.reason : 'undecryptable'}`);
    }
    // Without a plaintext the MAC is computed over the posted Data instead, text of about the same length: a failed
    // decryption costs what a failed MAC costs.
    const signed = plaintext ?? (typeof body.Data === 'string' ? body.Data : '');
    if (!verifyJsonCheckMacValue(signed, body.CheckMacValue, keys))
      failed.push('the CheckMacValue does not match the decrypted Data');
    if (failed.length > 0 || !merchant || plaintext === undefined)
      this.reject(request, REFUSED, failed.join('; '), body);

    // The text is ECPay's (the MAC matched): only now is it parsed.
    let data: unknown;
    try {
      data = JSON.parse(plaintext);
    } catch {
      data = undefined;
    }
    if (!isObject(data)) this.reject(request, REFUSED, 'the verified Data is not a JSON object', body);
    // The keys vouch for their own merchant and its platform's members only, as on every other notification route.
    const inner = data.MerchantID;
    if (
      inner !== undefined &&
      inner !== '' &&
      (!this.merchants.vouchedBy(merchant, inner) || (body.MerchantID !== undefined && inner !== body.MerchantID))
    ) {
      this.reject(request, REFUSED, 'Data.MerchantID is not the merchant these keys speak for', body);
    }
    const verified: VerifiedEcpayTicketNotification = {
      merchantId: String(body.MerchantID ?? merchant.merchantId),
      merchantName: merchant.name,
      plaintext,
      data,
    };
    (request as { [VERIFIED]?: VerifiedEcpayTicketNotification })[VERIFIED] = verified;
    return true;
  }

  private reject(
    request: EcpayCallbackRequest,
    reason: EcpayCallbackFailure,
    detail: string,
    body?: Record<string, unknown>,
  ): never {
    const merchantId = logSafe(body?.MerchantID);
    this.logger.warn(
      `Refused ECPay ticket notification ${describeRequest(request)}: ${reason} (${detail})${merchantId ? `; MerchantID ${merchantId}` : ''}`,
    );
    throw new EcpayCallbackException(reason, detail);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A digest of the decrypted Data: ECPay's retries repeat it exactly, so it tells a retry from another refund. */
export const ticketDataDigest = (plaintext: string): string =>
  createHash('sha256').update(plaintext).digest('hex').slice(0, 32);
