import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  UnsupportedMediaTypeException,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import { EcpayApiError, EcpayOperationError, EcpayService, EcpayValidationError } from 'nestjs-ecpay';
import { DEMO_SETTINGS } from '../demo-settings.token.js';
import type { DemoSettings } from '../demo-settings.js';
import { DemoAdminGuard } from '../security/demo-admin.guard.js';
import { ShopOrdersService } from '../shop/shop-orders.service.js';
import { CreateOrderDto } from './create-order.dto.js';
import { orderValidationPipe } from './order-validation.pipe.js';
import type { OrderView } from './order-view.js';
import type { Plan } from '../shop/catalog.js';
import type { DemoPaymentMethod } from './create-order.dto.js';

const PLAN_OF_METHOD: Record<DemoPaymentMethod, Plan> = {
  Credit: 'credit',
  ATM: 'atm',
  CVS: 'cvs',
  BARCODE: 'barcode',
  ALL: 'all',
};

/** JSON endpoints for scripts: create an order (the signed checkout fields) and follow its status. */
@Controller('api/orders')
export class OrdersController {
  constructor(
    private readonly ecpay: EcpayService,
    private readonly orders: ShopOrdersService,
    @Inject(DEMO_SETTINGS) private readonly settings: DemoSettings,
  ) {}

  /** `{ merchantTradeNo, action, fields }`: POST `fields` to `action` (a browser form) to pay. */
  @Post()
  @HttpCode(201)
  @UsePipes(orderValidationPipe)
  async create(
    @Body() order: CreateOrderDto,
  ): Promise<{ merchantTradeNo: string; action: string; fields: Readonly<Record<string, string>> }> {
    try {
      const items = order.items.map(({ name, price, quantity }) => ({ name, price, quantity }));
      const checkout = await this.orders.place(
        items,
        PLAN_OF_METHOD[order.method ?? 'Credit'],
        this.settings.publicUrl,
      );
      return { merchantTradeNo: checkout.merchantTradeNo, action: checkout.action, fields: checkout.fields };
    } catch (error) {
      if (error instanceof EcpayValidationError)
        throw new BadRequestException({ message: 'The order breaks ECPay rules', issues: error.issues });
      throw error;
    }
  }

  /**
   * Refunds a paid order, in full or `{ "amount": n }` TWD: the library chooses ECPay's DoAction recipe. An
   * administrator's action: `Authorization: Bearer <ECPAY_DEMO_ADMIN_TOKEN>` outside the sandbox
   * ({@link DemoAdminGuard}). JSON only, so another site cannot make a browser post it as a plain form.
   */
  @Post(':merchantTradeNo/refund')
  @HttpCode(200)
  @UseGuards(DemoAdminGuard)
  async refund(
    @Param('merchantTradeNo') merchantTradeNo: string,
    @Headers('content-type') contentType: string | undefined,
    @Body() body: { amount?: unknown } = {},
  ): Promise<OrderView> {
    if (!/^application\/json\s*(;|$)/i.test(contentType ?? '')) {
      throw new UnsupportedMediaTypeException(
        'POST the refund as application/json ({} for the whole amount, or { "amount": n })',
      );
    }
    const amount = body?.amount;
    if (amount !== undefined && (typeof amount !== 'number' || !Number.isInteger(amount) || amount <= 0)) {
      throw new BadRequestException({
        message: 'The refund is invalid',
        issues: [
          { field: 'amount', rule: 'positive-integer', message: 'amount must be a whole number of TWD above 0' },
        ],
      });
    }
    if (!(await this.orders.find(merchantTradeNo))) throw new NotFoundException(`No order ${merchantTradeNo}`);
    try {
      await this.ecpay.refund(merchantTradeNo, amount as number | undefined);
    } catch (error) {
      if (error instanceof EcpayOperationError || error instanceof EcpayApiError)
        throw new BadRequestException({ message: `Refund refused: ${error.message}` });
      throw error;
    }
    return (await this.orders.find(merchantTradeNo))!;
  }

  @Get(':merchantTradeNo')
  async find(@Param('merchantTradeNo') merchantTradeNo: string): Promise<OrderView> {
    const order = await this.orders.find(merchantTradeNo);
    if (!order) throw new NotFoundException(`No order ${merchantTradeNo}`);
    return order;
  }
}
