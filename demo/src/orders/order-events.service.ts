import { Injectable, Logger } from '@nestjs/common';
import { type EcpayEvent, OnEcpayEvent } from 'nestjs-ecpay';

/**
 * How an app reacts to payments: methods marked with `@OnEcpayEvent`, run by the library's dispatcher after the
 * notification is stored, at least once per event (`event.id` is stable across redeliveries, so a real shop would
 * use it to ship each order once).
 */
@Injectable()
export class OrderEventsService {
  private readonly logger = new Logger('Orders');

  @OnEcpayEvent('payment.succeeded')
  paid(event: EcpayEvent): void {
    this.logger.log(`Order ${event.merchantTradeNo} paid (event ${event.id}): ship it.`);
  }

  @OnEcpayEvent('payment-info.issued')
  codeIssued(event: EcpayEvent): void {
    this.logger.log(`Order ${event.merchantTradeNo}: payment code issued, waiting for the customer to pay.`);
  }

  @OnEcpayEvent('payment.failed')
  failed(event: EcpayEvent): void {
    this.logger.warn(`Order ${event.merchantTradeNo}: payment failed.`);
  }
}
