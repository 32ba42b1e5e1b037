import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { SigningOnlyModule } from './signing-only.module.js';

const app = await NestFactory.create(SigningOnlyModule);
await app.listen(Number(process.env.PORT ?? 3000));
