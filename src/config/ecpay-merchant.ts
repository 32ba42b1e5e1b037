import { inspect } from 'node:util';

/**
 * A configured merchant after validation. The keys sit in private fields behind getters, so logging or
 * JSON-serialising a merchant (or the resolved options) never prints them.
 *
 * @publicApi
 */
export class EcpayMerchant implements EcpayKeys {
  readonly #hashKey: string;
  readonly #hashIv: string;

  constructor(
    /** `default` for the top-level merchant, otherwise its key in `merchants`. */
    readonly name: string,
    readonly merchantId: string,
    /** Set for a platform member: requests carry this PlatformID and are signed with the platform's keys. */
    readonly platformId: string | undefined,
    keys: EcpayKeys,
  ) {
    this.#hashKey = keys.hashKey;
    this.#hashIv = keys.hashIv;
  }

  /** The HashKey this merchant's requests are signed with (the platform's for a member). */
  get hashKey(): string {
    return this.#hashKey;
  }

  /** The HashIV this merchant's requests are signed with (the platform's for a member). */
  get hashIv(): string {
    return this.#hashIv;
  }

  /** The MerchantID that goes into a JSON envelope's outer `MerchantID`: the platform's for a member. */
  get envelopeMerchantId(): string {
    return this.platformId ?? this.merchantId;
  }

  toJSON(): object {
    return {
      name: this.name,
      merchantId: this.merchantId,
      platformId: this.platformId,
      hashKey: '[redacted]',
      hashIv: '[redacted]',
    };
  }

  [inspect.custom](): string {
    return `EcpayMerchant ${JSON.stringify(this.toJSON())}`;
  }
}

/** A merchant's secret pair. Never log it. @publicApi */
export interface EcpayKeys {
  readonly hashKey: string;
  readonly hashIv: string;
}
