import { Controller, Get, Param, Post, Req, Res, type Type } from '@nestjs/common';
import { ECPAY_PATHS } from '../client/ecpay-endpoints.js';
import { EcpaySandboxStore } from './ecpay-sandbox.store.js';
import { errorText, renderErrorPage } from './pages/error-page.js';
import { renderPaymentCodePage } from './pages/payment-code-page.js';
import { payPath, renderPaymentPage } from './pages/payment-page.js';
import { renderResultPage } from './pages/result-page.js';
import { renderThreeDSecurePage } from './pages/three-d-secure-page.js';
import { readForm, send, wantsText, type SandboxRequest, type SandboxResponse } from './sandbox-http.js';
import { SandboxPaymentService, type PaymentStep } from './sandbox-payment.service.js';
import { htmlReply, redirectReply, textReply } from './sandbox-response.js';
import { SANDBOX_RTN, type SandboxRtn } from './sandbox-rtn-codes.js';
import type { SandboxTrade } from './sandbox-trade.interface.js';

const PAY = '__sandbox/pay/:token';

/**
 * The browser's side: `POST /Cashier/AioCheckOut/V5` on ECPay's own path, then the sandbox's payment page and its
 * steps. Every step is a plain form POST answered by a redirect to the page (so a reload never pays twice) or by the
 * page itself when it has something to say. A class per registration, for its path prefix.
 */
export function createSandboxCashierController(prefix: string): Type<unknown> {
  @Controller(prefix)
  class EcpaySandboxCashierController {
    constructor(
      private readonly payments: SandboxPaymentService,
      private readonly store: EcpaySandboxStore,
    ) {}

    @Post(ECPAY_PATHS.aioCheckOut)
    checkout(@Req() request: SandboxRequest, @Res() response: SandboxResponse): void {
      const fields = readForm(request);
      const result = fields
        ? this.payments.createTrade(fields)
        : SANDBOX_RTN.parameter('The request must be a UTF-8 form POST.');
      if ('code' in result) {
        send(response, wantsText(request) ? textReply(errorText(result)) : htmlReply(renderErrorPage(result)));
        return;
      }
      send(response, redirectReply(payPath(prefix, result)));
    }

    @Get(PAY)
    page(@Param('token') token: string, @Res() response: SandboxResponse): void {
      this.withTrade(token, response, (trade) => htmlReply(this.render(trade)));
    }

    @Post(`${PAY}/method`)
    method(
      @Param('token') token: string,
      @Req() request: SandboxRequest,
      @Res() response: SandboxResponse,
    ): Promise<void> {
      return this.step(token, request, response, (trade, form) => this.payments.chooseMethod(trade, form.method));
    }

    @Post(`${PAY}/card`)
    card(
      @Param('token') token: string,
      @Req() request: SandboxRequest,
      @Res() response: SandboxResponse,
    ): Promise<void> {
      return this.step(token, request, response, (trade, form) => this.payments.submitCard(trade, form));
    }

    @Post(`${PAY}/3ds`)
    threeDSecure(
      @Param('token') token: string,
      @Req() request: SandboxRequest,
      @Res() response: SandboxResponse,
    ): Promise<void> {
      return this.step(token, request, response, (trade, form) => this.payments.confirmThreeDSecure(trade, form));
    }

    @Post(`${PAY}/code`)
    code(
      @Param('token') token: string,
      @Req() request: SandboxRequest,
      @Res() response: SandboxResponse,
    ): Promise<void> {
      return this.step(token, request, response, (trade) => this.payments.issueCode(trade));
    }

    @Post(`${PAY}/code/pay`)
    payCode(
      @Param('token') token: string,
      @Req() request: SandboxRequest,
      @Res() response: SandboxResponse,
    ): Promise<void> {
      return this.step(token, request, response, (trade) => this.payments.payCode(trade));
    }

    @Post(`${PAY}/pay`)
    pay(
      @Param('token') token: string,
      @Req() request: SandboxRequest,
      @Res() response: SandboxResponse,
    ): Promise<void> {
      return this.step(token, request, response, (trade) => this.payments.payOther(trade));
    }

    private async step(
      token: string,
      request: SandboxRequest,
      response: SandboxResponse,
      run: (trade: SandboxTrade, form: Record<string, string>) => PaymentStep | Promise<PaymentStep>,
    ): Promise<void> {
      const trade = this.aioTrade(token);
      if (!trade) return this.notFound(response);
      const outcome = await run(trade, readForm(request) ?? {});
      if (outcome.next === 'result') return send(response, htmlReply(renderResultPage(trade, outcome.orderResult)));
      // Post/redirect/get: a reload of the page repeats nothing.
      send(
        response,
        outcome.error ? htmlReply(this.render(trade, outcome.error)) : redirectReply(payPath(prefix, trade), 303),
      );
    }

    private render(trade: SandboxTrade, error?: string): string {
      switch (trade.status) {
        case 'created':
          return renderPaymentPage(trade, prefix, this.payments.offeredMethods(trade), error);
        case 'awaiting-3ds':
          return renderThreeDSecurePage(trade, prefix, error);
        case 'code-issued':
          return renderPaymentCodePage(trade, prefix, trade.paymentInfo);
        default:
          return renderResultPage(trade, this.payments.orderResultOf(trade));
      }
    }

    private withTrade(
      token: string,
      response: SandboxResponse,
      render: (trade: SandboxTrade) => ReturnType<typeof htmlReply>,
    ): void {
      const trade = this.aioTrade(token);
      if (!trade) return this.notFound(response);
      send(response, render(trade));
    }

    /**
     * The payment page serves AioCheckOut trades only: a JSON API's trade has its own pages (and no card form here).
     */
    private aioTrade(token: string): SandboxTrade | undefined {
      const trade = this.store.tradeByToken(token);
      return trade && (trade.origin ?? 'aio') === 'aio' ? trade : undefined;
    }

    private notFound(response: SandboxResponse): void {
      const missing: SandboxRtn = SANDBOX_RTN.tradeNotFound;
      send(response, htmlReply(renderErrorPage(missing), 404));
    }
  }
  return EcpaySandboxCashierController;
}
