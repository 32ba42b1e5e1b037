import { Controller, Inject, Post, Req, Res, type Type } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { ECPAY_PATHS } from '../../client/ecpay-endpoints.js';
import { ECPAY_SANDBOX_OPTIONS } from '../ecpay-sandbox.constants.js';
import type { ResolvedEcpaySandboxOptions } from '../ecpay-sandbox-options.interface.js';
import { EcpaySandboxStore } from '../ecpay-sandbox.store.js';
import { readJsonBody, requestOrigin, send, type SandboxRequest, type SandboxResponse } from '../sandbox-http.js';
import { jsonReply, textReply } from '../sandbox-response.js';
import { SandboxBackAuthService } from './sandbox-back-auth.service.js';
import { SandboxBindCardService } from './sandbox-bind-card.service.js';
import { object, text } from './sandbox-json-data.js';
import {
  buildResponseEnvelope,
  openRequestEnvelope,
  refusalEnvelope,
  type SandboxResponseEnvelope,
} from './sandbox-json-envelope.js';
import type { SandboxJsonApi } from './sandbox-json-records.interface.js';
import { identifyRequest, type JsonRequest } from './sandbox-json-request.js';

type Handler = (request: JsonRequest, http: SandboxRequest) => Record<string, unknown>;

/**
 * ECPay's JSON/AES APIs on ECPay's own paths (ecpayment: BackAuth, QueryTrade; ecpg: the card binding family).
 * Every answer is the envelope `{ MerchantID, RpHeader, TransCode, TransMsg, Data }` with HTTP 200, as ECPay's: a
 * request it cannot read gets TransCode ≠ 1, a business refusal RtnCode ≠ 1 inside Data.
 *
 * Faults: 403 (rate limit) and 500 turn the request away unread. The delay is served AFTER the request was carried
 * out, so a client that times out has still had its card authorized — the case that makes a timeout's outcome
 * unknown and a QueryTrade necessary.
 */
export function createSandboxJsonApiController(prefix: string): Type<unknown> {
  @Controller(prefix)
  class EcpaySandboxJsonApiController {
    constructor(
      private readonly store: EcpaySandboxStore,
      private readonly backAuthService: SandboxBackAuthService,
      private readonly binding: SandboxBindCardService,
      @Inject(ECPAY_SANDBOX_OPTIONS) private readonly options: ResolvedEcpaySandboxOptions,
    ) {}

    @Post(ECPAY_PATHS.backAuth)
    backAuth(@Req() request: SandboxRequest, @Res() response: SandboxResponse): Promise<void> {
      return this.serve('backAuth', request, response, (json, http) =>
        this.backAuthService.backAuth(json, requestOrigin(http)),
      );
    }

    @Post(ECPAY_PATHS.queryTrade)
    queryTrade(@Req() request: SandboxRequest, @Res() response: SandboxResponse): Promise<void> {
      return this.serve('queryTrade', request, response, (json) => this.backAuthService.queryTrade(json));
    }

    @Post(ECPAY_PATHS.getTokenByBindingCard)
    getTokenByBindingCard(@Req() request: SandboxRequest, @Res() response: SandboxResponse): Promise<void> {
      return this.serve('getTokenByBindingCard', request, response, (json) => this.binding.getTokenByBindingCard(json));
    }

    @Post(ECPAY_PATHS.createBindCard)
    createBindCard(@Req() request: SandboxRequest, @Res() response: SandboxResponse): Promise<void> {
      return this.serve('createBindCard', request, response, (json) => this.binding.createBindCard(json));
    }

    @Post(ECPAY_PATHS.createPaymentWithCardId)
    createPaymentWithCardId(@Req() request: SandboxRequest, @Res() response: SandboxResponse): Promise<void> {
      return this.serve('createPaymentWithCardId', request, response, (json) =>
        this.binding.createPaymentWithCardId(json),
      );
    }

    @Post(ECPAY_PATHS.getMemberBindCard)
    getMemberBindCard(@Req() request: SandboxRequest, @Res() response: SandboxResponse): Promise<void> {
      return this.serve('getMemberBindCard', request, response, (json) => this.binding.getMemberBindCard(json));
    }

    @Post(ECPAY_PATHS.deleteMemberBindCard)
    deleteMemberBindCard(@Req() request: SandboxRequest, @Res() response: SandboxResponse): Promise<void> {
      return this.serve('deleteMemberBindCard', request, response, (json) => this.binding.deleteMemberBindCard(json));
    }

    private async serve(
      api: SandboxJsonApi,
      request: SandboxRequest,
      response: SandboxResponse,
      handle: Handler,
    ): Promise<void> {
      const faults = this.store.faults();
      // ECPay's rate limit is a bare HTTP 403 (docs/protocol.md §8.1): no body a client could mistake for an answer.
      if (faults.rateLimit) return send(response, textReply('Forbidden', 403));
      if (faults.serverError) return send(response, textReply('Internal Server Error', 500));
      const envelope = this.answer(api, request, handle);
      if (faults.delayMs) await sleep(faults.delayMs);
      send(response, jsonReply(envelope));
    }

    private answer(api: SandboxJsonApi, request: SandboxRequest, handle: Handler): SandboxResponseEnvelope {
      const now = this.options.clock.now();
      const at = now.toISOString();
      const opened = openRequestEnvelope(readJsonBody(request), (id) => this.store.merchant(id), now);
      if (!opened.ok) {
        this.store.recordCall({
          api,
          at,
          ...(opened.merchantId ? { merchantId: opened.merchantId } : {}),
          transCode: opened.refusal.code,
        });
        return refusalEnvelope(opened.merchantId, opened.refusal, now);
      }
      const identified = identifyRequest(opened.merchant, opened.data, this.store);
      const data = 'refusal' in identified ? identified.refusal : handle(identified, request);
      const merchantTradeNo =
        text(object(opened.data, 'OrderInfo'), 'MerchantTradeNo') ?? text(opened.data, 'MerchantTradeNo');
      this.store.recordCall({
        api,
        at,
        merchantId: opened.merchant.merchantId,
        ...(merchantTradeNo ? { merchantTradeNo } : {}),
        transCode: 1,
        rtnCode: Number(data.RtnCode),
      });
      return buildResponseEnvelope(opened.merchant, data, this.options.clock.now());
    }
  }
  return EcpaySandboxJsonApiController;
}
