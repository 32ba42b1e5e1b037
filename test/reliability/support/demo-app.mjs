// The demo shop (demo/dist, compiled by the test that starts this) as `npm start` runs it — settings from the
// environment, so with ECPAY_DEMO_DATABASE unset its embedded default `.data/demo-shop.sqlite` under the working
// directory — but listening on 127.0.0.1 only, on a port of the system's choosing. Prints "ready <port>" once
// listening.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../../demo/dist/app.module.js';
import { demoSettings } from '../../../demo/dist/demo-settings.js';

const app = await NestFactory.create(AppModule.register(demoSettings(process.env)), { rawBody: true, logger: false });
await app.listen(0, '127.0.0.1');
process.stdout.write(`ready ${app.getHttpServer().address().port}\n`);
