import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { ECPAY_AUTO_CLOSE, InjectEcpayDataSource } from '../config/ecpay.constants.js';
import type { DataSource, Repository } from 'typeorm';
import { EcpayClient } from '../client/ecpay-client.service.js';
import { EcpayMerchantRegistry } from '../config/ecpay-merchant.registry.js';
import { EcpayApiError } from '../errors/ecpay-api.error.js';
import { EcpayRateLimitedError } from '../errors/ecpay-rate-limited.error.js';
import { EcpayTransportError } from '../errors/ecpay-transport.error.js';
import { EcpayUnsupportedEnvironmentError } from '../errors/ecpay-unsupported-environment.error.js';
import { EcpayValidationError } from '../errors/ecpay-validation.error.js';
import { EcpayNotificationDispatcher } from '../notifications/ecpay-notification.dispatcher.js';
import {
  EcpayTradeAction,
  type EcpayActionCode,
  type EcpayOperationType,
} from '../persistence/ecpay-trade-action.entity.js';
import { EcpayTrade } from '../persistence/ecpay-trade.entity.js';
import { InjectEcpayClock, type EcpayClock } from '../time/ecpay-clock.js';
import { cardStageOf, isInClosingWindow, type EcpayCardStage } from './card-stage.js';
import { EcpayOperationError } from '../errors/ecpay-operation.error.js';
import type {
  EcpayActionResolution,
  EcpayOperationOptions,
  EcpayOperationResult,
} from './ecpay-operations.interface.js';
import {
  changesAfter,
  eventAmountOf,
  operationEvent,
  planCancel,
  planCapture,
  planPeriod,
  planRefund,
  type OperationPlan,
  type PlannedStep,
} from './operation-plan.js';
import { TradeActionLedger } from './trade-action.ledger.js';
import { ECPAY_MAX_OPERATION_TIMEOUT_MS, TradeActionResolver } from './trade-action.resolver.js';

/** How often an operation re-reads its trade when another write moved the version between its read and its claim. */
const MAX_CLAIMS = 8;
export { ECPAY_MAX_OPERATION_TIMEOUT_MS } from './trade-action.resolver.js';

/**
 * Captures, refunds, voids and periodic actions on stored trades, over {@link EcpayClient}:
 *
 * 1. the trade is read and the recipe chosen from its card stage ({@link cardStageOf}) and amounts; refusals
 *    ({@link EcpayOperationError}) happen here, before anything is sent — also in 20:15–20:30 Taipei;
 * 2. the trade is claimed for the first call with its optimistic version (one operation per trade at a time);
 * 3. each call is recorded as an {@link EcpayTradeAction}: ECPay's answer applies the trade's change and, after the
 *    last call, stores the operation's event in the inbox in the same transaction — handlers get it at least once;
 * 4. a call that timed out (or broke after it may have reached ECPay) is recorded `unknown` and keeps the trade
 *    claimed: nothing more is sent for it until {@link resolveAction} says how it went (never a blind resend).
 *
 * @publicApi
 */
@Injectable()
export class EcpayOperationsService {
  private readonly logger = new Logger('EcpayOperations');
  private readonly trades: Repository<EcpayTrade>;
  private readonly actions: Repository<EcpayTradeAction>;
  private readonly ledger: TradeActionLedger;
  private readonly resolver: TradeActionResolver;

  constructor(
    @InjectEcpayDataSource() dataSource: DataSource,
    private readonly client: EcpayClient,
    private readonly merchants: EcpayMerchantRegistry,
    @InjectEcpayClock() private readonly clock: EcpayClock,
    @Inject(ECPAY_AUTO_CLOSE) private readonly autoClose: boolean,
    @Optional() private readonly dispatcher?: EcpayNotificationDispatcher,
  ) {
    this.trades = dataSource.getRepository(EcpayTrade);
    this.actions = dataSource.getRepository(EcpayTradeAction);
    this.ledger = new TradeActionLedger(dataSource);
    this.resolver = new TradeActionResolver(dataSource, clock);
  }

  /**
   * Refunds `amount` TWD (default: all that is left) by the recipe of the trade's card stage. Raises
   * `refund.succeeded`.
   */
  refund(merchantTradeNo: string, amount?: number, options: EcpayOperationOptions = {}): Promise<EcpayOperationResult> {
    return this.execute(merchantTradeNo, options, (trade, stage) => planRefund(trade, amount, stage));
  }

  /**
   * Closes (captures) an authorized trade for `amount` TWD (default its total) with DoAction C. Raises
   * `trade.captured`.
   */
  capture(
    merchantTradeNo: string,
    amount?: number,
    options: EcpayOperationOptions = {},
  ): Promise<EcpayOperationResult> {
    return this.execute(merchantTradeNo, options, (trade, stage) => planCapture(trade, amount, stage));
  }

  /** Voids an authorization that is not closed yet (N, or E then N). Raises `trade.cancelled`. */
  cancel(merchantTradeNo: string, options: EcpayOperationOptions = {}): Promise<EcpayOperationResult> {
    return this.execute(merchantTradeNo, options, (trade, stage) => planCancel(trade, stage));
  }

  /** Stops a periodic order's later charges (CreditCardPeriodAction Cancel). Raises `period.cancelled`. */
  cancelPeriod(merchantTradeNo: string, options: EcpayOperationOptions = {}): Promise<EcpayOperationResult> {
    return this.execute(merchantTradeNo, options, (trade) => planPeriod(trade, 'period-cancel'));
  }

  /** Re-authorizes a periodic order's failed charge (CreditCardPeriodAction ReAuth). Raises `period.reauthorized`. */
  reAuthPeriod(merchantTradeNo: string, options: EcpayOperationOptions = {}): Promise<EcpayOperationResult> {
    return this.execute(merchantTradeNo, options, (trade) => planPeriod(trade, 'period-reauth'));
  }

  /** The card stage the library assumes for a trade now (see {@link cardStageOf}). */
  cardStage(trade: EcpayTrade): EcpayCardStage {
    return cardStageOf(trade, this.autoClose, this.clock.now());
  }

  /** Every action recorded for a trade, oldest first. */
  async actionsOf(
    merchantTradeNo: string,
    options: Pick<EcpayOperationOptions, 'merchant'> = {},
  ): Promise<EcpayTradeAction[]> {
    const trade = await this.findTrade(merchantTradeNo, options);
    return this.actions.find({ where: { tradeId: trade.id }, order: { requestedAt: 'ASC', createdAt: 'ASC' } });
  }

  /**
   * Actions whose outcome is unknown (timed out, or left `pending` by a crash): each holds its trade until resolved.
   */
  unresolvedActions(): Promise<EcpayTradeAction[]> {
    return this.resolver.unresolved();
  }

  /**
   * Settles an action whose outcome was unknown, once ECPay was asked how it went — the vendor back office, or
   * `EcpayClient.queryCreditDetail` (CreditDetail/QueryTrade/V2, production only: its `closeData` lists the
   * closes and refunds of the authorization), or `queryCreditCardPeriodInfo` for a period action.
   *
   * `succeeded` applies the call's change as if ECPay had answered RtnCode 1, and raises the operation's event when
   * it was its last call (the N after an E is not sent: run the operation again to finish it); `failed` records the
   * refusal. Either way the trade is free for the next operation.
   */
  async resolveAction(actionId: string, outcome: EcpayActionResolution): Promise<EcpayOperationResult> {
    const result = await this.resolver.resolve(actionId, outcome);
    if (outcome === 'succeeded') void this.dispatcher?.kick();
    return result;
  }

  // ---------------------------------------------------------------------------------------------------------------

  private async execute(
    merchantTradeNo: string,
    options: EcpayOperationOptions,
    plan: (trade: EcpayTrade, stage: EcpayCardStage) => OperationPlan,
  ): Promise<EcpayOperationResult> {
    checkTimeout(options.timeoutMs);
    const operationId = randomUUID();
    let trade!: EcpayTrade;
    let planned!: OperationPlan;
    let action!: EcpayTradeAction;
    for (let claim = 1; ; claim++) {
      trade = await this.findTrade(merchantTradeNo, options);
      const now = this.clock.now();
      if (trade.pendingActionId) throw await this.busy(trade);
      planned = plan(trade, cardStageOf(trade, this.autoClose, now));
      if (planned.steps.some((step) => isDoAction(step.action)) && isInClosingWindow(now)) {
        throw new EcpayOperationError(
          'closing-window',
          `ECPay's daily auto-close runs 20:15–20:30 Asia/Taipei: no capture, refund or void of ${merchantTradeNo} until 20:30.`,
          merchantTradeNo,
        );
      }
      action = this.newAction(trade, planned.operation, operationId, planned.steps[0]!, now);
      if (await this.ledger.begin(trade, action)) break;
      // Another write moved the trade since it was read (a concurrent operation claimed it, or a notification):
      // read again and decide anew, which refuses a second refund of what is no longer left.
      if (claim >= MAX_CLAIMS) {
        throw new EcpayOperationError(
          'conflict',
          `Trade ${merchantTradeNo} kept changing while an operation was planned; nothing was sent.`,
          merchantTradeNo,
        );
      }
    }
    const before = trade;
    const done: EcpayTradeAction[] = [];
    for (let i = 0; i < planned.steps.length; i++) {
      const step = planned.steps[i]!;
      const last = i === planned.steps.length - 1;
      let answer: { rtnCode: number; rtnMsg: string };
      try {
        answer = await this.call(trade, step, options);
      } catch (error) {
        const now = this.clock.now();
        const message = error instanceof Error ? error.message : String(error);
        if (outcomeKnown(error)) {
          const apiError = error instanceof EcpayApiError ? error : undefined;
          await this.ledger.fail(
            action,
            { rtnCode: apiError?.rtnCode ?? null, rtnMsg: apiError?.rtnMsg ?? null, error: message },
            now,
          );
          throw error;
        }
        await this.ledger.unknown(action, message);
        this.logger.warn(
          `${action.action} for ${merchantTradeNo}: outcome unknown (${message}); action ${action.id} holds the trade until resolved.`,
        );
        throw new EcpayOperationError(
          'outcome-unknown',
          `ECPay ${action.action} for ${merchantTradeNo} may or may not have been applied (${message}). It will not be sent again: query the trade and call resolveAction('${action.id}', 'succeeded' | 'failed').`,
          merchantTradeNo,
          action.id,
          { cause: error },
        );
      }
      const now = this.clock.now();
      const next = last ? undefined : this.newAction(trade, planned.operation, operationId, planned.steps[i + 1]!, now);
      const current = action;
      trade = await this.ledger.succeed(
        current,
        answer,
        (fresh) => changesAfter(planned.operation, current.action, current.amount, fresh, now),
        {
          now,
          next,
          event: last ? (previous, after) => operationEvent(planned.operation, current, previous, after) : undefined,
        },
      );
      done.push(
        Object.assign(new EcpayTradeAction(), current, {
          status: 'succeeded',
          rtnCode: answer.rtnCode,
          rtnMsg: answer.rtnMsg,
          completedAt: now,
        }),
      );
      if (next) action = next;
    }
    void this.dispatcher?.kick();
    const lastAction = done[done.length - 1]!;
    return {
      operationId,
      operation: planned.operation,
      merchantTradeNo,
      amount: eventAmountOf(planned.operation, lastAction.action, lastAction.amount, before),
      actions: done,
      trade,
    };
  }

  private async call(
    trade: EcpayTrade,
    step: PlannedStep,
    options: EcpayOperationOptions,
  ): Promise<{ rtnCode: number; rtnMsg: string }> {
    const callOptions = {
      merchant: trade.merchantId,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    };
    if (step.action === 'ReAuth' || step.action === 'Cancel') {
      const result = await this.client.creditCardPeriodAction(
        { merchantTradeNo: trade.merchantTradeNo, action: step.action },
        callOptions,
      );
      return { rtnCode: result.rtnCode, rtnMsg: result.rtnMsg };
    }
    const result = await this.client.doAction(
      {
        merchantTradeNo: trade.merchantTradeNo,
        tradeNo: trade.ecpayTradeNo!,
        action: step.action,
        totalAmount: step.amount!,
      },
      callOptions,
    );
    return { rtnCode: result.rtnCode, rtnMsg: result.rtnMsg };
  }

  /** The operation's event: what was done, and the trade's amounts after it (payload of the inbox row). */
  private newAction(
    trade: EcpayTrade,
    operation: EcpayOperationType,
    operationId: string,
    step: PlannedStep,
    now: Date,
  ): EcpayTradeAction {
    return Object.assign(new EcpayTradeAction(), {
      id: randomUUID(),
      version: 1,
      createdAt: new Date(),
      updatedAt: new Date(),
      tradeId: trade.id,
      merchantId: trade.merchantId,
      merchantTradeNo: trade.merchantTradeNo,
      operation,
      operationId,
      action: step.action,
      amount: step.amount,
      status: 'pending' as const,
      rtnCode: null,
      rtnMsg: null,
      error: null,
      requestedAt: now,
      completedAt: null,
    });
  }

  private async findTrade(
    merchantTradeNo: string,
    options: Pick<EcpayOperationOptions, 'merchant'>,
  ): Promise<EcpayTrade> {
    const merchantId = this.merchants.get(options.merchant).merchantId;
    const trade =
      typeof merchantTradeNo === 'string' ? await this.trades.findOneBy({ merchantId, merchantTradeNo }) : null;
    if (!trade)
      throw new EcpayOperationError(
        'not-found',
        `No trade ${String(merchantTradeNo)} of merchant ${merchantId}.`,
        String(merchantTradeNo),
      );
    return trade;
  }

  /** The refusal for a trade another action holds: in flight, or unknown until resolved. */
  private async busy(trade: EcpayTrade): Promise<EcpayOperationError> {
    const held = await this.actions.findOneBy({ id: trade.pendingActionId! });
    const no = trade.merchantTradeNo;
    if (held?.status === 'unknown') {
      return new EcpayOperationError(
        'outcome-unknown',
        `The outcome of ${held.action} (action ${held.id}) for ${no} is unknown: nothing more is sent for this trade until resolveAction says how it went.`,
        no,
        held.id,
      );
    }
    return new EcpayOperationError(
      'in-progress',
      `Another action (${held?.action ?? '?'} ${trade.pendingActionId}) is being sent for ${no}; try again when it is done.`,
      no,
      trade.pendingActionId!,
    );
  }
}

/** Refuses, before anything is sent, a per-call timeout the in-flight guard of resolveAction would not cover. */
function checkTimeout(timeoutMs: number | undefined): void {
  if (
    timeoutMs === undefined ||
    (Number.isSafeInteger(timeoutMs) && timeoutMs >= 1 && timeoutMs <= ECPAY_MAX_OPERATION_TIMEOUT_MS)
  )
    return;
  throw new EcpayValidationError([
    {
      field: 'timeoutMs',
      rule: 'range',
      message: `must be a whole number of milliseconds from 1 to ${ECPAY_MAX_OPERATION_TIMEOUT_MS}: a longer call could still be in flight when the action may be resolved (got ${String(timeoutMs)})`,
    },
  ]);
}

const isDoAction = (action: EcpayActionCode): boolean =>
  action === 'C' || action === 'R' || action === 'E' || action === 'N';

/**
 * Whether a failed call certainly did nothing at ECPay: a verified refusal (RtnCode ≠ 1), or a call that never
 * left (invalid input, breaker open, environment without the API, connection never made). Anything else — a
 * timeout, a connection broken after sending, an answer that failed verification, an unexpected error — may have
 * been applied.
 */
function outcomeKnown(error: unknown): boolean {
  return (
    error instanceof EcpayApiError ||
    error instanceof EcpayValidationError ||
    error instanceof EcpayRateLimitedError ||
    error instanceof EcpayUnsupportedEnvironmentError ||
    (error instanceof EcpayTransportError && !error.mayHaveReachedEcpay)
  );
}
