import 'reflect-metadata';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Controller, Get, Injectable, Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  EcpayModule,
  EcpayNotificationDispatcher,
  EcpayRateLimitedError,
  EcpayService,
  EcpayTesting,
  OnEcpayEvent,
  type EcpayEvent,
  type EcpayModuleOptions,
} from '../../src/index.js';
import { EcpayHealthIndicator, EcpayHealthModule } from '../../src/health/index.js';
import type { CuttableProxy } from '../support/cuttable-proxy.js';
import { cuttablePostgres } from '../support/cuttable-database.js';
import { describeEachDatabase, testDatabaseTargets, type TestDatabase } from '../support/databases.js';
import { STAGE_MERCHANT } from '../support/test-module.js';
import { EcpayStub, MovableClock } from '../client/ecpay-stub.js';

const targets = (await testDatabaseTargets()).filter((target) => target.kind === 'postgres');
const WINDOW_MS = 30 * 60_000;

@Injectable()
class BrokenFulfilment {
  @OnEcpayEvent('payment.succeeded')
  fulfil(event: EcpayEvent): void {
    if (event.merchantTradeNo.endsWith('F')) throw new Error('warehouse unreachable');
  }
}

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly ecpay: EcpayHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.ecpay.isHealthy('ecpay')]);
  }
}

@Module({
  imports: [TerminusModule, EcpayHealthModule.forRoot({ maxRejections: 2, rejectionWindowMs: 60_000 })],
  controllers: [HealthController],
  providers: [BrokenFulfilment],
})
class OpsModule {}

interface HealthBody {
  status: string;
  details: { ecpay: Record<string, unknown> & { status: string; problems: string[] } };
}

// The health indicator as an operator reads it through @nestjs/terminus: up; degraded (still serving) for refused
// notifications, an open 403 breaker with its reopening time, and a parked event; down when the database is cut.
describeEachDatabase(targets, 'the ECPay health indicator', () => {
  let database: TestDatabase;
  let proxy: CuttableProxy;
  let stub: EcpayStub;
  let app: INestApplication;
  const clock = new MovableClock(Date.now());
  const testing = new EcpayTesting(STAGE_MERCHANT);

  beforeAll(async () => {
    let typeOrm: DynamicModule;
    ({ database, proxy, typeOrm } = await cuttablePostgres());
    stub = await EcpayStub.start();
    stub.on('/Cashier/QueryTradeInfo/V5', () => ({ status: 403, body: 'Forbidden' }));
    const module = await Test.createTestingModule({
      imports: [
        typeOrm,
        EcpayModule.forRoot({
          environment: 'sandbox',
          ...STAGE_MERCHANT,
          sandboxUrl: stub.url,
          publicUrl: 'https://shop.example.com',
          clock,
          dispatch: { pollIntervalMs: 0, maxAttempts: 1 },
        } as EcpayModuleOptions),
        OpsModule,
      ],
    }).compile();
    app = module.createNestApplication({ rawBody: true, logger: false });
    await app.init();
  });
  afterAll(async () => {
    proxy?.restore();
    await app?.close();
    await stub?.close();
    await proxy?.close();
    await database?.drop();
  });

  const health = async (status: number): Promise<HealthBody> =>
    (await request(app.getHttpServer()).get('/health').expect(status)).body as HealthBody;
  const newTrade = async (merchantTradeNo?: string) => {
    const checkout = await app.get(EcpayService).createCheckout({
      items: [{ name: 'Oolong tea', price: 295, quantity: 2 }],
      description: 'Tea order',
      payment: { method: 'Credit' },
      ...(merchantTradeNo ? { merchantTradeNo } : {}),
    });
    return { merchantId: '3002607', merchantTradeNo: checkout.merchantTradeNo, totalAmount: 590 };
  };
  const notify = (fields: Record<string, string>) =>
    request(app.getHttpServer()).post('/ecpay/return').type('form').send(testing.form(fields));

  it('is up when the database answers and nothing waits', async () => {
    const body = await health(200);
    expect(body.status).toBe('ok');
    expect(body.details.ecpay).toMatchObject({
      status: 'up',
      database: 'up',
      breakers: [],
      parkedEvents: 0,
      problems: [],
    });
  });

  it('is degraded by refused notifications beyond the threshold, until they leave the window', async () => {
    const body = testing.paymentSucceeded(await newTrade());
    for (let i = 0; i < 3; i++) await notify({ ...body, TradeAmt: '1' }).expect(400);
    const degraded = await health(200);
    expect(degraded.details.ecpay).toMatchObject({ status: 'degraded', rejectedNotifications: 3 });
    clock.advance(61_000);
    expect((await health(200)).details.ecpay).toMatchObject({ status: 'up', rejectedNotifications: 0 });
  });

  it('shows an open 403 breaker with its reopening time, as degraded', async () => {
    await expect(app.get(EcpayService).client.queryTradeInfo({ merchantTradeNo: 'Rate1' })).rejects.toBeInstanceOf(
      EcpayRateLimitedError,
    );
    const reopens = new Date(clock.now().getTime() + WINDOW_MS).toISOString();
    const body = await health(200);
    expect(body.status).toBe('degraded'); // terminus 12.1+: still serving, HTTP 200
    expect(body.details.ecpay).toMatchObject({
      status: 'degraded',
      breakers: [{ merchantId: '3002607', openUntil: reopens }],
    });
    expect(body.details.ecpay.problems).toContain(`merchant 3002607 rate-limited until ${reopens}`);
    clock.advance(WINDOW_MS + 1);
    expect((await health(200)).details.ecpay).toMatchObject({ status: 'up', breakers: [] });
  });

  it('is degraded while a failing handler keeps an event parked', async () => {
    const trade = await newTrade(`Tea${Date.now().toString(36)}F`);
    await notify(testing.paymentSucceeded(trade)).expect(200, '1|OK');
    await app.get(EcpayNotificationDispatcher).kick();
    const body = await health(200);
    expect(body.details.ecpay).toMatchObject({ status: 'degraded', database: 'up', parkedEvents: 1 });
    expect(body.details.ecpay.problems).toContain('1 event(s) parked after failing');
  });

  it('is down (HTTP 503) while the database is unreachable, and recovers with it', async () => {
    proxy.cut();
    try {
      const body = await health(503);
      expect(body.status).toBe('error');
      expect(body.details.ecpay).toMatchObject({ status: 'down', database: 'down' });
      // The reason names the error's class, never a connection string.
      expect(JSON.stringify(body)).not.toContain(database.name);
    } finally {
      proxy.restore();
    }
    expect((await health(200)).details.ecpay).toMatchObject({ database: 'up' });
  });
});
