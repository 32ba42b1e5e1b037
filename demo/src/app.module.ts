import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EcpayBoundCard, EcpayModule, EcpayNotification, EcpayTrade } from 'nestjs-ecpay';
import { EcpayHealthModule } from 'nestjs-ecpay/health';
import { EcpaySandboxModule } from 'nestjs-ecpay/sandbox';
import { DemoController } from './demo.controller.js';
import { DEMO_SETTINGS } from './demo-settings.token.js';
import { DemoMetricsService } from './observability/demo-metrics.service.js';
import { OperationsProbesController } from './observability/operations-probes.controller.js';
import { demoSettings, SANDBOX_PREFIX, type DemoSettings } from './demo-settings.js';
import { OrderEventsService } from './orders/order-events.service.js';
import { DemoCsrf } from './security/demo-csrf.js';
import { OrdersController } from './orders/orders.controller.js';
import { ShopController } from './shop/shop.controller.js';
import { ShopOrdersService } from './shop/shop-orders.service.js';
import { DemoFaults } from './ops/demo-faults.js';
import { OpsController } from './ops/ops.controller.js';
import { OpsDebugController } from './ops/ops-debug.controller.js';
import { OpsViewService } from './ops/ops-view.service.js';

/**
 * The demo shop, configured from the environment (see {@link demoSettings}): the library as an app imports it, its
 * database, and — with ECPAY_ENV=sandbox, the default — the local ECPay sandbox mounted at /ecpay-sandbox, so the
 * whole payment flow runs on this machine. Outside the sandbox the debugging endpoints are not mounted and refunds
 * need `ECPAY_DEMO_ADMIN_TOKEN`.
 */
@Module({})
export class AppModule {
  static register(settings: DemoSettings = demoSettings(process.env)): DynamicModule {
    return {
      module: AppModule,
      imports: [
        TypeOrmModule.forRoot(settings.database),
        // The shop's pages read the library's tables (trades and where each notification stands).
        TypeOrmModule.forFeature([EcpayTrade, EcpayNotification, EcpayBoundCard]),
        EcpayModule.forRoot(settings.ecpay),
        // GET /health: the database, the 403 breaker, the dispatch queue, refused notifications.
        TerminusModule,
        EcpayHealthModule.forRoot(),
        ...(settings.sandbox
          ? [
              EcpaySandboxModule.forRoot({
                prefix: SANDBOX_PREFIX,
                // One clock for the shop and its ECPay: the sandbox checks request TimeStamps against it, as ECPay
                // checks them against its own.
                clock: settings.ecpay.clock,
                merchants: [
                  {
                    merchantId: settings.ecpay.merchantId!,
                    hashKey: settings.ecpay.hashKey!,
                    hashIv: settings.ecpay.hashIv!,
                  },
                ],
              }),
            ]
          : []),
      ],
      // The CheckMacValue debugging endpoints sign with the merchant's keys: mounted only against the local sandbox.
      // The handler-failure switch likewise: in front of ECPay it would let anyone stop the shop's fulfilment.
      controllers: [
        ShopController,
        OrdersController,
        OpsController,
        OperationsProbesController,
        ...(settings.sandbox ? [DemoController, OpsDebugController] : []),
      ],
      providers: [
        { provide: DEMO_SETTINGS, useValue: settings },
        ShopOrdersService,
        OrderEventsService,
        DemoCsrf,
        DemoFaults,
        OpsViewService,
        DemoMetricsService,
      ],
    };
  }
}
