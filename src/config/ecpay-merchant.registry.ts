import { Injectable } from '@nestjs/common';
import { EcpayMerchantMismatchError } from '../errors/ecpay-merchant-mismatch.error.js';
import { EcpayUnknownMerchantError } from '../errors/ecpay-unknown-merchant.error.js';
import type { EcpayMerchant } from './ecpay-merchant.js';
import { InjectEcpayOptions } from './ecpay-options.decorator.js';
import type { ResolvedEcpayOptions } from './resolved-ecpay-options.interface.js';

/**
 * Which merchant (and so which keys) a request or notification belongs to. Owns ECPay's platform rule — a request
 * carrying a PlatformID is signed with the platform's keys — so no caller has to remember it.
 *
 * @publicApi
 */
@Injectable()
export class EcpayMerchantRegistry {
  private readonly byName = new Map<string, EcpayMerchant>();
  private readonly byId = new Map<string, EcpayMerchant>();

  constructor(@InjectEcpayOptions() private readonly options: ResolvedEcpayOptions) {
    for (const merchant of options.merchants) {
      this.byName.set(merchant.name, merchant);
      this.byId.set(merchant.merchantId, merchant);
    }
  }

  /** Every configured merchant, the default first. */
  all(): readonly EcpayMerchant[] {
    return this.options.merchants;
  }

  /** The merchant named or numbered `reference`, or the default one. Throws for an unknown reference. */
  get(reference?: string): EcpayMerchant {
    if (reference === undefined) return this.options.defaultMerchant;
    const merchant = this.byName.get(reference) ?? this.byId.get(reference);
    if (!merchant) throw new EcpayUnknownMerchantError(reference, 'merchant');
    return merchant;
  }

  /** The merchant with this MerchantID, if configured. Never throws: for untrusted input. */
  findById(merchantId: unknown): EcpayMerchant | undefined {
    return typeof merchantId === 'string' ? this.byId.get(merchantId) : undefined;
  }

  /**
   * The merchant whose keys sign `params` for an outgoing call: the platform when `PlatformID` is set, otherwise
   * the `merchant` asked for, or the one named by `MerchantID`, or the default. Throws when the params name an
   * unconfigured merchant or contradict the one asked for — that mistake would otherwise surface as ECPay's
   * error 10200073.
   */
  forOutgoing(params: Readonly<Record<string, unknown>>, reference?: string): EcpayMerchant {
    const merchantId = nonEmpty(params.MerchantID);
    const chosen =
      reference !== undefined
        ? this.get(reference)
        : merchantId !== undefined
          ? this.requireId(merchantId, 'MerchantID')
          : this.get();
    if (merchantId !== undefined && chosen.merchantId !== merchantId) {
      throw new EcpayMerchantMismatchError(
        `MerchantID ${merchantId} contradicts the merchant "${reference}" chosen for this call.`,
      );
    }
    const platformId = nonEmpty(params.PlatformID);
    if (chosen.platformId !== undefined && platformId !== chosen.platformId) {
      throw new EcpayMerchantMismatchError(
        `Merchant "${chosen.name}" trades under platform ${chosen.platformId}: its requests must carry PlatformID=${chosen.platformId}.`,
      );
    }
    return platformId !== undefined ? this.requireId(platformId, 'PlatformID') : chosen;
  }

  /**
   * The merchant whose keys should have signed an incoming, not yet trusted payload: by `PlatformID`, then by
   * `MerchantID`, then the default when neither is present. `undefined` when it names an unconfigured merchant.
   */
  forIncoming(params: Readonly<Record<string, unknown>>, reference?: string): EcpayMerchant | undefined {
    if (reference !== undefined) return this.byName.get(reference) ?? this.byId.get(reference);
    const platformId = nonEmpty(params.PlatformID);
    if (platformId !== undefined) {
      // The platform's keys only vouch for its own members: a MerchantID we do not know as one is not ours.
      const member = this.findById(params.MerchantID);
      const platform = this.byId.get(platformId);
      return member && platform && (member.platformId === platformId || member === platform) ? platform : undefined;
    }
    const merchantId = params.MerchantID;
    if (merchantId === undefined) return this.options.defaultMerchant;
    return this.findById(merchantId);
  }

  /**
   * The merchant `merchantId` names, when the keys of `opener` speak for it: a payload opened (or verified) with one
   * merchant's keys speaks for that merchant, and a platform's keys for the platform and its configured members —
   * the rule {@link forIncoming} applies to PlatformID/MerchantID. Undefined for any other MerchantID, configured
   * or not: holding merchant A's keys never makes a payload about merchant B trustworthy. Never throws.
   */
  vouchedBy(opener: EcpayMerchant, merchantId: unknown): EcpayMerchant | undefined {
    const named = this.findById(merchantId);
    return named && keyHolderOf(named) === keyHolderOf(opener) ? named : undefined;
  }

  private requireId(merchantId: string, field: 'MerchantID' | 'PlatformID'): EcpayMerchant {
    const merchant = this.byId.get(merchantId);
    if (!merchant) throw new EcpayUnknownMerchantError(merchantId, field);
    return merchant;
  }
}

const nonEmpty = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** The MerchantID whose HashKey/HashIV a merchant uses: its platform's for a member, its own otherwise. */
const keyHolderOf = (merchant: EcpayMerchant): string => merchant.platformId ?? merchant.merchantId;
