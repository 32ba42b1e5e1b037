import { Injectable, Logger } from '@nestjs/common';
import { EcpayService, OnEcpayEvent, type EcpayEvent, type EcpayTradeStatus } from 'nestjs-ecpay';
import type { CartDto } from './cart.dto.js';

export interface OrderView {
  merchantTradeNo: string;
  status: EcpayTradeStatus;
  totalAmount: number;
  /** How many times this app shipped the order: 1 once paid, however often ECPay repeats its notification. */
  shipments: number;
}

@Injectable()
export class OrdersService {
  private readonly logger = new Logger(OrdersService.name);
  // A real shop keeps this in its own table, written idempotently (keyed by the event's id).
  private readonly shipments = new Map<string, number>();

  constructor(private readonly ecpay: EcpayService) {}

  /** Stores the trade and returns what the browser posts to ECPay (or send `checkout.html`, a self-posting page). */
  async checkout(
    cart: CartDto,
  ): Promise<{ merchantTradeNo: string; action: string; fields: Readonly<Record<string, string>> }> {
    const checkout = await this.ecpay.createCheckout({
      items: cart.lines.map((line) => ({ name: line.name, price: line.price, quantity: line.quantity })),
      description: 'Online order',
      payment: { method: 'Credit' },
    });
    return { merchantTradeNo: checkout.merchantTradeNo, action: checkout.action, fields: checkout.fields };
  }

  async find(merchantTradeNo: string): Promise<OrderView | null> {
    const trade = await this.ecpay.findTrade(merchantTradeNo);
    if (!trade) return null;
    return {
      merchantTradeNo,
      status: trade.status,
      totalAmount: trade.totalAmount,
      shipments: this.shipments.get(merchantTradeNo) ?? 0,
    };
  }

  /** Runs after the payment result is stored; at least once, so what it does must be safe to repeat. */
  @OnEcpayEvent('payment.succeeded')
  ship(event: EcpayEvent): void {
    this.shipments.set(event.merchantTradeNo, (this.shipments.get(event.merchantTradeNo) ?? 0) + 1);
    this.logger.log(`order ${event.merchantTradeNo} paid; shipping it`);
  }
}
