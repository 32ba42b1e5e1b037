import type { DataSource, Repository } from 'typeorm';
import { In } from '../persistence/typeorm-peer.js';
import { EcpayOperationError } from '../errors/ecpay-operation.error.js';
import { EcpayTradeAction } from '../persistence/ecpay-trade-action.entity.js';
import { EcpayTrade } from '../persistence/ecpay-trade.entity.js';
import type { EcpayClock } from '../time/ecpay-clock.js';
import type { EcpayActionResolution, EcpayOperationResult } from './ecpay-operations.interface.js';
import { changesAfter, operationEvent } from './operation-plan.js';
import { TradeActionLedger } from './trade-action.ledger.js';

/**
 * The longest a single ECPay call of an operation may wait (`timeoutMs`), in ms. Bounded so that no call can outlive
 * the in-flight window below: a longer one could be resolved away by {@link EcpayOperationsService.resolveAction}
 * while still on its way, and a second refund sent beside it. @publicApi
 */
export const ECPAY_MAX_OPERATION_TIMEOUT_MS = 50_000;
/**
 * A `pending` action younger than this may still be in flight in some instance: not resolvable yet. The longest call
 * allowed plus a margin for the writes around it (and clock differences between instances).
 */
const IN_FLIGHT_MS = ECPAY_MAX_OPERATION_TIMEOUT_MS + 10_000;

/**
 * Settles an action whose outcome was unknown, from the database alone: no ECPay call, no Nest container. Shared by
 * `EcpayOperationsService.resolveAction` (which then wakes its dispatcher) and the `ecpay actions resolve` command
 * (where the app's own dispatcher picks the event up by polling).
 */
export class TradeActionResolver {
  private readonly trades: Repository<EcpayTrade>;
  private readonly actions: Repository<EcpayTradeAction>;
  private readonly ledger: TradeActionLedger;

  constructor(
    dataSource: DataSource,
    private readonly clock: EcpayClock,
  ) {
    this.trades = dataSource.getRepository(EcpayTrade);
    this.actions = dataSource.getRepository(EcpayTradeAction);
    this.ledger = new TradeActionLedger(dataSource);
  }

  /** Actions whose outcome is not known (unknown, or pending and perhaps in flight), oldest first. */
  unresolved(): Promise<EcpayTradeAction[]> {
    return this.actions.find({
      where: { status: In(['unknown', 'pending']) },
      order: { requestedAt: 'ASC', id: 'ASC' },
    });
  }

  async resolve(actionId: string, outcome: EcpayActionResolution): Promise<EcpayOperationResult> {
    const action = await this.actions.findOneBy({ id: actionId });
    if (!action) throw new EcpayOperationError('not-found', `No ECPay action ${actionId}.`, '');
    const now = this.clock.now();
    if (action.status !== 'unknown' && action.status !== 'pending') {
      throw new EcpayOperationError(
        'already-resolved',
        `Action ${actionId} already ${action.status}.`,
        action.merchantTradeNo,
        actionId,
      );
    }
    if (action.status === 'pending' && now.getTime() - action.requestedAt.getTime() < IN_FLIGHT_MS) {
      throw new EcpayOperationError(
        'in-progress',
        `Action ${actionId} may still be in flight; resolve it after its timeout.`,
        action.merchantTradeNo,
        actionId,
      );
    }
    let trade: EcpayTrade;
    if (outcome === 'failed') {
      await this.ledger.fail(action, { rtnCode: null, rtnMsg: null, error: 'resolved as failed after a query' }, now);
      trade = await this.trades.findOneByOrFail({ id: action.tradeId });
    } else {
      trade = await this.ledger.succeed(
        action,
        { rtnCode: null, rtnMsg: null, error: 'resolved as succeeded after a query' },
        (fresh) => changesAfter(action.operation, action.action, action.amount, fresh, now),
        {
          now,
          // The N after an E is not sent by a resolution: only an operation's last call raises its event.
          event:
            action.action === 'E'
              ? undefined
              : (before, after) => operationEvent(action.operation, action, before, after),
        },
      );
    }
    const resolved = await this.actions.findOneByOrFail({ id: actionId });
    return {
      operationId: action.operationId,
      operation: action.operation,
      merchantTradeNo: action.merchantTradeNo,
      amount: action.amount,
      actions: [resolved],
      trade,
    };
  }
}
