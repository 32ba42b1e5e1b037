import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { demoSettings } from './demo-settings.js';

const logger = new Logger('Demo');
const settings = demoSettings(process.env);
const location = (settings.database as { location?: string }).location;
if (location) mkdirSync(dirname(location), { recursive: true });
// rawBody: ECPay's notifications are verified over the body exactly as posted.
const app = await NestFactory.create(AppModule.register(settings), { rawBody: true });
app.enableShutdownHooks();
await app.listen(settings.port);
const { environment, merchantId } = settings.ecpay;
logger.log(
  `nestjs-ecpay demo shop on http://localhost:${settings.port} — ECPay ${environment}${settings.sandbox ? ' (the local sandbox, mounted in this app)' : ''}, merchant ${merchantId}, ${settings.databaseLabel}`,
);
if (settings.usingPublicStage)
  logger.warn(
    "Using ECPay's public stage credentials (set ECPAY_MERCHANT_ID, ECPAY_HASH_KEY, ECPAY_HASH_IV for your own).",
  );
if (environment === 'stage')
  logger.warn('ECPay stage must reach ECPAY_PUBLIC_URL from the internet to deliver payment results.');
