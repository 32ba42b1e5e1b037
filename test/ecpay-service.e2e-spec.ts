import { afterEach, describe, expect, it } from '@jest/globals';
import { Test, type TestingModule } from '@nestjs/testing';
import { inspect } from 'node:util';
import {
  EcpayCardsService,
  EcpayCheckoutService,
  EcpayClient,
  EcpayConfigError,
  EcpayCryptoService,
  EcpayModule,
  EcpayService,
  EcpaySigningService,
  type EcpayCheckoutOrder,
  type EcpayModuleOptions,
} from '../src/index.js';
import { STAGE_MERCHANT, testDatabase } from './support/test-module.js';

// EcpayService as an app meets it: one way per capability, the same answer from every verb that needs the database
// when persistence is off, and the deprecated `checkout` property still working until it goes.

const order: EcpayCheckoutOrder = {
  items: [{ name: 'Oolong tea', price: 250, quantity: 2 }],
  description: 'Tea order',
  payment: { method: 'Credit' },
};

let module: TestingModule | undefined;

async function start(persistence: boolean): Promise<EcpayService> {
  module = await Test.createTestingModule({
    imports: [
      ...(persistence ? [testDatabase()] : []),
      EcpayModule.forRoot({
        environment: 'stage',
        ...STAGE_MERCHANT,
        publicUrl: 'https://shop.example.com',
        persistence,
      } as EcpayModuleOptions),
    ],
  }).compile();
  return module.get(EcpayService);
}

afterEach(async () => {
  await module?.close();
  module = undefined;
});

/** Every verb that needs the database, called as an app would. */
const PERSISTENCE_VERBS: Record<string, (ecpay: EcpayService) => Promise<unknown>> = {
  findTrade: (ecpay) => ecpay.findTrade('Order0001'),
  refund: (ecpay) => ecpay.refund('Order0001', 100),
  capture: (ecpay) => ecpay.capture('Order0001'),
  cancel: (ecpay) => ecpay.cancel('Order0001'),
  cancelPeriod: (ecpay) => ecpay.cancelPeriod('Order0001'),
  reAuthPeriod: (ecpay) => ecpay.reAuthPeriod('Order0001'),
  resolveAction: (ecpay) => ecpay.resolveAction('action-1', 'succeeded'),
  reconcile: (ecpay) => ecpay.reconcile(),
  redriveNotification: (ecpay) => ecpay.redriveNotification('notification-1'),
  listEvents: (ecpay) => ecpay.listEvents({ status: 'failed' }),
  getEvent: (ecpay) => ecpay.getEvent('notification-1'),
  listUnresolvedActions: (ecpay) => ecpay.listUnresolvedActions(),
};

/** The façade's members that work without a database. */
const WITHOUT_DATABASE = [
  'constructor',
  'environment',
  'merchant',
  'checkout',
  'createCheckout',
  'buildCheckout',
  'backAuth',
];

describe('EcpayService with persistence: false', () => {
  it('classifies every verb: a new one must say whether it needs the database', () => {
    expect(Object.getOwnPropertyNames(EcpayService.prototype).sort()).toEqual(
      [...WITHOUT_DATABASE, ...Object.keys(PERSISTENCE_VERBS)].sort(),
    );
  });

  it.each(Object.keys(PERSISTENCE_VERBS))('%s rejects with an EcpayConfigError naming persistence', async (verb) => {
    const ecpay = await start(false);
    let pending: Promise<unknown> | undefined;
    // A rejection, not a synchronous throw: `ecpay.refund(...).catch(...)` must be enough for the app.
    expect(() => {
      pending = PERSISTENCE_VERBS[verb](ecpay);
    }).not.toThrow();
    const error = await pending!.then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    expect(error).toBeInstanceOf(EcpayConfigError);
    expect((error as EcpayConfigError).issues).toEqual([
      { option: 'persistence', message: expect.stringContaining('remove "persistence: false"') },
    ]);
  });

  it('still builds checkout forms and prints the short form without keys', async () => {
    const ecpay = await start(false);
    expect(ecpay.buildCheckout({ ...order, merchantTradeNo: 'Unstored0001' }).fields.MerchantTradeNo).toBe(
      'Unstored0001',
    );
    const printed = inspect(ecpay, { depth: null, showHidden: true });
    expect(printed).toBe(`EcpayService { environment: 'stage', merchants: ['default' ${STAGE_MERCHANT.merchantId}] }`);
    expect(printed).not.toContain(STAGE_MERCHANT.hashKey);
    expect(printed).not.toContain(STAGE_MERCHANT.hashIv);
  });
});

describe('EcpayService building blocks', () => {
  it("are the module's own services", async () => {
    const ecpay = await start(true);
    expect(ecpay.signing).toBe(module!.get(EcpaySigningService));
    expect(ecpay.crypto).toBe(module!.get(EcpayCryptoService));
    expect(ecpay.client).toBe(module!.get(EcpayClient));
    expect(ecpay.cards).toBe(module!.get(EcpayCardsService));
  });

  it('the deprecated checkout property still creates and builds checkouts', async () => {
    const ecpay = await start(true);
    // The one place that still uses it: proof that 0.1 code keeps working until 0.3.0 removes it.
    const checkouts = ecpay.checkout;
    expect(checkouts).toBe(module!.get(EcpayCheckoutService));
    const checkout = await checkouts.createCheckout(order);
    await expect(ecpay.findTrade(checkout.merchantTradeNo)).resolves.toMatchObject({ status: 'pending' });
    expect(checkouts.buildCheckout({ ...order, merchantTradeNo: 'Built0001' }).fields.MerchantTradeNo).toBe(
      'Built0001',
    );
  });
});
