import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  EcpayBoundCard,
  EcpayNotification,
  EcpayService,
  EcpayTrade,
  type EcpayCheckout,
  type EcpayCheckoutItem,
  type EcpayCheckoutOrder,
} from 'nestjs-ecpay';
import { In, type Repository } from 'typeorm';
import { orderView, type OrderView } from '../orders/order-view.js';
import type { Plan } from './catalog.js';

/** The demo's one member: a real shop would use its logged-in customer's id. */
export const DEMO_MEMBER = 'demo-member';

/** The payment options of each plan, as the library's checkout takes them. */
const PAYMENTS: Record<Plan, EcpayCheckoutOrder['payment']> = {
  credit: { method: 'Credit' },
  installments: { method: 'Credit', installments: [3, 6, 12] },
  periodic: { method: 'Credit', periodic: { periodType: 'M', frequency: 1, execTimes: 12 } },
  'bind-card': { method: 'Credit', bindCard: { memberId: DEMO_MEMBER } },
  atm: { method: 'ATM', expireDays: 3 },
  cvs: { method: 'CVS' },
  barcode: { method: 'BARCODE' },
  all: { method: 'ALL' },
};

/** Orders of the demo shop: placed through the library's checkout, read back from the library's tables. */
@Injectable()
export class ShopOrdersService {
  constructor(
    private readonly ecpay: EcpayService,
    @InjectRepository(EcpayTrade) private readonly trades: Repository<EcpayTrade>,
    @InjectRepository(EcpayNotification) private readonly notifications: Repository<EcpayNotification>,
    @InjectRepository(EcpayBoundCard) private readonly cards: Repository<EcpayBoundCard>,
  ) {}

  /**
   * Checks the order against ECPay's rules, stores the trade, and returns the signed form (EcpayValidationError if
   * not).
   */
  place(items: readonly EcpayCheckoutItem[], plan: Plan, publicUrl: string): Promise<EcpayCheckout> {
    return this.ecpay.createCheckout({
      items,
      description: 'nestjs-ecpay demo shop',
      payment: PAYMENTS[plan],
      // The browser comes back through the library's verified OrderResultURL route, then to /orders/done.
      orderResultUrl: `${publicUrl}/ecpay/order-result`,
      clientBackUrl: `${publicUrl}/orders`,
    });
  }

  async find(merchantTradeNo: string): Promise<OrderView | undefined> {
    const trade = await this.trades.findOneBy({ merchantId: this.ecpay.merchant().merchantId, merchantTradeNo });
    if (!trade) return undefined;
    const notifications = await this.notifications.find({ where: { tradeId: trade.id }, order: { receivedAt: 'ASC' } });
    return orderView(trade, notifications);
  }

  /** The demo member's cards saved with ECPay, as the library recorded their bindings. */
  savedCards(): Promise<EcpayBoundCard[]> {
    return this.cards.find({
      where: { merchantId: this.ecpay.merchant().merchantId, merchantMemberId: DEMO_MEMBER, status: 'active' },
      order: { createdAt: 'ASC' },
    });
  }

  /** The latest orders, newest first, each with its notifications. */
  async latest(limit = 20): Promise<OrderView[]> {
    const trades = await this.trades.find({
      where: { merchantId: this.ecpay.merchant().merchantId },
      order: { createdAt: 'DESC' },
      take: limit,
    });
    const notifications = trades.length
      ? await this.notifications.find({ where: { tradeId: In(trades.map((t) => t.id)) }, order: { receivedAt: 'ASC' } })
      : [];
    return trades.map((trade) =>
      orderView(
        trade,
        notifications.filter((n) => n.tradeId === trade.id),
      ),
    );
  }
}
