import type { EcpayNotification, EcpayTrade } from 'nestjs-ecpay';

/** What `GET /api/orders/:merchantTradeNo` shows: the trade and where each of its notifications stands. */
export interface OrderView {
  readonly merchantTradeNo: string;
  /** `pending`, `code-issued`, `paid`, `failed`, … — the library's trade status. */
  readonly status: string;
  readonly totalAmount: number;
  readonly choosePayment: string;
  readonly paymentType: string | null;
  readonly ecpayTradeNo: string | null;
  readonly paidAt: string | null;
  readonly simulated: boolean;
  readonly createdAt: string;
  readonly notifications: readonly {
    readonly id: string;
    readonly kind: string;
    readonly outcome: string;
    readonly event: string | null;
    readonly dispatch: string;
    readonly attempts: number;
    readonly lastError: string | null;
    readonly receivedAt: string;
  }[];
}

export function orderView(trade: EcpayTrade, notifications: readonly EcpayNotification[]): OrderView {
  return {
    merchantTradeNo: trade.merchantTradeNo,
    status: trade.status,
    totalAmount: trade.totalAmount,
    choosePayment: trade.choosePayment,
    paymentType: trade.paymentType,
    ecpayTradeNo: trade.ecpayTradeNo,
    paidAt: trade.paidAt?.toISOString() ?? null,
    simulated: trade.simulated,
    createdAt: trade.createdAt.toISOString(),
    notifications: notifications.map((n) => ({
      id: n.id,
      kind: n.kind,
      outcome: n.outcome,
      event: n.eventName,
      dispatch: n.dispatchStatus,
      attempts: n.attempts,
      lastError: n.lastError,
      receivedAt: n.receivedAt.toISOString(),
    })),
  };
}
