import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { demoEcpayOptions } from './ecpay-config.js';

const logger = new Logger('Demo');
// rawBody: ECPay's notifications are verified over the body exactly as posted.
const app = await NestFactory.create(AppModule, { rawBody: true });
app.enableShutdownHooks();
const port = Number(process.env.PORT ?? 3000);
await app.listen(port);
const { environment, merchantId, usingPublicStage } = demoEcpayOptions(process.env);
logger.log(`nestjs-ecpay demo on http://localhost:${port} — ECPay ${environment}, merchant ${merchantId}`);
if (usingPublicStage) logger.warn("Using ECPay's public stage credentials (set ECPAY_MERCHANT_ID, ECPAY_HASH_KEY, ECPAY_HASH_IV for your own).");
