import type { EcpaySandboxMerchant } from '../ecpay-sandbox-options.interface.js';
import type { EcpaySandboxStore } from '../ecpay-sandbox.store.js';
import type { SandboxJsonRtn } from './sandbox-json-codes.js';
import { SANDBOX_JSON_RTN } from './sandbox-json-codes.js';
import { text } from './sandbox-json-data.js';

/** A request whose envelope opened, with the merchant its Data speaks for. */
export interface JsonRequest {
  /** The envelope's merchant: its keys opened the request and encrypt the answer (the platform for a member). */
  readonly envelopeMerchant: EcpaySandboxMerchant;
  /** Data.MerchantID: the merchant the trade belongs to. */
  readonly merchantId: string;
  /** Data.PlatformID, '' for an ordinary merchant. */
  readonly platformId: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * Who a request is for (docs/protocol.md §3.2): without PlatformID, Data.MerchantID must be the envelope's MerchantID;
 * with one, the envelope must be the platform's and Data.MerchantID a merchant the sandbox serves.
 */
export function identifyRequest(
  envelopeMerchant: EcpaySandboxMerchant,
  data: Readonly<Record<string, unknown>>,
  store: EcpaySandboxStore,
): JsonRequest | { readonly refusal: Readonly<Record<string, unknown>> } {
  const merchantId = text(data, 'MerchantID') ?? '';
  const platformId = text(data, 'PlatformID') ?? '';
  const refuse = (detail: string) => ({
    refusal: failure(
      { envelopeMerchant, merchantId: merchantId || envelopeMerchant.merchantId, platformId, data },
      SANDBOX_JSON_RTN.parameter(detail),
    ),
  });
  if (!merchantId) return refuse('MerchantID is required.');
  if (platformId) {
    if (platformId !== envelopeMerchant.merchantId)
      return refuse('With a PlatformID, the envelope MerchantID must be the PlatformID.');
    if (!store.merchant(merchantId)) return refuse('MerchantID is not a merchant of this environment.');
  } else if (merchantId !== envelopeMerchant.merchantId) {
    return refuse('MerchantID must be the envelope MerchantID.');
  }
  return { envelopeMerchant, merchantId, platformId, data };
}

/** The Data of a refusal: RtnCode ≠ 1, RtnMsg, and who it is for. */
export function failure(
  request: JsonRequest,
  rtn: SandboxJsonRtn,
  extra: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  return {
    RtnCode: rtn.code,
    RtnMsg: rtn.message,
    PlatformID: request.platformId,
    MerchantID: request.merchantId,
    ...extra,
  };
}
