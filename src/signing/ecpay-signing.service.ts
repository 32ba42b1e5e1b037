import { Injectable } from '@nestjs/common';
import { EcpayMerchantRegistry } from '../config/ecpay-merchant.registry.js';
import {
  computeCheckMacValue,
  computeJsonCheckMacValue,
  verifyCheckMacValue,
  verifyJsonCheckMacValue,
  type CheckMacAlgorithm,
  type CheckMacVerifyAlgorithm,
  type EcpayParams,
} from './check-mac-value.js';

/** Options of {@link EcpaySigningService.sign}. @publicApi */
export interface EcpaySignOptions {
  /** `sha256` (AIO, EncryptType=1; the default) or `md5` (logistics, some e-invoice APIs). */
  algorithm?: CheckMacAlgorithm;
  /**
   * The configured merchant (name or MerchantID) to sign as; default: the params' MerchantID, else the default
   * merchant.
   */
  merchant?: string;
}

/** Options of {@link EcpaySigningService.verify}. @publicApi */
export interface EcpayVerifyOptions {
  /** Force a hash, or `auto` (default): 64 hex characters → SHA256, 32 → MD5. */
  algorithm?: CheckMacVerifyAlgorithm;
  /** Verify with this merchant's keys instead of the one the payload's PlatformID/MerchantID names. */
  merchant?: string;
}

/**
 * CheckMacValue for the form APIs (docs/protocol.md §1) with the module's merchants. Keys are chosen by ECPay's rules:
 * a `PlatformID` in the params means the platform's keys.
 *
 * @publicApi
 */
@Injectable()
export class EcpaySigningService {
  constructor(private readonly merchants: EcpayMerchantRegistry) {}

  /** The CheckMacValue of `params` (every field but CheckMacValue, empty values kept). */
  sign(params: EcpayParams, options: EcpaySignOptions = {}): string {
    return computeCheckMacValue(params, this.merchants.forOutgoing(params, options.merchant), options.algorithm);
  }

  /** A copy of `params` with every value as the string ECPay receives and the CheckMacValue added. */
  signParams(params: EcpayParams, options: EcpaySignOptions = {}): Record<string, string> {
    // Object.fromEntries defines own properties, so even a field named "__proto__" is kept (assignment would not).
    const signed: Record<string, string> = Object.fromEntries(
      Object.entries(params)
        .filter(([name, value]) => value != null && name !== 'CheckMacValue')
        .map(([name, value]) => [name, String(value)]),
    );
    signed.CheckMacValue = this.sign(signed, options);
    return signed;
  }

  /**
   * Whether `params` — the fields exactly as received, CheckMacValue included — carry a valid CheckMacValue.
   * Timing-safe; never throws; `false` for hostile or malformed input and for a MerchantID we do not serve.
   */
  verify(params: unknown, options: EcpayVerifyOptions = {}): boolean {
    if (typeof params !== 'object' || params === null || Array.isArray(params)) return false;
    const merchant = this.merchants.forIncoming(params as Record<string, unknown>, options.merchant);
    return merchant !== undefined && verifyCheckMacValue(params, merchant, options.algorithm);
  }

  /** The docs/protocol.md §1.6 CheckMacValue (ticketing JSON APIs) over a plaintext JSON text. */
  signJson(plaintextJson: string, options: Pick<EcpaySignOptions, 'merchant'> = {}): string {
    return computeJsonCheckMacValue(plaintextJson, this.merchants.get(options.merchant));
  }

  /** Constant-time check of a docs/protocol.md §1.6 CheckMacValue. Never throws. */
  verifyJson(
    plaintextJson: unknown,
    checkMacValue: unknown,
    options: Pick<EcpayVerifyOptions, 'merchant'> = {},
  ): boolean {
    const merchant =
      options.merchant === undefined ? this.merchants.get() : this.merchants.forIncoming({}, options.merchant);
    return merchant !== undefined && verifyJsonCheckMacValue(plaintextJson, checkMacValue, merchant);
  }
}
