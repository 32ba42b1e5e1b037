import { decryptEcpayPayload, encryptEcpayData, parseJson } from '../../crypto/ecpay-aes.js';
import { toUnixSeconds } from '../../time/ecpay-time.js';
import type { EcpaySandboxMerchant } from '../ecpay-sandbox-options.interface.js';
import { SANDBOX_TRANS, type SandboxTransRefusal } from './sandbox-json-codes.js';

/** ECPay's window around RqHeader.Timestamp (docs/protocol.md §3.2: a request more than 10 minutes late fails). */
const TIMESTAMP_WINDOW_SECONDS = 600;

/** The answer envelope of every JSON/AES API, and of their notifications (docs/protocol.md §3.2, §3.3). @publicApi */
export interface SandboxResponseEnvelope {
  readonly MerchantID: string;
  readonly RpHeader: { readonly Timestamp: number };
  readonly TransCode: number;
  readonly TransMsg: string;
  readonly Data: string;
}

/** A request envelope opened: who sent it (its keys answer it) and the plaintext Data. */
export type OpenedEnvelope =
  | { readonly ok: true; readonly merchant: EcpaySandboxMerchant; readonly data: Record<string, unknown> }
  | { readonly ok: false; readonly merchantId?: string; readonly refusal: SandboxTransRefusal };

/**
 * ECPay's side of a request envelope `{ MerchantID, RqHeader: { Timestamp }, Data }`: the MerchantID must be a
 * merchant of this environment, the Timestamp within 10 minutes of `now` (either way: a clock ahead is as wrong as
 * one behind), and Data must decrypt with that merchant's keys into a JSON object. Any failure is a TransCode ≠ 1
 * refusal, as ECPay answers when it cannot read a request.
 */
export function openRequestEnvelope(
  body: unknown,
  findMerchant: (id: string) => EcpaySandboxMerchant | undefined,
  now: Date,
): OpenedEnvelope {
  if (!isRecord(body)) return { ok: false, refusal: SANDBOX_TRANS.malformed };
  const { MerchantID, RqHeader, Data } = body;
  const merchantId = typeof MerchantID === 'string' ? MerchantID : undefined;
  const timestamp = isRecord(RqHeader) ? RqHeader.Timestamp : undefined;
  // Timestamp is a Number in ECPay's spec; its decimal text is tolerated, as lenient JSON deserializers do.
  const seconds =
    typeof timestamp === 'number'
      ? timestamp
      : typeof timestamp === 'string' && /^\d{1,12}$/.test(timestamp)
        ? Number(timestamp)
        : Number.NaN;
  if (merchantId === undefined || !Number.isSafeInteger(seconds) || typeof Data !== 'string' || Data === '') {
    return { ok: false, ...(merchantId ? { merchantId } : {}), refusal: SANDBOX_TRANS.malformed };
  }
  const merchant = findMerchant(merchantId);
  if (!merchant) return { ok: false, merchantId, refusal: SANDBOX_TRANS.unknownMerchant };
  if (Math.abs(toUnixSeconds(now) - seconds) > TIMESTAMP_WINDOW_SECONDS)
    return { ok: false, merchantId, refusal: SANDBOX_TRANS.timestamp };
  let data: unknown;
  try {
    data = parseJson(decryptEcpayPayload(Data, merchant));
  } catch {
    return { ok: false, merchantId, refusal: SANDBOX_TRANS.decrypt };
  }
  if (!isRecord(data)) return { ok: false, merchantId, refusal: SANDBOX_TRANS.decrypt };
  return { ok: true, merchant, data };
}

/**
 * An answer or notification envelope: Data encrypted the way ECPay's PHP SDK does (PHP `json_encode` + `urlencode`,
 * so the library's form-semantics decoder is exercised), with a fresh RpHeader.Timestamp.
 */
export function buildResponseEnvelope(
  merchant: EcpaySandboxMerchant,
  data: unknown,
  now: Date,
): SandboxResponseEnvelope {
  return {
    MerchantID: merchant.merchantId,
    RpHeader: { Timestamp: toUnixSeconds(now) },
    TransCode: 1,
    TransMsg: 'Success',
    Data: encryptEcpayData(data, merchant),
  };
}

/** A TransCode ≠ 1 answer: nothing could be read, so there is no Data to encrypt (and maybe no keys to do it with). */
export function refusalEnvelope(
  merchantId: string | undefined,
  refusal: SandboxTransRefusal,
  now: Date,
): SandboxResponseEnvelope {
  return {
    MerchantID: merchantId ?? '',
    RpHeader: { Timestamp: toUnixSeconds(now) },
    TransCode: refusal.code,
    TransMsg: refusal.message,
    Data: '',
  };
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
