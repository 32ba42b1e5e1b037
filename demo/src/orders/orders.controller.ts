import { BadRequestException, Body, Controller, Get, HttpCode, NotFoundException, Param, Post, UsePipes } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EcpayNotification, EcpayService, EcpayTradeStore, EcpayValidationError } from 'nestjs-ecpay';
import type { Repository } from 'typeorm';
import { CreateOrderDto } from './create-order.dto.js';
import { orderValidationPipe } from './order-validation.pipe.js';
import { orderView, type OrderView } from './order-view.js';

/** JSON endpoints for scripts: create an order (the signed checkout fields) and follow its status. */
@Controller('api/orders')
export class OrdersController {
  constructor(
    private readonly ecpay: EcpayService,
    private readonly trades: EcpayTradeStore,
    @InjectRepository(EcpayNotification) private readonly notifications: Repository<EcpayNotification>,
  ) {}

  /** `{ merchantTradeNo, action, fields }`: POST `fields` to `action` (a browser form) to pay. */
  @Post()
  @HttpCode(201)
  @UsePipes(orderValidationPipe)
  async create(@Body() order: CreateOrderDto): Promise<{ merchantTradeNo: string; action: string; fields: Readonly<Record<string, string>> }> {
    try {
      const checkout = await this.ecpay.createCheckout({
        items: order.items.map(({ name, price, quantity }) => ({ name, price, quantity })),
        description: 'nestjs-ecpay demo shop',
        payment: { method: order.method ?? 'Credit' },
      });
      return { merchantTradeNo: checkout.merchantTradeNo, action: checkout.action, fields: checkout.fields };
    } catch (error) {
      if (error instanceof EcpayValidationError) throw new BadRequestException({ message: 'The order breaks ECPay rules', issues: error.issues });
      throw error;
    }
  }

  @Get(':merchantTradeNo')
  async find(@Param('merchantTradeNo') merchantTradeNo: string): Promise<OrderView> {
    const trade = await this.trades.findByMerchantTradeNo(this.ecpay.merchant().merchantId, merchantTradeNo);
    if (!trade) throw new NotFoundException(`No order ${merchantTradeNo}`);
    const notifications = await this.notifications.find({ where: { tradeId: trade.id }, order: { receivedAt: 'ASC' } });
    return orderView(trade, notifications);
  }
}
