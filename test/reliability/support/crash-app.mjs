// An app process for the SIGKILL test (test/reliability/process-killed.e2e-spec.ts): the library as built in dist/,
// on the PostgreSQL database given in ECPAY_CRASH_DB (JSON DataSource options), with one payment.succeeded handler.
// With ECPAY_CRASH_ON_HANDLER=1 the handler kills its own process with SIGKILL — after the notification was stored
// and the event claimed, before the handler could finish: the worst moment to die. Otherwise it appends the event
// id to ECPAY_CRASH_LOG. Prints "ready <port>" once listening.
import 'reflect-metadata';
import { appendFileSync } from 'node:fs';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ECPAY_MIGRATIONS, EcpayModule, OnEcpayEvent } from '../../../dist/index.js';

const crash = process.env.ECPAY_CRASH_ON_HANDLER === '1';

class PaymentsListener {
  paid(event) {
    if (crash) process.kill(process.pid, 'SIGKILL');
    appendFileSync(process.env.ECPAY_CRASH_LOG, `${event.id}\n`);
  }
}
Reflect.decorate(
  [OnEcpayEvent('payment.succeeded')],
  PaymentsListener.prototype,
  'paid',
  Object.getOwnPropertyDescriptor(PaymentsListener.prototype, 'paid'),
);
Reflect.decorate([Injectable()], PaymentsListener);

class AppModule {}
Module({
  imports: [
    TypeOrmModule.forRoot({
      ...JSON.parse(process.env.ECPAY_CRASH_DB),
      autoLoadEntities: true,
      migrations: [...ECPAY_MIGRATIONS],
      migrationsRun: true,
      logging: false,
    }),
    EcpayModule.forRoot({
      environment: 'stage',
      merchantId: '3002607',
      hashKey: 'pwFHCqoQZGmho4w6',
      hashIv: 'EkRm7iFT261dpevs',
      publicUrl: 'https://shop.example.com',
      dispatch: { pollIntervalMs: 100, leaseMs: 1_000, handlerTimeoutMs: 500 },
    }),
  ],
  providers: [PaymentsListener],
})(AppModule);

const app = await NestFactory.create(AppModule, { rawBody: true, logger: false });
await app.listen(0, '127.0.0.1');
process.stdout.write(`ready ${app.getHttpServer().address().port}\n`);
process.on('SIGTERM', async () => {
  await app.close();
  process.exit(0);
});
