import { Body, Controller, Get, NotFoundException, Param, Post, ValidationPipe } from '@nestjs/common';
import { CartDto } from './cart.dto.js';
import { OrdersService, type OrderView } from './orders.service.js';

@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  checkout(@Body(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true })) cart: CartDto) {
    return this.orders.checkout(cart);
  }

  @Get(':merchantTradeNo')
  async find(@Param('merchantTradeNo') merchantTradeNo: string): Promise<OrderView> {
    const order = await this.orders.find(merchantTradeNo);
    if (!order) throw new NotFoundException();
    return order;
  }
}
