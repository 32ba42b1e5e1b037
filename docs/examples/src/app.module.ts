import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ECPAY_MIGRATIONS, EcpayModule, type EcpayEnvironment } from 'nestjs-ecpay';
import { OrdersModule } from './orders/orders.module.js';

@Module({
  imports: [
    ConfigModule.forRoot(),
    TypeOrmModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        type: 'postgres',
        url: config.getOrThrow<string>('DATABASE_URL'),
        autoLoadEntities: true, // registers nestjs-ecpay's entities (and your forFeature ones)
        migrations: [...ECPAY_MIGRATIONS], // add your own migrations beside them
        migrationsRun: true,
      }),
    }),
    EcpayModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        environment: config.getOrThrow<EcpayEnvironment>('ECPAY_ENV'), // 'stage' | 'production' | 'sandbox'
        merchantId: config.getOrThrow<string>('ECPAY_MERCHANT_ID'),
        hashKey: config.getOrThrow<string>('ECPAY_HASH_KEY'),
        hashIv: config.getOrThrow<string>('ECPAY_HASH_IV'),
        publicUrl: config.getOrThrow<string>('PUBLIC_URL'), // where ECPay's servers reach this app
      }),
    }),
    OrdersModule,
  ],
})
export class AppModule {}
