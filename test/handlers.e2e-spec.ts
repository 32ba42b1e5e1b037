import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Controller, Get, Inject, Injectable, Logger, Module, Scope } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { EcpayHandlerRegistry } from '../src/handlers/ecpay-handler.registry.js';
import { EcpayHandlersModule } from '../src/handlers/ecpay-handlers.module.js';
import {
  EcpayEventBus,
  OnEcpayEvent,
  type EcpayEvent,
  type EcpayEventName,
  type EcpayHandlerContext,
} from '../src/handlers/index.js';

// ---------------------------------------------------------------------------------------------------------------
// Fixtures: decorated providers and a controller spread over modules that know nothing of EcpayHandlersModule.
// ---------------------------------------------------------------------------------------------------------------

/** Personal data in the payload: it must never reach a log line or a dispatch report. */
const SECRET = 'wang.xiaoming@example.tw';

/** What ran, in order: `<who>:<event name>:<event id>`. */
const calls: string[] = [];
/** Every event object a handler received, to check it is the one published. */
const received: EcpayEvent[] = [];

function makeEvent(name: EcpayEventName, id = `evt-${name}`): EcpayEvent {
  return {
    id,
    name,
    merchantId: '3002607',
    merchantTradeNo: 'TEST20240304000001',
    tradeId: '42',
    occurredAt: new Date('2024-03-04T08:36:54Z'),
    receivedAt: new Date('2024-03-04T08:36:55Z'),
    data: { tradeAmount: 100, customerEmail: SECRET },
    raw: {
      MerchantID: '3002607',
      MerchantTradeNo: 'TEST20240304000001',
      RtnCode: '1',
      TradeAmt: '100',
      CustomField1: SECRET,
    },
  };
}

@Injectable()
class AuditListener {
  @OnEcpayEvent('*')
  record(event: EcpayEvent): void {
    calls.push(`audit:${event.name}:${event.id}`);
  }
}

@Module({ providers: [AuditListener] })
class AuditModule {}

@Injectable()
class PaymentsListener {
  readonly label = 'payments';

  // `this` must be the instance: an unbound call would throw on this.label.
  @OnEcpayEvent('payment.succeeded')
  async onSucceeded(event: EcpayEvent): Promise<void> {
    await Promise.resolve();
    received.push(event);
    calls.push(`${this.label}.onSucceeded:${event.name}:${event.id}`);
  }

  @OnEcpayEvent('payment.failed')
  @OnEcpayEvent('period.failed', { maxAttempts: 3 })
  @OnEcpayEvent('payment.failed', { maxAttempts: 5 })
  onFailure(event: EcpayEvent): void {
    calls.push(`${this.label}.onFailure:${event.name}:${event.id}`);
  }

  @OnEcpayEvent('trade.reconciled')
  onReconciled(event: EcpayEvent<{ tradeAmount: number }>): void {
    calls.push(`${this.label}.onReconciled:${event.name}:${event.data.tradeAmount}`);
  }

  /** Not decorated: never called by the bus. */
  helper(): string {
    return 'not a handler';
  }
}

@Injectable()
class FlakyListener {
  @OnEcpayEvent('trade.reconciled')
  throws(event: EcpayEvent): void {
    calls.push(`flaky.throws:${event.name}`);
    // A careless handler that puts payload values into its error message.
    throw new TypeError(
      `no order for customer ${String(event.raw['CustomField1'])} (amount ${String(event.raw['TradeAmt'])})`,
    );
  }

  @OnEcpayEvent('trade.reconciled')
  async rejects(event: EcpayEvent): Promise<void> {
    calls.push(`flaky.rejects:${event.name}`);
    await Promise.resolve();
    throw new Error('ERP is down');
  }
}

/** Waits until its signal is aborted (or 10 s), recording what it saw. */
@Injectable()
class SlowListener {
  abortedWith: unknown;

  @OnEcpayEvent('notification.rejected')
  async waitForever(event: EcpayEvent, context: EcpayHandlerContext): Promise<void> {
    calls.push(`slow:${event.name}:${context.handlerId}`);
    await new Promise<void>((resolve) => {
      const fallback = setTimeout(resolve, 10_000);
      context.signal.addEventListener('abort', () => {
        clearTimeout(fallback);
        this.abortedWith = context.signal.reason;
        resolve();
      });
    });
  }
}

let requestScopedConstructed = 0;

@Injectable({ scope: Scope.REQUEST })
class RequestScopedListener {
  constructor() {
    requestScopedConstructed += 1;
  }

  @OnEcpayEvent('payment.succeeded')
  onSucceeded(): void {
    calls.push('request-scoped.onSucceeded');
  }
}

@Controller('refunds')
class RefundsController {
  private readonly prefix = 'refunds-controller';

  @Get()
  list(): string[] {
    return [];
  }

  @OnEcpayEvent('refund.succeeded')
  onRefund(event: EcpayEvent): void {
    calls.push(`${this.prefix}:${event.name}:${event.id}`);
  }
}

@Module({
  imports: [AuditModule],
  controllers: [RefundsController],
  providers: [
    PaymentsListener,
    FlakyListener,
    SlowListener,
    RequestScopedListener,
    // An alias is the same instance: its handlers must not run twice.
    { provide: 'PAYMENTS_ALIAS', useExisting: PaymentsListener },
  ],
})
class FeatureModule {}

/** Two different classes that are both called `Notifier`. */
function defineNotifier(tag: string) {
  @Injectable()
  class Notifier {
    @OnEcpayEvent('card.bound')
    onCardBound(event: EcpayEvent): void {
      calls.push(`notifier(${tag}):${event.name}`);
    }
  }
  return Notifier;
}
const ShopNotifier = defineNotifier('shop');
const BackOfficeNotifier = defineNotifier('back-office');

@Module({ providers: [ShopNotifier] })
class ShopModule {}

// The same class provided twice in one module: two instances, two handlers.
@Module({ providers: [BackOfficeNotifier, { provide: 'SECOND_NOTIFIER', useClass: BackOfficeNotifier }] })
class BackOfficeModule {}

@Injectable()
class OrdersService {
  constructor(@Inject(EcpayEventBus) readonly bus: EcpayEventBus) {}
}

// Imports the handlers module a second time, as an app module would through EcpayModule: still one registry.
@Module({ imports: [EcpayHandlersModule], providers: [OrdersService] })
class OrdersModule {}

// ---------------------------------------------------------------------------------------------------------------

describe('@OnEcpayEvent handlers', () => {
  let moduleRef: TestingModule;
  let registry: EcpayHandlerRegistry;
  let bus: EcpayEventBus;
  let warn: jest.Spied<Logger['warn']>;
  let error: jest.Spied<Logger['error']>;

  const loggedErrors = (): string[] =>
    error.mock.calls.map((args) => args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));

  beforeAll(async () => {
    // Spied before init: discovery (and its warning) happens in onModuleInit.
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    moduleRef = await Test.createTestingModule({
      imports: [EcpayHandlersModule, FeatureModule, ShopModule, BackOfficeModule, OrdersModule],
    }).compile();
    await moduleRef.init();
    registry = moduleRef.get(EcpayHandlerRegistry);
    bus = moduleRef.get(EcpayEventBus);
  });

  afterAll(async () => {
    await moduleRef?.close();
    jest.restoreAllMocks();
  });

  beforeEach(() => {
    calls.length = 0;
    received.length = 0;
    error.mockClear();
  });

  describe('discovery', () => {
    it('finds every decorated method on providers and controllers in other modules, once each, ordered by id', () => {
      expect(registry.getHandlers().map((handler) => handler.id)).toEqual([
        'AuditListener.record',
        'BackOfficeModule/Notifier.onCardBound#1',
        'BackOfficeModule/Notifier.onCardBound#2',
        'FlakyListener.rejects',
        'FlakyListener.throws',
        'PaymentsListener.onFailure',
        'PaymentsListener.onReconciled',
        'PaymentsListener.onSucceeded',
        'RefundsController.onRefund',
        'ShopModule/Notifier.onCardBound',
        'SlowListener.waitForever',
      ]);
    });

    it('keeps several events of one method, in the order written, with the largest attempts budget', () => {
      const onFailure = registry.getHandler('PaymentsListener.onFailure');
      expect(onFailure).toMatchObject({
        className: 'PaymentsListener',
        methodName: 'onFailure',
        events: ['payment.failed', 'period.failed'],
        options: { maxAttempts: 5 },
      });
      expect(registry.getHandler('AuditListener.record')?.events).toEqual(['*']);
      expect(registry.getHandler('PaymentsListener.onSucceeded')?.options).toEqual({});
    });

    it('returns the exact-name handlers plus the wildcard ones, in a deterministic order', () => {
      expect(registry.handlersFor('payment.succeeded').map((h) => h.id)).toEqual([
        'AuditListener.record',
        'PaymentsListener.onSucceeded',
      ]);
      expect(registry.handlersFor('period.failed').map((h) => h.id)).toEqual([
        'AuditListener.record',
        'PaymentsListener.onFailure',
      ]);
      expect(registry.handlersFor('payment.simulated').map((h) => h.id)).toEqual(['AuditListener.record']);
      expect(registry.handlersFor('payment.succeeded')).toBe(registry.handlersFor('payment.succeeded'));
    });

    it('warns about and skips a request-scoped provider', () => {
      const warnings = warn.mock.calls.map((args) => String(args[0]));
      expect(warnings.filter((w) => w.includes('RequestScopedListener.onSucceeded'))).toEqual([
        expect.stringContaining('request-scoped') as unknown as string,
      ]);
      expect(registry.getHandlers().some((handler) => handler.className === 'RequestScopedListener')).toBe(false);
    });

    it('rejects an unknown event name, a static method and a bad attempts budget when the class is defined', () => {
      expect(() => {
        class Typo {
          @OnEcpayEvent('payment.paid' as EcpayEventName)
          handle(): void {}
        }
        return Typo;
      }).toThrow('@OnEcpayEvent on Typo.handle: unknown event "payment.paid"');
      expect(() => {
        class Static {
          @OnEcpayEvent('payment.succeeded')
          static handle(): void {}
        }
        return Static;
      }).toThrow('static methods cannot be handlers');
      expect(() => {
        class Budget {
          @OnEcpayEvent('payment.succeeded', { maxAttempts: 0 })
          handle(): void {}
        }
        return Budget;
      }).toThrow('maxAttempts must be a positive integer');
    });
  });

  describe('publish', () => {
    it('calls exactly the matching handlers with the event, `this` bound to their instance', async () => {
      const event = makeEvent('payment.succeeded');
      const report = await bus.publish(event);

      expect(report.eventId).toBe('evt-payment.succeeded');
      expect(report.results).toEqual([
        { handlerId: 'AuditListener.record', ok: true, durationMs: expect.any(Number) },
        { handlerId: 'PaymentsListener.onSucceeded', ok: true, durationMs: expect.any(Number) },
      ]);
      expect(calls).toEqual([
        'audit:payment.succeeded:evt-payment.succeeded',
        'payments.onSucceeded:payment.succeeded:evt-payment.succeeded',
      ]);
      expect(received).toHaveLength(1);
      expect(received[0]).toBe(event);
      expect(requestScopedConstructed).toBe(0);
    });

    it('runs one method for each of its events, and a controller method too', async () => {
      await bus.publish(makeEvent('payment.failed'));
      await bus.publish(makeEvent('period.failed'));
      await bus.publish(makeEvent('refund.succeeded'));
      expect(calls).toEqual([
        'audit:payment.failed:evt-payment.failed',
        'payments.onFailure:payment.failed:evt-payment.failed',
        'audit:period.failed:evt-period.failed',
        'payments.onFailure:period.failed:evt-period.failed',
        'audit:refund.succeeded:evt-refund.succeeded',
        'refunds-controller:refund.succeeded:evt-refund.succeeded',
      ]);
    });

    it('runs both same-named classes and both instances of one class', async () => {
      const report = await bus.publish(makeEvent('card.bound'));
      expect(report.results.map((r) => [r.handlerId, r.ok])).toEqual([
        ['AuditListener.record', true],
        ['BackOfficeModule/Notifier.onCardBound#1', true],
        ['BackOfficeModule/Notifier.onCardBound#2', true],
        ['ShopModule/Notifier.onCardBound', true],
      ]);
      expect(calls.filter((c) => c.startsWith('notifier')).sort()).toEqual([
        'notifier(back-office):card.bound',
        'notifier(back-office):card.bound',
        'notifier(shop):card.bound',
      ]);
    });

    it('isolates a throwing and a rejecting handler: both reported failed with their message, the others still run', async () => {
      const report = await bus.publish(makeEvent('trade.reconciled'));

      expect(report.results).toEqual([
        { handlerId: 'AuditListener.record', ok: true, durationMs: expect.any(Number) },
        { handlerId: 'FlakyListener.rejects', ok: false, error: 'ERP is down', durationMs: expect.any(Number) },
        // The payload values in the message are masked ('100' is shorter than the masking threshold).
        {
          handlerId: 'FlakyListener.throws',
          ok: false,
          error: 'no order for customer [redacted] (amount 100)',
          durationMs: expect.any(Number),
        },
        { handlerId: 'PaymentsListener.onReconciled', ok: true, durationMs: expect.any(Number) },
      ]);
      expect(calls).toEqual([
        'audit:trade.reconciled:evt-trade.reconciled',
        'flaky.rejects:trade.reconciled',
        'flaky.throws:trade.reconciled',
        'payments.onReconciled:trade.reconciled:100',
      ]);
    });

    it('logs each failure with handler id, event name and id, and never the payload', async () => {
      await bus.publish(makeEvent('trade.reconciled', 'evt-log-check'));

      const logged = loggedErrors();
      expect(logged).toHaveLength(2);
      expect(logged[0]).toContain('FlakyListener.rejects');
      expect(logged[0]).toContain('trade.reconciled');
      expect(logged[0]).toContain('evt-log-check');
      expect(logged[0]).toContain('ERP is down');
      expect(logged[1]).toContain('FlakyListener.throws');
      for (const line of logged) {
        expect(line).not.toContain(SECRET);
        expect(line).not.toContain('TEST20240304000001');
        expect(line).not.toContain('CustomField1');
        expect(line).not.toContain('    at '); // no stack trace
      }
    });

    it('re-drives only the named handlers, and reports an id that no longer handles the event as failed', async () => {
      const report = await bus.publish(makeEvent('trade.reconciled'), {
        only: [
          'FlakyListener.rejects',
          'PaymentsListener.onReconciled',
          'FlakyListener.rejects',
          'Removed.handler',
          'PaymentsListener.onSucceeded',
        ],
      });

      expect(report.results).toEqual([
        { handlerId: 'FlakyListener.rejects', ok: false, error: 'ERP is down', durationMs: expect.any(Number) },
        { handlerId: 'PaymentsListener.onReconciled', ok: true, durationMs: expect.any(Number) },
        {
          handlerId: 'Removed.handler',
          ok: false,
          error: expect.stringContaining('No handler Removed.handler listens to trade.reconciled'),
          durationMs: 0,
        },
        {
          handlerId: 'PaymentsListener.onSucceeded',
          ok: false,
          error: expect.stringContaining('No handler PaymentsListener.onSucceeded listens to trade.reconciled'),
          durationMs: 0,
        },
      ]);
      expect(calls).toEqual(['flaky.rejects:trade.reconciled', 'payments.onReconciled:trade.reconciled:100']);

      calls.length = 0;
      expect((await bus.publish(makeEvent('trade.reconciled'), { only: [] })).results).toEqual([]);
      expect(calls).toEqual([]);
    });

    it('fails a handler that exceeds its timeout, aborts its signal, and carries on with the others', async () => {
      const slow = moduleRef.get(SlowListener);
      const report = await bus.publish(makeEvent('notification.rejected'), { timeoutMs: 50 });

      expect(report.results).toEqual([
        { handlerId: 'AuditListener.record', ok: true, durationMs: expect.any(Number) },
        {
          handlerId: 'SlowListener.waitForever',
          ok: false,
          error: 'Timed out after 50 ms',
          durationMs: expect.any(Number),
        },
      ]);
      const timedOut = report.results[1]!;
      expect(timedOut.durationMs).toBeGreaterThanOrEqual(45);
      expect(timedOut.durationMs).toBeLessThan(5_000);
      expect(calls).toEqual([
        'audit:notification.rejected:evt-notification.rejected',
        'slow:notification.rejected:SlowListener.waitForever',
      ]);
      expect(slow.abortedWith).toEqual(new Error('Timed out after 50 ms'));
    });

    it('takes its default timeout from the constructor options, and refuses a nonsensical one', async () => {
      const shortBus = new EcpayEventBus(registry, { timeoutMs: 30 });
      const report = await shortBus.publish(makeEvent('notification.rejected'), { only: ['SlowListener.waitForever'] });
      expect(report.results).toEqual([
        {
          handlerId: 'SlowListener.waitForever',
          ok: false,
          error: 'Timed out after 30 ms',
          durationMs: expect.any(Number),
        },
      ]);

      expect(() => new EcpayEventBus(registry, { timeoutMs: 0 })).toThrow(RangeError);
      await expect(bus.publish(makeEvent('payment.succeeded'), { timeoutMs: Number.NaN })).rejects.toThrow(
        'timeoutMs must be a number of milliseconds',
      );
    });

    it('is injectable in the app and calls the method as it is now (a spy replaced after start-up runs)', async () => {
      const orders = moduleRef.get(OrdersService);
      expect(orders.bus).toBe(bus);
      const payments = moduleRef.get(PaymentsListener);
      const spy = jest.spyOn(payments, 'onSucceeded').mockResolvedValue(undefined);
      try {
        await orders.bus.publish(makeEvent('payment.succeeded', 'evt-spied'));
        expect(spy).toHaveBeenCalledTimes(1);
        expect(spy.mock.calls[0]?.[0]).toMatchObject({ id: 'evt-spied' });
        expect(spy.mock.contexts[0]).toBe(payments);
      } finally {
        spy.mockRestore();
      }
    });
  });
});
