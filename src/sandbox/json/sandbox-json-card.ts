import { formatEcpayDateTime } from '../../time/ecpay-time.js';
import { ECPAY_SANDBOX_TEST_CARD } from '../ecpay-sandbox.constants.js';
import type { SandboxCardSummary } from './sandbox-json-records.interface.js';

/**
 * ECPay's second stage card (docs/protocol.md §4.3, 圓夢彈性分期). The sandbox authorizes it without 3-D Secure, so both
 * BackAuth outcomes (ThreeDURL, direct authorization) can be tested.
 */
export const SANDBOX_DIRECT_CARD = '4938177777777777';

/**
 * What happens to a card: `three-d-secure` (ECPay's stage card 4311-9522-2222-2222), `direct` (4938-1777-7777-7777),
 * `declined` (any other well-formed number, as stage has no other cards), `expired`.
 */
export type JsonCardOutcome = 'three-d-secure' | 'direct' | 'declined' | 'expired';

export type JsonCardCheck =
  | { readonly ok: true; readonly card: SandboxCardSummary; readonly outcome: JsonCardOutcome }
  | { readonly ok: false; readonly problem: string };

/**
 * Checks CardInfo's card fields (CardNo, CardValidMM, CardValidYY, CardCVV2). The number is used here and
 * dropped: only the first six and last four digits leave this function, so no card number can reach the store, a
 * notification, a log or an error text. Problems name the field, never its value.
 */
export function checkJsonCard(
  cardNo: unknown,
  validMM: unknown,
  validYY: unknown,
  cvv: unknown,
  now: Date,
): JsonCardCheck {
  const digits = typeof cardNo === 'string' ? cardNo.replace(/[\s-]/g, '') : '';
  if (!/^\d{13,19}$/.test(digits)) return { ok: false, problem: 'CardInfo.CardNo must be 13 to 19 digits.' };
  if (typeof validMM !== 'string' || !/^(0[1-9]|1[0-2])$/.test(validMM))
    return { ok: false, problem: 'CardInfo.CardValidMM must be 01 to 12.' };
  if (typeof validYY !== 'string' || !/^\d{2}$/.test(validYY))
    return { ok: false, problem: 'CardInfo.CardValidYY must be two digits.' };
  if (typeof cvv !== 'string' || !/^\d{3,4}$/.test(cvv))
    return { ok: false, problem: 'CardInfo.CardCVV2 must be 3 or 4 digits.' };
  const card: SandboxCardSummary = { card6: digits.slice(0, 6), last4: digits.slice(-4), validMM, validYY };
  // Valid through the end of the expiry month, in Taipei, whatever the server's zone.
  const [thisYear, thisMonth] = formatEcpayDateTime(now).split('/').map(Number) as [number, number];
  if ((2000 + Number(validYY)) * 12 + Number(validMM) < thisYear * 12 + thisMonth)
    return { ok: true, card, outcome: 'expired' };
  const outcome: JsonCardOutcome =
    digits === ECPAY_SANDBOX_TEST_CARD ? 'three-d-secure' : digits === SANDBOX_DIRECT_CARD ? 'direct' : 'declined';
  return { ok: true, card, outcome };
}
