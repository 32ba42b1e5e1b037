import { Controller, Get, Param, Post, Query, Req, Res, type Type } from '@nestjs/common';
import { EcpaySandboxStore } from '../ecpay-sandbox.store.js';
import { renderBackAuthOtpPage, threeDSecurePath } from '../pages/back-auth-otp-page.js';
import { bindPath, renderBindCardPage } from '../pages/bind-card-page.js';
import { renderEnvelopeResultPage } from '../pages/envelope-result-page.js';
import { renderErrorPage } from '../pages/error-page.js';
import { readForm, send, type SandboxRequest, type SandboxResponse } from '../sandbox-http.js';
import { htmlReply, redirectReply } from '../sandbox-response.js';
import { SANDBOX_RTN } from '../sandbox-rtn-codes.js';
import type { SandboxTrade } from '../sandbox-trade.interface.js';
import { SandboxBackAuthService } from './sandbox-back-auth.service.js';
import { SandboxBindCardService } from './sandbox-bind-card.service.js';
import type { SandboxBindingSession } from './sandbox-json-records.interface.js';

/**
 * The browser's side of the JSON APIs: BackAuth's 3-D Secure page (where ThreeDURL points) and the card-binding
 * page (the stand-in for ECPay's JS SDK). Plain form posts; a step that has nothing to say redirects back to the
 * page (post/redirect/get), so a reload never authorizes twice.
 */
export function createSandboxJsonPagesController(prefix: string): Type<unknown> {
  @Controller(`${prefix}/__sandbox`)
  class EcpaySandboxJsonPagesController {
    constructor(
      private readonly store: EcpaySandboxStore,
      private readonly backAuth: SandboxBackAuthService,
      private readonly binding: SandboxBindCardService,
    ) {}

    @Get('3ds/:token')
    threeDSecurePage(@Param('token') token: string, @Res() response: SandboxResponse): void {
      const trade = this.backAuthTrade(token);
      if (!trade) return this.notFound(response);
      const page =
        trade.status === 'awaiting-3ds'
          ? renderBackAuthOtpPage(trade, prefix)
          : renderEnvelopeResultPage(trade, this.backAuth.resultEnvelope(trade));
      send(response, htmlReply(page));
    }

    @Post('3ds/:token')
    async threeDSecure(
      @Param('token') token: string,
      @Req() request: SandboxRequest,
      @Res() response: SandboxResponse,
    ): Promise<void> {
      const trade = this.backAuthTrade(token);
      if (!trade) return this.notFound(response);
      const step = await this.backAuth.confirmThreeDSecure(trade, readForm(request) ?? {});
      if (step.next === 'result') return send(response, htmlReply(renderEnvelopeResultPage(trade, step.envelope)));
      send(
        response,
        step.error
          ? htmlReply(renderBackAuthOtpPage(trade, prefix, step.error))
          : redirectReply(threeDSecurePath(prefix, trade), 303),
      );
    }

    @Get('bind/:token')
    bindPage(
      @Param('token') token: string,
      @Query('return') returnUrl: unknown,
      @Res() response: SandboxResponse,
    ): void {
      this.withSession(token, response, (session) => {
        // Sandbox only: the shop page to hand the BindCardPayToken to (ECPay's SDK gives it to the shop's own script).
        if (
          typeof returnUrl === 'string' &&
          /^https?:\/\/[^\s"<>]{1,200}$/.test(returnUrl) &&
          session.status === 'awaiting-card'
        )
          session.returnUrl = returnUrl;
        return renderBindCardPage(session, this.binding.tradeOf(session), prefix);
      });
    }

    @Post('bind/:token/card')
    bindCard(@Param('token') token: string, @Req() request: SandboxRequest, @Res() response: SandboxResponse): void {
      this.bindStep(token, response, (session) => this.binding.submitCard(session, readForm(request) ?? {}));
    }

    @Post('bind/:token/3ds')
    bindOtp(@Param('token') token: string, @Req() request: SandboxRequest, @Res() response: SandboxResponse): void {
      this.bindStep(token, response, (session) => this.binding.confirmOtp(session, readForm(request) ?? {}));
    }

    private bindStep(
      token: string,
      response: SandboxResponse,
      run: (session: SandboxBindingSession) => { error?: string },
    ): void {
      const session = this.store.binding(token);
      if (!session) return this.notFound(response);
      const { error } = run(session);
      send(
        response,
        error
          ? htmlReply(renderBindCardPage(session, this.binding.tradeOf(session), prefix, error))
          : redirectReply(bindPath(prefix, session), 303),
      );
    }

    private withSession(
      token: string,
      response: SandboxResponse,
      render: (session: SandboxBindingSession) => string,
    ): void {
      const session = this.store.binding(token);
      if (!session) return this.notFound(response);
      send(response, htmlReply(render(session)));
    }

    /** Only BackAuth trades have this page; an AIO trade's token leads nowhere here. */
    private backAuthTrade(token: string): SandboxTrade | undefined {
      const trade = this.store.tradeByToken(token);
      return trade?.origin === 'back-auth' ? trade : undefined;
    }

    private notFound(response: SandboxResponse): void {
      send(response, htmlReply(renderErrorPage(SANDBOX_RTN.tradeNotFound), 404));
    }
  }
  return EcpaySandboxJsonPagesController;
}
