import {
  Controller,
  Header,
  HttpCode,
  Logger,
  Post,
  Redirect,
  Req,
  Res,
  UseFilters,
  UseGuards,
  type Type,
} from '@nestjs/common';
import {
  ECPAY_CALLBACK_ROUTE_PATHS,
  resolveEcpayCallbackRoutes,
  type EcpayCallbackRoutes,
} from '../config/ecpay-callback-routes.js';
import { EcpayMerchantRegistry } from '../config/ecpay-merchant.registry.js';
import { InjectEcpayOptions } from '../config/ecpay-options.decorator.js';
import type { ResolvedEcpayOptions } from '../config/resolved-ecpay-options.interface.js';
import { isBindingResult } from '../notifications/card-binding.js';
import type { EcpayNotificationKind } from '../persistence/ecpay-notification.entity.js';
import { EcpayNotificationDispatcher } from '../notifications/ecpay-notification.dispatcher.js';
import { EcpayNotificationService, type EcpayReceipt } from '../notifications/ecpay-notification.service.js';
import { EcpayVerifiedEnvelope, EcpayVerifiedForm, EcpayVerifiedNotification } from './ecpay-callback.decorators.js';
import type { VerifiedEcpayEnvelope, VerifiedEcpayForm } from './ecpay-callback-request.js';
import { EcpayCallbackExceptionFilter } from './ecpay-callback-exception.filter.js';
import { EcpayCheckMacGuard } from './ecpay-check-mac.guard.js';
import { EcpayEnvelopeGuard } from './ecpay-envelope.guard.js';
import { ecpayTicketAck, type EcpayTicketAck } from './ecpay-ticket-ack.js';
import { EcpayTicketGuard, getVerifiedEcpayTicket, ticketDataDigest } from './ecpay-ticket.guard.js';
import type {
  AioReturnNotification,
  EcpayFormNotification,
  PaymentInfoNotification,
  PeriodReturnNotification,
} from '../notifications/normalize-notification.js';
import { EcpayTelemetry } from '../observability/ecpay-telemetry.js';
import { secondsSinceArrival } from '../observability/request-arrival.js';

/** Where the library's callback controller listens. @publicApi */
export interface EcpayCallbacksConfig {
  /** The route prefix; default `ecpay` (routes `/ecpay/return`, `/ecpay/period-return`, …). */
  prefix?: string;
  /** Extra class decorators for the controller, e.g. `SkipThrottle()` or your own guard. */
  decorators?: readonly ClassDecorator[];
}

/** The part of Express's and Fastify's reply the controller needs to answer a failed store with 503. */
interface StatusReply {
  status(code: number): unknown;
}

const ACK = '1|OK';
const RETRY = '0|Try again later';

/**
 * Builds the controller for ECPay's notifications, named after ECPay's own parameters: `return` (ReturnURL),
 * `period-return` (PeriodReturnURL), `payment-info` (PaymentInfoURL), `order-result` (OrderResultURL, the browser),
 * `ecpg/return` (JSON+AES) and `ecpg/order-result` (the browser's `ResultData`). A class per module registration,
 * so two apps in one process can use different prefixes.
 *
 * Every route verifies first (guards), stores second (one transaction), and answers `1|OK` — HTTP 200, text/plain,
 * nothing else — only after the commit. A duplicate is answered `1|OK` too; a failed store gets a 503 and ECPay
 * retries.
 */
export function createEcpayCallbacksController(
  config: EcpayCallbacksConfig = {},
  routes: EcpayCallbackRoutes = resolveEcpayCallbackRoutes(config.prefix),
): Type<unknown> {
  @Controller(routes.prefix)
  @UseFilters(EcpayCallbackExceptionFilter)
  class EcpayCallbacksController {
    private readonly logger = new Logger('EcpayCallbacks');

    constructor(
      private readonly notifications: EcpayNotificationService,
      private readonly dispatcher: EcpayNotificationDispatcher,
      @InjectEcpayOptions() private readonly options: ResolvedEcpayOptions,
      private readonly merchants: EcpayMerchantRegistry,
      private readonly telemetry: EcpayTelemetry,
    ) {}

    @Post(ECPAY_CALLBACK_ROUTE_PATHS.return)
    @HttpCode(200)
    @Header('Content-Type', 'text/plain; charset=utf-8')
    @UseGuards(EcpayCheckMacGuard)
    aioReturn(
      @EcpayVerifiedNotification('aio-return') notification: AioReturnNotification,
      @Res({ passthrough: true }) reply: StatusReply,
      @Req() request: object,
    ): Promise<string> {
      return this.storeNormalized(notification, reply, request);
    }

    @Post(ECPAY_CALLBACK_ROUTE_PATHS.periodReturn)
    @HttpCode(200)
    @Header('Content-Type', 'text/plain; charset=utf-8')
    @UseGuards(EcpayCheckMacGuard)
    periodReturn(
      @EcpayVerifiedNotification('period-return') notification: PeriodReturnNotification,
      @Res({ passthrough: true }) reply: StatusReply,
      @Req() request: object,
    ): Promise<string> {
      // Stored under the documented field names (Gwsr, not gwsr), which the dedupe key reads (receiveNormalized).
      return this.storeNormalized(notification, reply, request);
    }

    @Post(ECPAY_CALLBACK_ROUTE_PATHS.paymentInfo)
    @HttpCode(200)
    @Header('Content-Type', 'text/plain; charset=utf-8')
    @UseGuards(EcpayCheckMacGuard)
    paymentInfo(
      @EcpayVerifiedNotification('payment-info') notification: PaymentInfoNotification,
      @Res({ passthrough: true }) reply: StatusReply,
      @Req() request: object,
    ): Promise<string> {
      return this.storeNormalized(notification, reply, request);
    }

    /** The browser's copy of the result: verified, then sent on to the shop's page. ReturnURL stays authoritative. */
    @Post(ECPAY_CALLBACK_ROUTE_PATHS.orderResult)
    @UseGuards(EcpayCheckMacGuard)
    @Redirect()
    orderResult(@EcpayVerifiedForm() form: VerifiedEcpayForm): { url: string; statusCode: number } {
      return this.resultPage(form.fields.MerchantTradeNo, form.fields.RtnCode);
    }

    @Post(ECPAY_CALLBACK_ROUTE_PATHS.ecpgReturn)
    @HttpCode(200)
    @Header('Content-Type', 'text/plain; charset=utf-8')
    @UseGuards(EcpayEnvelopeGuard)
    async ecpgReturn(
      @EcpayVerifiedEnvelope() envelope: VerifiedEcpayEnvelope,
      @Res({ passthrough: true }) reply: StatusReply,
      @Req() request: object,
    ): Promise<string> {
      // One ReturnURL (docs/protocol.md §6.6, §6.7) serves the payments (with a saved card too) and the card bindings:
      // the stored trade tells them apart.
      const fields = flattenEnvelope(envelope);
      let kind: EcpayNotificationKind;
      try {
        kind = await this.notifications.classifyEcpgResult('ecpg-return', fields);
      } catch (error) {
        this.logger.error(`Could not classify an ecpg-return notification: ${(error as Error).message}`);
        this.observe('ecpg-return', undefined, request);
        reply.status(503);
        return RETRY;
      }
      return this.store(kind, reply, request, () => this.notifications.receive(kind, fields));
    }

    @Post(ECPAY_CALLBACK_ROUTE_PATHS.ecpgOrderResult)
    @UseGuards(EcpayEnvelopeGuard)
    @Redirect()
    async ecpgOrderResult(
      @EcpayVerifiedEnvelope() envelope: VerifiedEcpayEnvelope,
      @Req() request: object,
    ): Promise<{ url: string; statusCode: number }> {
      // The browser's copy of a 3-D Secure or binding result is verified like the server's and applied through the
      // same inbox (the ReturnURL copy then only confirms it). The browser goes on to the shop's page either way:
      // if storing failed, the ReturnURL notification is still to come.
      const fields = flattenEnvelope(envelope);
      let kind: EcpayNotificationKind = 'ecpg-order-result';
      try {
        kind = await this.notifications.classifyEcpgResult('ecpg-order-result', fields);
        const receipt = await this.notifications.receive(kind, fields);
        this.observe(kind, receipt, request);
        if (!receipt.duplicate && receipt.notification.eventName) void this.dispatcher.kick();
      } catch (error) {
        this.observe(kind, undefined, request);
        this.logger.error(`Could not store a ${kind} result from the browser: ${(error as Error).message}`);
      }
      return this.resultPage(fields.MerchantTradeNo, fields.RtnCode);
    }

    /**
     * RefundNotifyURL of ECPay's ticketing service (docs/protocol.md §6.8): verified by {@link EcpayTicketGuard}
     * (TransCode, AES, the §1.6 CheckMacValue), stored through the inbox as `refund.notified`, and acknowledged with
     * the encrypted, signed envelope ECPay requires — a duplicate too. A failed store gets a 503: ECPay retries.
     */
    @Post(ECPAY_CALLBACK_ROUTE_PATHS.ticketRefundNotify)
    @HttpCode(200)
    @UseGuards(EcpayTicketGuard)
    async ticketRefundNotify(
      @Req() request: object,
      @Res({ passthrough: true }) reply: StatusReply & { type(mediaType: string): unknown },
    ): Promise<EcpayTicketAck | string> {
      const ticket = getVerifiedEcpayTicket(request)!;
      const data = ticket.data;
      const fields = {
        MerchantID: ticket.merchantId,
        MerchantTradeNo:
          data.MerchantTradeNo ?? (data.OrderInfo as { MerchantTradeNo?: unknown } | undefined)?.MerchantTradeNo ?? '',
        RtnCode: data.RtnCode,
        DataDigest: ticketDataDigest(ticket.plaintext),
        Data: data,
      };
      try {
        const receipt = await this.notifications.receive('ecticket-refund', fields);
        this.observe('ecticket-refund', receipt, request);
        if (!receipt.duplicate && receipt.notification.eventName) void this.dispatcher.kick();
      } catch (error) {
        this.observe('ecticket-refund', undefined, request);
        this.logger.error(`Could not store an ecticket-refund notification: ${(error as Error).message}`);
        reply.status(503);
        reply.type('text/plain; charset=utf-8');
        return RETRY;
      }
      return ecpayTicketAck(ticket.merchantId, this.merchants.get(ticket.merchantName), this.options.clock.now());
    }

    /** A form notification, stored with the fields its DTO validated and normalised: handlers get exactly those. */
    private storeNormalized(notification: EcpayFormNotification, reply: StatusReply, request: object): Promise<string> {
      return this.store(notification.kind, reply, request, () => this.notifications.receiveNormalized(notification));
    }

    private async store(
      kind: EcpayNotificationKind,
      reply: StatusReply,
      request: object,
      receive: () => Promise<EcpayReceipt>,
    ): Promise<string> {
      try {
        const receipt = await receive();
        this.observe(kind, receipt, request);
        if (!receipt.duplicate && receipt.notification.eventName) void this.dispatcher.kick();
        return ACK;
      } catch (error) {
        this.observe(kind, undefined, request);
        // Not stored, so not acknowledged: ECPay posts again in 5–15 minutes. Message only, never the payload.
        this.logger.error(`Could not store a ${kind} notification: ${(error as Error).message}`);
        reply.status(503);
        return RETRY;
      }
    }

    /** Counts the answered notification by its outcome (`store_failed` when there is no receipt: a 503). */
    private observe(kind: EcpayNotificationKind, receipt: EcpayReceipt | undefined, request: object): void {
      const outcome = !receipt ? 'store_failed' : receipt.duplicate ? 'duplicate' : receipt.notification.outcome;
      this.telemetry.notificationReceived(kind, outcome, secondsSinceArrival(request, performance.now()));
    }

    private resultPage(merchantTradeNo: unknown, rtnCode: unknown): { url: string; statusCode: number } {
      const page = new URL(this.options.orderResultPage ?? '/', 'http://placeholder.invalid');
      page.searchParams.set('merchantTradeNo', String(merchantTradeNo ?? ''));
      page.searchParams.set('rtnCode', String(rtnCode ?? ''));
      const url = page.origin === 'http://placeholder.invalid' ? page.pathname + page.search : page.href;
      return { url, statusCode: 303 };
    }
  }

  for (const decorator of config.decorators ?? []) decorator(EcpayCallbacksController);
  return EcpayCallbacksController;
}

/** The JSON APIs nest the order: lift what the state machine reads, keep the decrypted data whole. */
function flattenEnvelope(envelope: VerifiedEcpayEnvelope): Record<string, unknown> {
  const data = envelope.data as Record<string, unknown>;
  const order = (typeof data.OrderInfo === 'object' && data.OrderInfo !== null ? data.OrderInfo : {}) as Record<
    string,
    unknown
  >;
  return {
    MerchantID: data.MerchantID ?? envelope.merchantId,
    MerchantTradeNo: order.MerchantTradeNo ?? data.MerchantTradeNo,
    RtnCode: data.RtnCode,
    TradeNo: order.TradeNo,
    TradeAmt: order.TradeAmt,
    PaymentType: order.PaymentType,
    PaymentDate: order.PaymentDate,
    SimulatePaid: data.SimulatePaid ?? order.SimulatePaid,
    ...(isBindingResult(data)
      ? { MerchantMemberID: data.MerchantMemberID, BindCardID: data.BindCardID, IsSameCard: data.IsSameCard }
      : {}),
    Data: data,
  };
}
