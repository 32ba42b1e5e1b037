import { Injectable } from '@nestjs/common';
import { EcpayMerchantRegistry } from '../config/ecpay-merchant.registry.js';
import type { EcpayMerchant } from '../config/ecpay-merchant.js';
import { EcpayDecryptionError } from '../errors/ecpay-decryption.error.js';
import { InjectEcpayClock, type EcpayClock } from '../time/ecpay-clock.js';
import { toUnixSeconds } from '../time/ecpay-time.js';
import { decryptEcpayData, encryptEcpayData, parseJson } from './ecpay-aes.js';
import type {
  EcpayEnvelopeResult,
  EcpayRequestEnvelope,
  EcpayResponseData,
  EcpayResponseEnvelope,
} from './ecpay-envelope.interface.js';

/** Which configured merchant's keys to use (name or MerchantID); default: as the data or envelope says. @publicApi */
export interface EcpayCryptoOptions {
  merchant?: string;
}

/**
 * The AES envelope of ECPay's JSON APIs (docs/protocol.md §3) with the module's merchants and clock.
 *
 * @publicApi
 */
@Injectable()
export class EcpayCryptoService {
  constructor(
    private readonly merchants: EcpayMerchantRegistry,
    @InjectEcpayClock() private readonly clock: EcpayClock,
  ) {}

  /** Encrypts a value into `Data`, byte-identical to ECPay's official PHP SDK. */
  encrypt(value: unknown, options: EcpayCryptoOptions = {}): string {
    return encryptEcpayData(value, this.merchants.get(options.merchant));
  }

  /** Decrypts `Data` into the value. Throws {@link EcpayDecryptionError} on any failure, without the plaintext. */
  decrypt<T = unknown>(data: string, options: EcpayCryptoOptions = {}): T {
    return decryptEcpayData<T>(data, this.merchants.get(options.merchant));
  }

  /**
   * The request envelope for `data`: the outer MerchantID (the platform's when `data.PlatformID` is set), a fresh
   * timestamp from the module clock (ECPay allows 10 minutes of skew) and the encrypted data.
   */
  buildRequest(data: Readonly<Record<string, unknown>>, options: EcpayCryptoOptions = {}): EcpayRequestEnvelope {
    const merchant = this.merchants.forOutgoing(data, options.merchant);
    return {
      MerchantID: merchant.envelopeMerchantId,
      RqHeader: { Timestamp: toUnixSeconds(this.clock.now()) },
      Data: encryptEcpayData(data, merchant),
    };
  }

  /**
   * Opens a response or notification envelope (a parsed object or its JSON text) into a typed result that tells
   * transport failure (TransCode ≠ 1) from business failure (RtnCode ≠ 1). The keys are those of the envelope's
   * MerchantID, which must be configured (and equal `options.merchant` when given). Throws
   * {@link EcpayDecryptionError} for a malformed envelope or undecryptable Data.
   */
  openResponse<T extends EcpayResponseData = EcpayResponseData>(
    envelope: unknown,
    options: EcpayCryptoOptions = {},
  ): EcpayEnvelopeResult<T> {
    const body = typeof envelope === 'string' ? parseEnvelopeText(envelope) : envelope;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new EcpayDecryptionError('malformed-envelope', 'not a JSON object');
    }
    const { MerchantID, TransCode, TransMsg, Data } = body as Partial<EcpayResponseEnvelope>;
    // Strictly a number or its decimal text: Number() alone would read true, [1] or '1e0' as 1.
    const transCode =
      typeof TransCode === 'number' || (typeof TransCode === 'string' && /^-?\d+$/.test(TransCode))
        ? Number(TransCode)
        : Number.NaN;
    if (!Number.isInteger(transCode)) {
      throw new EcpayDecryptionError('malformed-envelope', 'TransCode missing or not a number');
    }
    const merchant = this.envelopeMerchant(MerchantID, options.merchant);
    const merchantId = merchant.envelopeMerchantId;
    const transMsg = typeof TransMsg === 'string' ? TransMsg : '';
    if (transCode !== 1) return { status: 'transport-failure', merchantId, transCode, transMsg };
    if (typeof Data !== 'string' || Data === '') {
      throw new EcpayDecryptionError('malformed-envelope', 'TransCode is 1 but Data is missing');
    }
    const data = decryptEcpayData<T>(Data, merchant);
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new EcpayDecryptionError('malformed-envelope', 'Data is not a JSON object');
    }
    this.checkInnerMerchant(merchant, data);
    const rtnCode = data.RtnCode === undefined || data.RtnCode === '' ? undefined : Number(data.RtnCode);
    const rtnMsg = typeof data.RtnMsg === 'string' ? data.RtnMsg : '';
    return rtnCode === 1
      ? { status: 'success', merchantId, transCode: 1, transMsg, rtnCode: 1, rtnMsg, data }
      : {
          status: 'business-failure',
          merchantId,
          transCode: 1,
          transMsg,
          rtnCode: Number.isNaN(rtnCode) ? undefined : rtnCode,
          rtnMsg,
          data,
        };
  }

  /**
   * The decrypted Data names the merchant it is about (`MerchantID`, and `PlatformID` for a member); the keys that
   * opened it vouch only for their own merchant and its platform's members ({@link EcpayMerchantRegistry.vouchedBy}).
   * Anything else is refused here, once, for every envelope the library opens: notifications and API answers alike.
   */
  private checkInnerMerchant(opener: EcpayMerchant, data: Readonly<Record<string, unknown>>): void {
    const { MerchantID: merchantId, PlatformID: platformId } = data;
    if (
      merchantId !== undefined &&
      merchantId !== null &&
      merchantId !== '' &&
      !this.merchants.vouchedBy(opener, merchantId)
    ) {
      throw new EcpayDecryptionError('merchant-mismatch', 'Data.MerchantID is not a merchant these keys speak for');
    }
    if (
      platformId !== undefined &&
      platformId !== null &&
      platformId !== '' &&
      platformId !== (opener.platformId ?? opener.merchantId)
    ) {
      throw new EcpayDecryptionError('merchant-mismatch', 'Data.PlatformID is not the platform of these keys');
    }
  }

  private envelopeMerchant(merchantId: unknown, reference: string | undefined): EcpayMerchant {
    const named = this.merchants.findById(merchantId);
    if (reference !== undefined) {
      const expected = this.merchants.get(reference);
      if (merchantId !== expected.envelopeMerchantId) throw new EcpayDecryptionError('merchant-mismatch');
      return expected;
    }
    if (!named)
      throw new EcpayDecryptionError(
        merchantId === undefined ? 'malformed-envelope' : 'unknown-merchant',
        merchantId === undefined ? 'MerchantID missing' : undefined,
      );
    return named;
  }
}

function parseEnvelopeText(text: string): unknown {
  try {
    return parseJson(text);
  } catch {
    throw new EcpayDecryptionError('malformed-envelope', 'not JSON');
  }
}
