import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { EcpayModule } from 'nestjs-ecpay';
import { DemoController } from './demo.controller.js';
import { demoEcpayOptions } from './ecpay-config.js';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }),
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
        return options;
      },
    }),
  ],
  controllers: [DemoController],
})
export class AppModule {}
