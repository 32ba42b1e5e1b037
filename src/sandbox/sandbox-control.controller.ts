import { Controller, Delete, Get, Param, Post, Query, Req, Res, type Type } from '@nestjs/common';
import type { EcpaySandboxFaults } from './ecpay-sandbox-options.interface.js';
import { EcpaySandboxNotifier } from './ecpay-sandbox.notifier.js';
import { EcpaySandboxStore } from './ecpay-sandbox.store.js';
import { readControlBody, send, type SandboxRequest, type SandboxResponse } from './sandbox-http.js';
import { SandboxPaymentService } from './sandbox-payment.service.js';
import { jsonReply } from './sandbox-response.js';

/**
 * The sandbox's control API under `/__sandbox`: what tests and the demo use to look inside (trades, notifications
 * and every delivery attempt, card bindings, bound cards, JSON API calls) and to steer (periodic charges, the
 * nightly close, faults). JSON in (or a form), JSON out.
 */
export function createSandboxControlController(prefix: string): Type<unknown> {
  @Controller(`${prefix}/__sandbox`)
  class EcpaySandboxControlController {
    constructor(
      private readonly store: EcpaySandboxStore,
      private readonly payments: SandboxPaymentService,
      private readonly notifier: EcpaySandboxNotifier,
    ) {}

    @Get('trades')
    trades(@Res() response: SandboxResponse): void {
      send(response, jsonReply(this.store.trades()));
    }

    /**
     * A trade with its notifications and their delivery attempts; `?merchantId=` when several merchants share the
     * number.
     */
    @Get('trades/:merchantTradeNo')
    trade(
      @Param('merchantTradeNo') merchantTradeNo: string,
      @Query('merchantId') merchantId: string | undefined,
      @Res() response: SandboxResponse,
    ): void {
      const trade = this.store.trade(merchantTradeNo, merchantId || undefined);
      send(response, trade ? jsonReply(trade) : jsonReply({ error: `no trade ${merchantTradeNo}` }, 404));
    }

    /** Card-binding sessions (GetTokenbyBindingCard), with their status and BindCardPayToken. */
    @Get('bindings')
    bindings(@Res() response: SandboxResponse): void {
      send(response, jsonReply(this.store.bindings()));
    }

    @Get('bindings/:token')
    binding(@Param('token') token: string, @Res() response: SandboxResponse): void {
      const session = this.store.binding(token);
      send(response, session ? jsonReply(session) : jsonReply({ error: `no binding ${token}` }, 404));
    }

    /** Bound cards (deleted ones too, with `deletedAt`); `?merchantMemberId=` and `?merchantId=` filter. */
    @Get('cards')
    cards(
      @Query('merchantId') merchantId: string | undefined,
      @Query('merchantMemberId') merchantMemberId: string | undefined,
      @Res() response: SandboxResponse,
    ): void {
      send(
        response,
        jsonReply(
          this.store.cards({ merchantId: merchantId || undefined, merchantMemberId: merchantMemberId || undefined }),
        ),
      );
    }

    /** Requests that reached the JSON/AES APIs (`?api=backAuth` filters), e.g. to count BackAuth calls. */
    @Get('api-calls')
    apiCalls(@Query('api') api: string | undefined, @Res() response: SandboxResponse): void {
      send(response, jsonReply(this.store.apiCalls().filter((call) => !api || call.api === api)));
    }

    /** Waits until every notification has been delivered, has failed for good, or was dropped. */
    @Post('settled')
    async settled(@Res() response: SandboxResponse): Promise<void> {
      await this.notifier.settled();
      send(response, jsonReply({ settled: true }));
    }

    /** The next periodic charge of `{ MerchantTradeNo, MerchantID?, fail? }`, posted to PeriodReturnURL. */
    @Post('period-charge')
    async periodCharge(@Req() request: SandboxRequest, @Res() response: SandboxResponse): Promise<void> {
      const body = readControlBody(request);
      const trade = this.store.trade(
        String(body.MerchantTradeNo ?? body.merchantTradeNo ?? ''),
        optionalString(body.MerchantID ?? body.merchantId),
      );
      if (!trade) return send(response, jsonReply({ error: 'no such trade' }, 404));
      try {
        send(response, jsonReply(await this.payments.chargePeriod(trade, truthy(body.fail))));
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        send(response, jsonReply({ error: error.message }, 409));
      }
    }

    /** ECPay's nightly close (每日自動關帳, 20:15): authorized and 要關帳 card trades become 已關帳. */
    @Post('settle')
    settle(@Res() response: SandboxResponse): void {
      const closed: string[] = [];
      for (const trade of this.store.trades()) {
        if (trade.credit && (trade.credit.state === 'authorized' || trade.credit.state === 'to-close')) {
          trade.credit.state = 'closed';
          closed.push(trade.merchantTradeNo);
        }
      }
      send(response, jsonReply({ closed }));
    }

    @Get('faults')
    faults(@Res() response: SandboxResponse): void {
      send(response, jsonReply(this.store.faults()));
    }

    /**
     * Changes the faults named in the body (JSON, or a form whose values are "true"/"false"/numbers); the rest stay.
     */
    @Post('faults')
    setFaults(@Req() request: SandboxRequest, @Res() response: SandboxResponse): void {
      try {
        send(response, jsonReply(this.store.setFaults(coerceFaults(readControlBody(request)))));
      } catch (error) {
        if (!(error instanceof TypeError)) throw error;
        send(response, jsonReply({ error: error.message }, 400));
      }
    }

    @Delete('faults')
    clearFaults(@Res() response: SandboxResponse): void {
      send(response, jsonReply(this.store.clearFaults()));
    }

    /** Forgets every trade and puts the forRoot faults back. */
    @Post('reset')
    reset(@Res() response: SandboxResponse): void {
      this.store.reset();
      send(response, jsonReply({ reset: true }));
    }
  }
  return EcpaySandboxControlController;
}

const optionalString = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;
const truthy = (value: unknown): boolean => value === true || value === 'true' || value === '1';

/** Form posts carry strings; JSON carries the real types. Both end up as the typed faults (checked by the store). */
function coerceFaults(body: Record<string, unknown>): EcpaySandboxFaults {
  const faults: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    if (value === 'true' || value === 'false') faults[name] = value === 'true';
    else if (typeof value === 'string' && /^\d+$/.test(value)) faults[name] = Number(value);
    else faults[name] = value;
  }
  return faults as EcpaySandboxFaults;
}
