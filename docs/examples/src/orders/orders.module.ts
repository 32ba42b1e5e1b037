import { Module } from '@nestjs/common';
import { OrdersController } from './orders.controller.js';
import { OrdersService } from './orders.service.js';

// EcpayModule is global: EcpayService is injectable here without importing it again.
@Module({ controllers: [OrdersController], providers: [OrdersService] })
export class OrdersModule {}
