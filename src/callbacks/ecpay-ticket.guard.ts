import { createHash } from 'node:crypto';
import { Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { EcpayMerchantRegistry } from '../config/ecpay-merchant.registry.js';
import { decryptEcpayPayload } from '../crypto/ecpay-aes.js';
import { EcpaySigningService } from '../signing/ecpay-signing.service.js';
import { EcpayCallbackException, type EcpayCallbackFailure } from './ecpay-callback.exception.js';
import { describeRequest, logSafe, type EcpayCallbackRequest } from './ecpay-callback-request.js';
import { APPLICATION_JSON, parseContentType } from './ecpay-form-body.js';

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

/**
 * Verifies ECPay's ticketing notifications (seed 000 item 1, PROTOCOL.md §2.4): a JSON body `{ PlatformID?,
 * MerchantID, RqHeader, TransCode, TransMsg, Data, CheckMacValue }`. In ECPay's order: TransCode must be 1; `Data`
 * must decrypt with the keys of a merchant we have (a platform's only for its own members); the CheckMacValue must
 * equal §1.5's formula over the decrypted JSON text, compared in constant time. Only then is anything trusted; a
 * failure answers `400 0|<reason>`, stores nothing and is logged without the payload or the keys.
 */
@Injectable()
export class EcpayTicketGuard implements CanActivate {
  private readonly logger = new Logger('EcpayCallbacks');

  constructor(
    private readonly merchants: EcpayMerchantRegistry,
    private readonly signing: EcpaySigningService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<EcpayCallbackRequest>();
    if (parseContentType(request.headers['content-type'])?.mediaType !== APPLICATION_JSON) {
      this.reject(request, 'Unsupported Content-Type', `expected ${APPLICATION_JSON}`);
    }
    const body = request.body as Record<string, unknown> | undefined;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) this.reject(request, 'Envelope invalid', 'the JSON body is not an object');
    if (Number(body.TransCode) !== 1) this.reject(request, 'Envelope invalid', `TransCode ${logSafe(body.TransCode) ?? 'missing'}`, body);
    if (typeof body.Data !== 'string' || typeof body.CheckMacValue !== 'string') this.reject(request, 'Envelope invalid', 'Data or CheckMacValue missing', body);
    const merchant = this.merchants.forIncoming({ MerchantID: body.MerchantID, PlatformID: body.PlatformID });
    if (!merchant) this.reject(request, 'Envelope invalid', 'unknown MerchantID/PlatformID', body);

    let plaintext: string;
    let data: unknown;
    try {
      plaintext = decryptEcpayPayload(body.Data, merchant);
      data = JSON.parse(plaintext);
    } catch (error) {
      this.reject(request, 'Envelope invalid', error instanceof Error ? error.name : 'undecryptable', body);
    }
    if (!this.signing.verifyJson(plaintext, body.CheckMacValue, { merchant: merchant.name })) {
      this.reject(request, 'CheckMacValue invalid', 'the §1.5 CheckMacValue does not match the decrypted Data', body);
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) this.reject(request, 'Envelope invalid', 'Data is not a JSON object', body);
    // The keys vouch for their own merchant and its platform's members only, as on every other notification route.
    const inner = (data as Record<string, unknown>).MerchantID;
    if (inner !== undefined && inner !== '' && (!this.merchants.vouchedBy(merchant, inner) || (body.MerchantID !== undefined && inner !== body.MerchantID))) {
      this.reject(request, 'Envelope invalid', 'Data.MerchantID is not the merchant these keys speak for', body);
    }
    const verified: VerifiedEcpayTicketNotification = { merchantId: String(body.MerchantID ?? merchant.merchantId), merchantName: merchant.name, plaintext, data: data as Record<string, unknown> };
    (request as { [VERIFIED]?: VerifiedEcpayTicketNotification })[VERIFIED] = verified;
    return true;
  }

  private reject(request: EcpayCallbackRequest, reason: EcpayCallbackFailure, detail: string, body?: Record<string, unknown>): never {
    const merchantId = logSafe(body?.MerchantID);
    this.logger.warn(`Refused ECPay ticket notification ${describeRequest(request)}: ${reason} (${detail})${merchantId ? `; MerchantID ${merchantId}` : ''}`);
    throw new EcpayCallbackException(reason, detail);
  }
}

/** A digest of the decrypted Data: ECPay's retries repeat it exactly, so it tells a retry from another refund. */
export const ticketDataDigest = (plaintext: string): string => createHash('sha256').update(plaintext).digest('hex').slice(0, 32);
