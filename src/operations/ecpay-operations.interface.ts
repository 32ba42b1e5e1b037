import type {
  EcpayActionStatus,
  EcpayOperationType,
  EcpayTradeAction,
} from '../persistence/ecpay-trade-action.entity.js';
import type { EcpayTrade } from '../persistence/ecpay-trade.entity.js';
export type { EcpayReconciliationOptions } from '../config/ecpay-options.interface.js';

/** Per-call options of the operations. @publicApi */
export interface EcpayOperationOptions {
  /** The configured merchant (name or MerchantID) whose trade this is. Default: the default merchant. */
  merchant?: string;
  /**
   * Milliseconds to wait for each ECPay call (default 10 s, at most 50 s: `ECPAY_MAX_OPERATION_TIMEOUT_MS`). After it
   * the action's outcome is unknown.
   */
  timeoutMs?: number;
}

/** What an operation did: its calls, in order, and the trade after them. @publicApi */
export interface EcpayOperationResult {
  readonly operationId: string;
  readonly operation: EcpayOperationType;
  readonly merchantTradeNo: string;
  /** The amount refunded or captured (TWD); the voided total for `cancel`; null for period actions. */
  readonly amount: number | null;
  readonly actions: readonly EcpayTradeAction[];
  readonly trade: EcpayTrade;
}

/** How an action whose outcome was unknown turned out, as found by querying ECPay. @publicApi */
export type EcpayActionResolution = Extract<EcpayActionStatus, 'succeeded' | 'failed'>;

/** What one reconciliation round did. @publicApi */
export interface EcpayReconciliationReport {
  /** Trades due for a query that this instance claimed and queried. */
  readonly queried: number;
  /** Trades the answers marked paid (each raised one payment.succeeded). */
  readonly paid: number;
  /** Answers that changed nothing: not paid yet, or already known (ReturnURL came first). */
  readonly unchanged: number;
  /** Queries that failed (transport, timeout, bad MAC, rate limit): nothing changed, tried again later. */
  readonly failed: number;
  /** Trades not due yet (offline methods before their expiry) that were given their next query time. */
  readonly scheduled: number;
}
