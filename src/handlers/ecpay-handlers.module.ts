import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { EcpayEventBus } from './ecpay-event.bus.js';
import { EcpayHandlerRegistry } from './ecpay-handler.registry.js';

/**
 * Discovers `@OnEcpayEvent` handlers and provides {@link EcpayEventBus}. Imported (and re-exported) by
 * `EcpayModule`; apps do not import it themselves.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [EcpayHandlerRegistry, EcpayEventBus],
  exports: [EcpayEventBus, EcpayHandlerRegistry],
})
export class EcpayHandlersModule {}
