import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ECPAY_MIGRATIONS, EcpayModule, EcpayNotification } from 'nestjs-ecpay';
import { DemoController } from './demo.controller.js';
import { demoEcpayOptions } from './ecpay-config.js';
import { OrderEventsService } from './orders/order-events.service.js';
import { OrdersController } from './orders/orders.controller.js';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }),
    // The embedded database: SQLite in memory through sql.js, built by the library's committed migrations.
    TypeOrmModule.forRoot({ type: 'sqljs', autoLoadEntities: true, migrations: [...ECPAY_MIGRATIONS], migrationsRun: true, logging: false }),
    // The order page reads the inbox to show where each notification stands.
    TypeOrmModule.forFeature([EcpayNotification]),
    // Configured exactly as an app would: asynchronously, from the environment through ConfigService.
    EcpayModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => {
        const { usingPublicStage: _shown, ...options } = demoEcpayOptions({
          ECPAY_ENV: config.get('ECPAY_ENV'),
          ECPAY_MERCHANT_ID: config.get('ECPAY_MERCHANT_ID'),
          ECPAY_HASH_KEY: config.get('ECPAY_HASH_KEY'),
          ECPAY_HASH_IV: config.get('ECPAY_HASH_IV'),
        });
        // Where ECPay's servers send notifications: a real shop's public https address (ports other than 80/443 are
        // refused by ECPay). ECPay stage cannot reach a laptop; the local sandbox will.
        return { ...options, publicUrl: config.get('ECPAY_PUBLIC_URL') ?? 'http://localhost' };
      },
    }),
  ],
  controllers: [DemoController, OrdersController],
  providers: [OrderEventsService],
})
export class AppModule {}
