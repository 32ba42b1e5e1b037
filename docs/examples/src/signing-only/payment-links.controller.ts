import {
  Controller,
  Get,
  Header,
  HttpCode,
  NotFoundException,
  Param,
  ParseIntPipe,
  Post,
  Query,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import {
  EcpayCallbackExceptionFilter,
  EcpayCheckMacGuard,
  EcpayService,
  EcpayVerifiedNotification,
  type AioReturnNotification,
} from 'nestjs-ecpay';

@Controller()
export class PaymentLinksController {
  // A real app keeps these in its own database.
  private readonly payments = new Map<string, 'paid' | 'failed'>();

  constructor(private readonly ecpay: EcpayService) {}

  /** A page that sends the customer to ECPay to pay an invoice (every AIO rule checked, nothing stored). */
  @Get('pay/:invoice')
  @Header('Content-Type', 'text/html; charset=utf-8')
  pay(@Param('invoice') invoice: string, @Query('amount', ParseIntPipe) amount: number): string {
    return this.ecpay.buildCheckout({
      merchantTradeNo: invoice,
      items: [{ name: `Invoice ${invoice}`, price: amount, quantity: 1 }],
      description: 'Invoice payment',
      payment: { method: 'Credit' },
    }).html;
  }

  /** ECPay's ReturnURL: the guard answers `0|…` with 400 to anything not signed with our keys. */
  @Post('ecpay/return')
  @HttpCode(200)
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @UseGuards(EcpayCheckMacGuard)
  @UseFilters(EcpayCallbackExceptionFilter)
  paid(@EcpayVerifiedNotification('aio-return') notification: AioReturnNotification): string {
    if (!notification.SimulatePaid)
      this.payments.set(notification.MerchantTradeNo, notification.succeeded ? 'paid' : 'failed');
    return '1|OK';
  }

  @Get('pay/:invoice/status')
  status(@Param('invoice') invoice: string): { invoice: string; status: 'paid' | 'failed' } {
    const status = this.payments.get(invoice);
    if (!status) throw new NotFoundException();
    return { invoice, status };
  }
}
