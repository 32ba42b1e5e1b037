import type { EcpayTrade } from '../persistence/ecpay-trade.entity.js';

/**
 * Where a card authorization stands at ECPay (docs/protocol.md §7.2), which decides the DoAction recipe:
 * `authorized` (已授權) → void with N; `to-be-closed` (要關帳) → E then N in full, R in part; `closed` (已關帳) → R.
 *
 * @publicApi
 */
export type EcpayCardStage = 'authorized' | 'to-be-closed' | 'closed';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Asia/Taipei is UTC+8 all year (no daylight saving). */
const TAIPEI_OFFSET = 8 * HOUR;
/** ECPay's daily auto-close batch starts at 20:15 Taipei; DoAction is not to be called until 20:30. */
const CLOSE_START = 20 * HOUR + 15 * 60_000;
const CLOSE_END = 20 * HOUR + 30 * 60_000;

const taipeiTimeOfDay = (at: Date): number => (((at.getTime() + TAIPEI_OFFSET) % DAY) + DAY) % DAY;

/** True from 20:15 to 20:30 Asia/Taipei, while ECPay's auto-close runs: no DoAction then. @publicApi */
export function isInClosingWindow(now: Date): boolean {
  const time = taipeiTimeOfDay(now);
  return time >= CLOSE_START && time < CLOSE_END;
}

/** The first 20:15 Asia/Taipei batch after `at`: the one that closes a trade whose close was requested at `at`. */
export function closingBatchAfter(at: Date): Date {
  const time = taipeiTimeOfDay(at);
  const batch = at.getTime() - time + CLOSE_START;
  return new Date(time < CLOSE_START ? batch : batch + DAY);
}

/** What of a trade the stage is read from. */
export type CardStageInput = Pick<EcpayTrade, 'closeState' | 'closeRequestedAt' | 'paidAt'>;

/**
 * The library's model of the card stage — ECPay does not report it in any callback, so it follows from what the
 * library saw and did:
 *
 * - a close the library cancelled (E) leaves the trade `authorized`;
 * - a close the library requested (`capture`, C) makes it `to-be-closed` until the next 20:15 batch, `closed` after;
 * - otherwise the merchant's setting decides: with auto-close (ECPay's 自動關帳, `autoClose: true`, the default)
 *   a paid trade is `to-be-closed` from its payment until that day's 20:15 batch (the next day's when paid after
 *   20:15), `closed` after; without auto-close it stays `authorized` until the library captures it.
 *
 * A trade paid without a known PaymentDate under auto-close counts as `closed`: R is the recipe that ECPay refuses
 * rather than mis-applies when the guess is wrong.
 */
export function cardStageOf(trade: CardStageInput, autoClose: boolean, now: Date): EcpayCardStage {
  if (trade.closeState === 'authorized') return 'authorized';
  const requestedAt =
    trade.closeState === 'close-requested' ? trade.closeRequestedAt : autoClose ? trade.paidAt : undefined;
  if (requestedAt === undefined) return 'authorized';
  if (requestedAt === null) return 'closed';
  return now.getTime() >= closingBatchAfter(requestedAt).getTime() ? 'closed' : 'to-be-closed';
}
