import { BadRequestException, Body, Controller, Get, Header, HttpCode, Inject, NotFoundException, Param, Post, Query, Redirect } from '@nestjs/common';
import { EcpayService, EcpayValidationError } from 'nestjs-ecpay';
import { DEMO_SETTINGS } from '../demo-settings.token.js';
import type { DemoSettings } from '../demo-settings.js';
import { CATALOG, isPlan } from './catalog.js';
import { orderPage, ordersPage, shopPage } from './shop-pages.js';
import { ShopOrdersService } from './shop-orders.service.js';

const HTML = 'text/html; charset=utf-8';

/** The shop's pages: products and a cart, the checkout that leaves for ECPay, and the orders with live status. */
@Controller()
export class ShopController {
  constructor(
    private readonly ecpay: EcpayService,
    private readonly orders: ShopOrdersService,
    @Inject(DEMO_SETTINGS) private readonly settings: DemoSettings,
  ) {}

  @Get()
  @Header('Content-Type', HTML)
  home(): string {
    return shopPage({ environment: this.ecpay.environment, merchantId: this.ecpay.merchant().merchantId, sandbox: this.settings.sandbox });
  }

  /** The cart form → the library's checkout → an auto-submitting form to ECPay (or the sandbox). */
  @Post('checkout')
  @HttpCode(200)
  @Header('Content-Type', HTML)
  async checkout(@Body() body: Record<string, unknown>): Promise<string> {
    const items = CATALOG.map((product) => ({ name: product.name, price: product.price, quantity: Number(body?.[`qty_${product.id}`] ?? 0) })).filter(
      (item) => item.quantity !== 0,
    );
    if (items.length === 0) throw new BadRequestException('Put something in the cart first.');
    if (items.some((item) => !Number.isInteger(item.quantity) || item.quantity < 0 || item.quantity > 99)) throw new BadRequestException('Quantities are whole numbers from 0 to 99.');
    const plan = isPlan(body?.plan) ? body.plan : 'credit';
    try {
      return (await this.orders.place(items, plan, this.settings.publicUrl)).html;
    } catch (error) {
      if (error instanceof EcpayValidationError) throw new BadRequestException({ message: 'The order breaks ECPay rules', issues: error.issues });
      throw error;
    }
  }

  @Get('orders')
  @Header('Content-Type', HTML)
  async list(): Promise<string> {
    return ordersPage(await this.orders.latest());
  }

  /** Where the library's OrderResultURL route sends the browser once it has verified ECPay's post. */
  @Get('orders/done')
  @Header('Content-Type', HTML)
  async done(@Query('merchantTradeNo') merchantTradeNo: string, @Query('rtnCode') rtnCode?: string): Promise<string> {
    return this.page(merchantTradeNo, rtnCode);
  }

  /** The refund button: the library picks ECPay's DoAction recipe from the trade's state; the page shows the outcome. */
  @Post('orders/:merchantTradeNo/refund')
  @Redirect()
  async refund(@Param('merchantTradeNo') merchantTradeNo: string): Promise<{ url: string; statusCode: number }> {
    const page = `/orders/${encodeURIComponent(merchantTradeNo)}`;
    try {
      await this.ecpay.refund(merchantTradeNo);
      return { url: `${page}?refund=done`, statusCode: 303 };
    } catch (error) {
      // The reason (a rule, ECPay's refusal, a timeout whose outcome is unknown) is shown, never a stack.
      return { url: `${page}?refund=${encodeURIComponent((error as Error).message.slice(0, 200))}`, statusCode: 303 };
    }
  }

  @Get('orders/:merchantTradeNo')
  @Header('Content-Type', HTML)
  show(@Param('merchantTradeNo') merchantTradeNo: string, @Query('refund') refund?: string): Promise<string> {
    return this.page(merchantTradeNo, undefined, refund);
  }

  private async page(merchantTradeNo: string, rtnCode?: string, refund?: string): Promise<string> {
    const order = typeof merchantTradeNo === 'string' ? await this.orders.find(merchantTradeNo) : undefined;
    if (!order) throw new NotFoundException(`No order ${merchantTradeNo}`);
    return orderPage(order, rtnCode, refund);
  }
}
