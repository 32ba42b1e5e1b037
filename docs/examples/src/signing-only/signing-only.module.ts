import { Module } from '@nestjs/common';
import { EcpayModule } from 'nestjs-ecpay';
import { PaymentLinksController } from './payment-links.controller.js';

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Set ${name}`);
  return value;
}

// No database, no typeorm: signing, verification and checked checkout forms. The app keeps its own records and
// mounts its own notification route with the library's guard.
@Module({
  imports: [
    EcpayModule.forRoot({
      environment: 'stage',
      merchantId: requiredEnv('ECPAY_MERCHANT_ID'),
      hashKey: requiredEnv('ECPAY_HASH_KEY'),
      hashIv: requiredEnv('ECPAY_HASH_IV'),
      publicUrl: requiredEnv('PUBLIC_URL'),
      persistence: false,
    }),
  ],
  controllers: [PaymentLinksController],
})
export class SigningOnlyModule {}
