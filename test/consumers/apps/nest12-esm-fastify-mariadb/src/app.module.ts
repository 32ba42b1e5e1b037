import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ECPAY_MIGRATIONS, EcpayModule, type EcpayEnvironment } from 'nestjs-ecpay';
import { OperationsModule } from './operations/operations.module.js';
import { OrdersModule } from './orders/orders.module.js';

// The README's app module on MariaDB: only the TypeORM driver differs, and GET /health (the README's OperationsModule).
@Module({
  imports: [
    ConfigModule.forRoot(),
    TypeOrmModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        type: 'mariadb',
        url: config.getOrThrow<string>('DATABASE_URL'),
        autoLoadEntities: true,
        migrations: [...ECPAY_MIGRATIONS],
        migrationsRun: true,
      }),
    }),
    EcpayModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        environment: config.getOrThrow<EcpayEnvironment>('ECPAY_ENV'),
        merchantId: config.getOrThrow<string>('ECPAY_MERCHANT_ID'),
        hashKey: config.getOrThrow<string>('ECPAY_HASH_KEY'),
        hashIv: config.getOrThrow<string>('ECPAY_HASH_IV'),
        publicUrl: config.getOrThrow<string>('PUBLIC_URL'),
      }),
    }),
    OrdersModule,
    OperationsModule,
  ],
})
export class AppModule {}
