import { EcpayError } from './ecpay.error.js';

/**
 * Why an operation was refused before anything was sent, or why its outcome is not known:
 * - `not-found` — no trade (or action) of the merchant with that reference;
 * - `not-refundable` / `not-capturable` / `not-cancellable` / `not-periodic` — the trade's state does not allow it;
 * - `invalid-amount` — not a whole number of TWD of at least 1;
 * - `exceeds-remaining` — more than is left to refund (or to capture);
 * - `partial-not-allowed` — ECPay refunds installment and Redeem (紅利折抵) trades in full only;
 * - `closing-window` — 20:15–20:30 Asia/Taipei, while ECPay's daily auto-close runs (see docs/protocol.md);
 * - `in-progress` — another action on the trade is being sent right now;
 * - `conflict` — the trade kept changing under concurrent writes while the operation was planned: nothing was sent,
 *   so running it again is safe (it re-reads the trade and decides anew);
 * - `outcome-unknown` — an earlier (or this) call may or may not have reached ECPay: never resent blindly; query
 *   the trade and resolve the action with `resolveAction` first;
 * - `already-resolved` — the action's outcome is already known.
 *
 * @publicApi
 */
export type EcpayOperationRefusal =
  | 'not-found'
  | 'not-refundable'
  | 'not-capturable'
  | 'not-cancellable'
  | 'not-periodic'
  | 'invalid-amount'
  | 'exceeds-remaining'
  | 'partial-not-allowed'
  | 'closing-window'
  | 'in-progress'
  | 'conflict'
  | 'outcome-unknown'
  | 'already-resolved';

/** A capture, refund, void or period action that was refused, or whose outcome is unknown. @publicApi */
export class EcpayOperationError extends EcpayError {
  readonly code = 'ECPAY_OPERATION_REFUSED';

  constructor(
    readonly reason: EcpayOperationRefusal,
    message: string,
    /** The trade's MerchantTradeNo. */
    readonly merchantTradeNo: string,
    /** The action concerned (`outcome-unknown`, `in-progress`): resolve it with `EcpayService.resolveAction`. */
    readonly actionId?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
