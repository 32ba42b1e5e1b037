import { Body, Controller, Post, Redirect, UseGuards } from '@nestjs/common';
import { DemoCsrfGuard } from '../security/demo-csrf.js';
import { DemoFaults } from './demo-faults.js';

/**
 * Breaks the payment handler on purpose (and mends it). AppModule mounts this only against the local sandbox: in
 * front of ECPay it would let anyone stop the shop's fulfilment.
 */
@Controller('ops')
export class OpsDebugController {
  constructor(private readonly faults: DemoFaults) {}

  @Post('handler-failure')
  @UseGuards(DemoCsrfGuard)
  @Redirect('/ops', 303)
  switch(@Body() body: { fail?: unknown }): void {
    this.faults.paymentHandlerFails = body?.fail === 'on';
  }
}
