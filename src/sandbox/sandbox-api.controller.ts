import { Controller, Post, Req, Res, type Type } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { ECPAY_PATHS } from '../client/ecpay-endpoints.js';
import { EcpaySandboxStore } from './ecpay-sandbox.store.js';
import { SandboxApiService } from './sandbox-api.service.js';
import { readForm, send, type SandboxRequest, type SandboxResponse } from './sandbox-http.js';
import { textReply, type SandboxReply } from './sandbox-response.js';
import { SANDBOX_RTN } from './sandbox-rtn-codes.js';

/**
 * ECPay's server APIs on ECPay's own paths. The faults apply here, and only here: ECPay's rate limit covers the
 * APIs "不包含建立付款訂單" (not creating orders, docs/protocol.md §8.1), and the payment pages are not an API.
 */
export function createSandboxApiController(prefix: string): Type<unknown> {
  @Controller(prefix)
  class EcpaySandboxApiController {
    constructor(
      private readonly api: SandboxApiService,
      private readonly store: EcpaySandboxStore,
    ) {}

    @Post(ECPAY_PATHS.queryTradeInfo)
    queryTradeInfo(@Req() request: SandboxRequest, @Res() response: SandboxResponse): Promise<void> {
      return this.serve(request, response, (fields) => this.api.queryTradeInfo(fields));
    }

    @Post(ECPAY_PATHS.doAction)
    doAction(@Req() request: SandboxRequest, @Res() response: SandboxResponse): Promise<void> {
      return this.serve(request, response, (fields) => this.api.doAction(fields));
    }

    @Post(ECPAY_PATHS.queryCreditCardPeriodInfo)
    periodInfo(@Req() request: SandboxRequest, @Res() response: SandboxResponse): Promise<void> {
      return this.serve(request, response, (fields) => this.api.periodInfo(fields));
    }

    @Post(ECPAY_PATHS.creditCardPeriodAction)
    periodAction(@Req() request: SandboxRequest, @Res() response: SandboxResponse): Promise<void> {
      return this.serve(request, response, (fields) => this.api.periodAction(fields));
    }

    private async serve(
      request: SandboxRequest,
      response: SandboxResponse,
      handle: (fields: Record<string, string>) => SandboxReply | Promise<SandboxReply>,
    ): Promise<void> {
      const faults = this.store.faults();
      if (faults.delayMs) await sleep(faults.delayMs);
      // ECPay's rate limit is a bare HTTP 403 (docs/protocol.md §8.1): no body a client could mistake for an answer.
      if (faults.rateLimit) return send(response, textReply('Forbidden', 403));
      if (faults.serverError) return send(response, textReply('Internal Server Error', 500));
      const fields = readForm(request);
      if (!fields) {
        const malformed = SANDBOX_RTN.parameter('The request must be a UTF-8 form POST.');
        return send(response, textReply(`${malformed.code}|${malformed.message}`));
      }
      send(response, await handle(fields));
    }
  }
  return EcpaySandboxApiController;
}
