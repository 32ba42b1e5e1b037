import { Injectable, Logger } from '@nestjs/common';
import { type EcpayEvent, OnEcpayEvent } from 'nestjs-ecpay';
import { DemoFaults } from '../ops/demo-faults.js';

/**
 * How an app reacts to payments: methods marked with `@OnEcpayEvent`, run by the library's dispatcher after the
 * notification is stored, at least once per event (`event.id` is stable across redeliveries, so a real shop would
 * use it to ship each order once).
 */
@Injectable()
export class OrderEventsService {
  private readonly logger = new Logger('Orders');

  constructor(private readonly faults: DemoFaults) {}

  @OnEcpayEvent('payment.succeeded')
  paid(event: EcpayEvent): void {
    // The sandbox's switch on the operations page: a handler failing as a real one might (a warehouse API down).
    if (this.faults.paymentHandlerFails) throw new Error('warehouse API unreachable (the demo switch is on)');
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
