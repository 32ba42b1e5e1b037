import type { EcpayEventName } from '../handlers/ecpay-event.interface.js';
import type {
  EcpayActionCode,
  EcpayOperationType,
  EcpayTradeAction,
} from '../persistence/ecpay-trade-action.entity.js';
import type { EcpayTrade } from '../persistence/ecpay-trade.entity.js';
import type { EcpayTradeChanges } from '../persistence/ecpay-trade.store.js';
import type { EcpayCardStage } from './card-stage.js';
import { EcpayOperationError } from '../errors/ecpay-operation.error.js';
import type { OperationEvent } from './trade-action.ledger.js';

/** One ECPay call of an operation and the TotalAmount it sends (null for period actions). */
export interface PlannedStep {
  readonly action: EcpayActionCode;
  readonly amount: number | null;
}

/** The calls an operation makes, in order, decided from the trade before anything is sent. */
export interface OperationPlan {
  readonly operation: EcpayOperationType;
  readonly steps: readonly PlannedStep[];
}

export const EVENT_OF: Readonly<Record<EcpayOperationType, EcpayEventName>> = {
  refund: 'refund.succeeded',
  capture: 'trade.captured',
  cancel: 'trade.cancelled',
  'period-cancel': 'period.cancelled',
  'period-reauth': 'period.reauthorized',
};

type PlanInput = Pick<
  EcpayTrade,
  | 'merchantTradeNo'
  | 'status'
  | 'totalAmount'
  | 'refundedAmount'
  | 'capturedAmount'
  | 'ecpayTradeNo'
  | 'paymentType'
  | 'choosePayment'
  | 'paymentOptions'
>;

/** What a refund can give back at most: what was captured (a partial capture releases the rest), else the total. */
export const refundableOf = (trade: Pick<EcpayTrade, 'capturedAmount' | 'totalAmount'>): number =>
  trade.capturedAmount ?? trade.totalAmount;

/**
 * The refund recipe of docs/protocol.md §7.2 for the trade's card stage: `authorized` → N (in full only: ECPay cannot
 * void part of an authorization); `to-be-closed` → E then N in full, R in part; `closed` → R. The amount defaults to
 * what is left, must be whole TWD, and at most what is left; installment and Redeem trades refund in full only.
 */
export function planRefund(trade: PlanInput, requested: number | undefined, stage: EcpayCardStage): OperationPlan {
  const no = trade.merchantTradeNo;
  assertCardTrade(trade, 'not-refundable', 'refunded');
  if (trade.status !== 'paid' && trade.status !== 'partially-refunded') {
    throw new EcpayOperationError(
      'not-refundable',
      `Trade ${no} is ${trade.status}: only a paid card trade can be refunded.`,
      no,
    );
  }
  const refundable = refundableOf(trade);
  const remaining = refundable - trade.refundedAmount;
  const amount = requested ?? remaining;
  assertAmount(no, amount, remaining, 'refund');
  const full = trade.refundedAmount === 0 && amount === refundable;
  if (!full && fullRefundOnly(trade)) {
    throw new EcpayOperationError(
      'partial-not-allowed',
      `Trade ${no} was paid in installments or with Redeem (紅利折抵): ECPay refunds it in full only (${remaining} TWD).`,
      no,
    );
  }
  switch (stage) {
    case 'authorized':
      if (!full) {
        throw new EcpayOperationError(
          'partial-not-allowed',
          `Trade ${no} is authorized but not closed: ECPay can only void it in full (N, ${refundable} TWD); capture it first to refund part.`,
          no,
        );
      }
      return { operation: 'refund', steps: [{ action: 'N', amount: trade.totalAmount }] };
    case 'to-be-closed':
      return full
        ? {
            operation: 'refund',
            steps: [
              { action: 'E', amount: refundable },
              { action: 'N', amount: trade.totalAmount },
            ],
          }
        : { operation: 'refund', steps: [{ action: 'R', amount }] };
    case 'closed':
      return { operation: 'refund', steps: [{ action: 'R', amount }] };
  }
}

/** DoAction C: closes an authorized (not yet closed) trade for its total or less. */
export function planCapture(trade: PlanInput, requested: number | undefined, stage: EcpayCardStage): OperationPlan {
  const no = trade.merchantTradeNo;
  assertCardTrade(trade, 'not-capturable', 'captured');
  if (trade.status !== 'paid')
    throw new EcpayOperationError(
      'not-capturable',
      `Trade ${no} is ${trade.status}: only a paid card trade can be captured.`,
      no,
    );
  if (stage !== 'authorized') {
    throw new EcpayOperationError(
      'not-capturable',
      `Trade ${no} is ${stage === 'closed' ? 'already closed' : 'already waiting for its close (要關帳; with auto-close ECPay closes it at 20:15)'}.`,
      no,
    );
  }
  const amount = requested ?? trade.totalAmount;
  assertAmount(no, amount, trade.totalAmount, 'capture');
  return { operation: 'capture', steps: [{ action: 'C', amount }] };
}

/** Void: N for an authorized trade, E then N for one waiting for its close; a closed trade must be refunded. */
export function planCancel(trade: PlanInput, stage: EcpayCardStage): OperationPlan {
  const no = trade.merchantTradeNo;
  assertCardTrade(trade, 'not-cancellable', 'voided');
  if (trade.status !== 'paid' || trade.refundedAmount > 0) {
    throw new EcpayOperationError(
      'not-cancellable',
      `Trade ${no} is ${trade.status}${trade.refundedAmount > 0 ? ' and partly refunded' : ''}: only a paid card trade can be voided.`,
      no,
    );
  }
  if (stage === 'closed')
    throw new EcpayOperationError('not-cancellable', `Trade ${no} is already closed (已關帳): refund it instead.`, no);
  const n: PlannedStep = { action: 'N', amount: trade.totalAmount };
  return {
    operation: 'cancel',
    steps: stage === 'authorized' ? [n] : [{ action: 'E', amount: refundableOf(trade) }, n],
  };
}

/** CreditCardPeriodAction Cancel / ReAuth on a periodic (定期定額) trade whose first charge was paid. */
export function planPeriod(trade: PlanInput, operation: 'period-cancel' | 'period-reauth'): OperationPlan {
  const no = trade.merchantTradeNo;
  if (trade.paymentOptions?.PeriodAmount == null)
    throw new EcpayOperationError('not-periodic', `Trade ${no} is not a periodic (定期定額) order.`, no);
  if (trade.status !== 'paid')
    throw new EcpayOperationError('not-periodic', `Trade ${no} is ${trade.status}: its first charge was not paid.`, no);
  return { operation, steps: [{ action: operation === 'period-cancel' ? 'Cancel' : 'ReAuth', amount: null }] };
}

/**
 * The trade's fields after one call succeeded, computed from the trade as it is then (the action in flight is the
 * only writer of these fields, so nothing else moved them since the plan).
 */
export function changesAfter(
  operation: EcpayOperationType,
  action: EcpayActionCode,
  amount: number | null,
  trade: PlanInput,
  now: Date,
): EcpayTradeChanges {
  switch (action) {
    case 'C':
      return { closeState: 'close-requested', closeRequestedAt: now, capturedAmount: amount };
    case 'E':
      return { closeState: 'authorized', closeRequestedAt: null };
    case 'N':
      return operation === 'refund'
        ? { status: 'refunded', refundedAmount: refundableOf(trade) }
        : { status: 'cancelled' };
    case 'R': {
      const refundedAmount = trade.refundedAmount + (amount ?? 0);
      return { status: refundedAmount >= refundableOf(trade) ? 'refunded' : 'partially-refunded', refundedAmount };
    }
    default:
      return {};
  }
}

/** The event an operation raises once its last call succeeded (or was resolved as succeeded). */
export function operationEvent(
  operation: EcpayOperationType,
  action: EcpayTradeAction,
  before: EcpayTrade,
  after: EcpayTrade,
): OperationEvent {
  return {
    name: EVENT_OF[operation],
    payload: {
      TradeNo: after.ecpayTradeNo ?? '',
      OperationId: action.operationId,
      Operation: operation,
      Action: action.action,
      ActionId: action.id,
      RtnCode: 1,
      Amount: eventAmountOf(operation, action.action, action.amount, before),
      RefundedAmount: after.refundedAmount,
      TradeAmt: after.totalAmount,
      Status: after.status,
    },
  };
}

/** The amount an operation's event reports: the refund, the capture, the voided total; none for period actions. */
export function eventAmountOf(
  operation: EcpayOperationType,
  action: EcpayActionCode,
  amount: number | null,
  before: PlanInput,
): number | null {
  if (operation === 'refund' && action === 'N') return refundableOf(before) - before.refundedAmount;
  return amount;
}

function assertAmount(no: string, amount: number, limit: number, what: 'refund' | 'capture'): void {
  if (!Number.isSafeInteger(amount) || amount < 1) {
    throw new EcpayOperationError(
      'invalid-amount',
      `A ${what} amount must be a whole number of TWD of at least 1 (got ${String(amount)}).`,
      no,
    );
  }
  if (amount > limit) {
    throw new EcpayOperationError(
      'exceeds-remaining',
      `Trade ${no} has ${limit} TWD left to ${what}; ${amount} asked.`,
      no,
    );
  }
}

/** DoAction is for card trades: ATM, CVS, BARCODE, WebATM, TWQR… money does not go back through it. */
function assertCardTrade(
  trade: PlanInput,
  reason: 'not-refundable' | 'not-capturable' | 'not-cancellable',
  verb: string,
): void {
  const method = trade.paymentType ?? trade.choosePayment;
  if (!/^(Credit|ApplePay)/i.test(method)) {
    throw new EcpayOperationError(
      reason,
      `Trade ${trade.merchantTradeNo} was paid by ${method}: only card trades are ${verb} through DoAction.`,
      trade.merchantTradeNo,
    );
  }
  if (!trade.ecpayTradeNo) {
    throw new EcpayOperationError(
      reason,
      `Trade ${trade.merchantTradeNo} has no ECPay TradeNo yet (no verified payment).`,
      trade.merchantTradeNo,
    );
  }
}

const YES = new Set<unknown>(['Y', 'y', '1', 1, true]);

/** Installments (CreditInstallment, 圓夢彈性分期) and Redeem (紅利折抵) are refunded in full only (docs/protocol.md §7.2). */
function fullRefundOnly(trade: PlanInput): boolean {
  const options = trade.paymentOptions ?? {};
  const installment = options.CreditInstallment;
  const hasInstallment = installment != null && installment !== '' && installment !== 0 && installment !== '0';
  return hasInstallment || options.FlexibleInstallment != null || YES.has(options.Redeem);
}
