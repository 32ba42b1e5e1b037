import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  Redirect,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { EcpayService, EcpayValidationError } from 'nestjs-ecpay';
import { DEMO_SETTINGS } from '../demo-settings.token.js';
import type { DemoSettings } from '../demo-settings.js';
import { DemoAdminGuard } from '../security/demo-admin.guard.js';
import { DemoCsrf, DemoCsrfGuard, type CsrfRequest, type CsrfResponse } from '../security/demo-csrf.js';
import { CATALOG, isPlan } from './catalog.js';
import { orderPage, ordersPage, shopPage } from './shop-pages.js';
import { DEMO_MEMBER, ShopOrdersService } from './shop-orders.service.js';

const HTML = 'text/html; charset=utf-8';

/** The shop's pages: products and a cart, the checkout that leaves for ECPay, and the orders with live status. */
@Controller()
export class ShopController {
  constructor(
    private readonly ecpay: EcpayService,
    private readonly orders: ShopOrdersService,
    @Inject(DEMO_SETTINGS) private readonly settings: DemoSettings,
    private readonly csrf: DemoCsrf,
  ) {}

  @Get()
  @Header('Content-Type', HTML)
  async home(@Query('card') card?: string): Promise<string> {
    const notice =
      card === undefined ? undefined : card === 'bound' ? 'Your card is saved.' : `The card was not saved: ${card}`;
    return shopPage({
      environment: this.ecpay.environment,
      merchantId: this.ecpay.merchant().merchantId,
      sandbox: this.settings.sandbox,
      savedCards: await this.orders.savedCards(),
      notice,
    });
  }

  /**
   * "Save a card": a token for ECPay's card form. On the sandbox the browser goes to its stand-in form, which hands
   * the BindCardPayToken back to /cards/complete; against ECPay, a shop embeds ECPay's JavaScript SDK instead.
   */
  @Post('cards/bind')
  @Redirect()
  async bindCard(): Promise<{ url: string; statusCode: number }> {
    if (!this.settings.sandbox)
      throw new BadRequestException(
        "Saving a card against ECPay needs ECPay's JavaScript SDK on the page; the demo shows it with the sandbox (ECPAY_ENV=sandbox).",
      );
    const { token } = await this.ecpay.cards.startBinding({ memberId: DEMO_MEMBER });
    const back = encodeURIComponent(`${this.settings.publicUrl}/cards/complete`);
    return { url: `${this.settings.ecpay.sandboxUrl}/__sandbox/bind/${token}?return=${back}`, statusCode: 303 };
  }

  /** The shop's server finishes the binding with the token ECPay's form gave the browser (CreateBindCard). */
  @Post('cards/complete')
  @Redirect()
  async completeBinding(@Body() body: Record<string, unknown>): Promise<{ url: string; statusCode: number }> {
    const bindCardPayToken = typeof body?.BindCardPayToken === 'string' ? body.BindCardPayToken : '';
    try {
      const result = await this.ecpay.cards.completeBinding({ memberId: DEMO_MEMBER, bindCardPayToken });
      return {
        url:
          result.status === 'bound'
            ? '/?card=bound'
            : `/?card=${encodeURIComponent(result.status === 'failed' ? result.rtnMsg : '3-D Secure required')}`,
        statusCode: 303,
      };
    } catch (error) {
      return { url: `/?card=${encodeURIComponent((error as Error).message.slice(0, 200))}`, statusCode: 303 };
    }
  }

  /** The cart form → the library's checkout → an auto-submitting form to ECPay (or the sandbox). */
  @Post('checkout')
  @HttpCode(200)
  @Header('Content-Type', HTML)
  async checkout(@Body() body: Record<string, unknown>): Promise<string> {
    const items = CATALOG.map((product) => ({
      name: product.name,
      price: product.price,
      quantity: Number(body?.[`qty_${product.id}`] ?? 0),
    })).filter((item) => item.quantity !== 0);
    if (items.length === 0) throw new BadRequestException('Put something in the cart first.');
    if (items.some((item) => !Number.isInteger(item.quantity) || item.quantity < 0 || item.quantity > 99))
      throw new BadRequestException('Quantities are whole numbers from 0 to 99.');
    const savedCard =
      typeof body?.plan === 'string' && body.plan.startsWith('saved-card:')
        ? body.plan.slice('saved-card:'.length)
        : undefined;
    const plan = isPlan(body?.plan) ? body.plan : 'credit';
    try {
      if (savedCard) {
        // Charged server to server with the saved card (CreatePaymentWithCardID): no card form, straight to the order.
        const paid = await this.ecpay.cards.payWithBoundCard({
          memberId: DEMO_MEMBER,
          bindCardId: savedCard,
          totalAmount: items.reduce((sum, item) => sum + item.price * item.quantity, 0),
          items,
          tradeDesc: 'nestjs-ecpay demo shop',
        });
        const page = `/orders/${encodeURIComponent(paid.merchantTradeNo)}`;
        return `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${page}"><a href="${page}">Order ${paid.merchantTradeNo}: ${paid.status}</a>`;
      }
      return (await this.orders.place(items, plan, this.settings.publicUrl)).html;
    } catch (error) {
      if (error instanceof EcpayValidationError)
        throw new BadRequestException({ message: 'The order breaks ECPay rules', issues: error.issues });
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
  async done(
    @Query('merchantTradeNo') merchantTradeNo: string,
    @Req() request: CsrfRequest,
    @Res({ passthrough: true }) response: CsrfResponse,
    @Query('rtnCode') rtnCode?: string,
  ): Promise<string> {
    return this.page(merchantTradeNo, request, response, rtnCode);
  }

  /**
   * The refund button: the library picks ECPay's DoAction recipe from the trade's state; the page shows the outcome.
   * The form carries the page's CSRF token ({@link DemoCsrfGuard}) and, outside the sandbox, the admin token
   * ({@link DemoAdminGuard}).
   */
  @Post('orders/:merchantTradeNo/refund')
  @UseGuards(DemoCsrfGuard, DemoAdminGuard)
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
  show(
    @Param('merchantTradeNo') merchantTradeNo: string,
    @Req() request: CsrfRequest,
    @Res({ passthrough: true }) response: CsrfResponse,
    @Query('refund') refund?: string,
  ): Promise<string> {
    return this.page(merchantTradeNo, request, response, undefined, refund);
  }

  private async page(
    merchantTradeNo: string,
    request: CsrfRequest,
    response: CsrfResponse,
    rtnCode?: string,
    refund?: string,
  ): Promise<string> {
    const order = typeof merchantTradeNo === 'string' ? await this.orders.find(merchantTradeNo) : undefined;
    if (!order) throw new NotFoundException(`No order ${merchantTradeNo}`);
    const { sandbox, adminToken } = this.settings;
    const refunds = !sandbox && adminToken === undefined ? 'disabled' : adminToken === undefined ? 'open' : 'admin';
    return orderPage(order, rtnCode, refund, { refunds, csrfToken: this.csrf.tokenFor(request, response) });
  }
}
