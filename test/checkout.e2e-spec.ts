import { afterEach, describe, expect, it } from '@jest/globals';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { Test, type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import {
  computeCheckMacValue,
  EcpayConfigError,
  EcpayModule,
  EcpayService,
  EcpaySigningService,
  EcpayTrade,
  EcpayTradeStore,
  EcpayValidationError,
  MERCHANT_TRADE_NO_PATTERN,
  type EcpayCheckoutOrder,
  type EcpayModuleOptions,
} from '../src/index.js';
import { STAGE_MERCHANT, testDatabase } from './support/test-module.js';

const order: EcpayCheckoutOrder = {
  items: [
    { name: 'Oolong tea', price: 250, quantity: 2 },
    { name: 'Pineapple cake', price: 90, quantity: 1 },
  ],
  description: 'Tea order',
  payment: { method: 'Credit' },
};

const now = new Date('2024-01-01T04:00:00Z');
let module: TestingModule | undefined;

async function start(options: Partial<EcpayModuleOptions> & { persistence?: boolean } = {}) {
  module = await Test.createTestingModule({
    imports: [
      testDatabase(),
      EcpayModule.forRoot({
        environment: 'stage',
        ...STAGE_MERCHANT,
        publicUrl: 'https://shop.example.com',
        clock: { now: () => now },
        ...options,
      } as EcpayModuleOptions),
    ],
  }).compile();
  return module.get(EcpayService);
}

const tradeCount = () => module!.get(DataSource).getRepository(EcpayTrade).count();

afterEach(async () => {
  await module?.close();
  module = undefined;
});

describe('EcpayService.createCheckout', () => {
  it('returns signed fields that verify, a form that posts them, and the stored trade', async () => {
    const ecpay = await start();
    const checkout = await ecpay.createCheckout(order);

    expect(checkout.action).toBe('https://payment-stage.ecpay.com.tw/Cashier/AioCheckOut/V5');
    expect(checkout.method).toBe('POST');
    expect(checkout.merchantTradeNo).toMatch(MERCHANT_TRADE_NO_PATTERN);
    expect(checkout.fields).toMatchObject({
      MerchantID: '3002607',
      MerchantTradeNo: checkout.merchantTradeNo,
      MerchantTradeDate: '2024/01/01 12:00:00', // Asia/Taipei, whatever the process TZ
      PaymentType: 'aio',
      TotalAmount: '590',
      TradeDesc: 'Tea order',
      ItemName: 'Oolong tea x2#Pineapple cake x1',
      ReturnURL: 'https://shop.example.com/ecpay/return',
      ChoosePayment: 'Credit',
      EncryptType: '1',
    });
    // The MAC is the vectors' algorithm over exactly the posted fields, and the module's verify accepts it.
    const { CheckMacValue, ...signed } = checkout.fields;
    expect(CheckMacValue).toBe(computeCheckMacValue(signed, STAGE_MERCHANT));
    expect(module!.get(EcpaySigningService).verify(checkout.fields)).toBe(true);

    for (const [name, value] of Object.entries(checkout.fields))
      expect(checkout.html).toContain(`name="${name}" value="${value}"`);
    expect(checkout.html).toContain(`action="${checkout.action}"`);

    const stored = await module!.get(EcpayTradeStore).findByMerchantTradeNo('3002607', checkout.merchantTradeNo);
    expect(stored).toMatchObject({
      id: checkout.trade.id,
      status: 'pending',
      totalAmount: 590,
      currency: 'TWD',
      choosePayment: 'Credit',
      itemName: 'Oolong tea x2#Pineapple cake x1',
      merchantTradeDate: '2024/01/01 12:00:00',
    });
  });

  it('stores the payment options of the trade', async () => {
    const ecpay = await start();
    const checkout = await ecpay.createCheckout({
      ...order,
      payment: {
        method: 'Credit',
        periodic: { periodType: 'M', frequency: 1, execTimes: 12 },
        bindCard: { memberId: 'm42' },
      },
      customFields: ['campaign-7'],
    });
    expect(checkout.trade.paymentOptions).toEqual({
      ReturnURL: 'https://shop.example.com/ecpay/return',
      BindingCard: '1',
      MerchantMemberID: '3002607m42',
      PeriodAmount: '590',
      PeriodType: 'M',
      Frequency: '1',
      ExecTimes: '12',
      PeriodReturnURL: 'https://shop.example.com/ecpay/period-return',
    });
    expect(checkout.trade.customField1).toBe('campaign-7');
  });

  it('escapes values in the HTML form while posting them unchanged', async () => {
    const ecpay = await start();
    const checkout = await ecpay.createCheckout({
      ...order,
      items: [{ name: '5" pan > & <3 "quoted"', price: 500, quantity: 1 }],
    });
    expect(checkout.fields.ItemName).toBe('5" pan > & <3 "quoted" x1');
    expect(checkout.html).toContain('value="5&quot; pan &gt; &amp; &lt;3 &quot;quoted&quot; x1"');
  });

  it('rejects a hostile ItemName before anything is stored or rendered', async () => {
    const ecpay = await start();
    const attempt = ecpay.createCheckout({
      ...order,
      items: [{ name: '"><script>alert(1)</script>', price: 100, quantity: 1 }],
    });
    await expect(attempt).rejects.toBeInstanceOf(EcpayValidationError);
    await expect(attempt).rejects.toMatchObject({ issues: [{ field: 'ItemName', rule: 'html' }] });
    expect(await tradeCount()).toBe(0);
  });

  it('reports every broken rule at once and stores nothing', async () => {
    const ecpay = await start();
    const error = await ecpay
      .createCheckout({
        ...order,
        merchantTradeNo: 'Order_2024',
        totalAmount: 1,
        description: 'Tea & cake!',
        payment: { method: 'Credit', installments: [3], periodic: { periodType: 'M', frequency: 13, execTimes: 12 } },
        returnUrl: 'https://shop.example.com:8443/ecpay/return',
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EcpayValidationError);
    expect((error as EcpayValidationError).issues.map((issue) => `${issue.field}:${issue.rule}`)).toEqual([
      'totalAmount:total-mismatch',
      'MerchantTradeNo:pattern',
      'TradeDesc:special-characters',
      'ReturnURL:url-port',
      'CreditInstallment:exclusive',
      'Frequency:range',
    ]);
    expect((error as Error).message).toContain(
      'MerchantTradeNo (pattern): must contain only letters and digits ["Order_2024"]',
    );
    expect(await tradeCount()).toBe(0);
  });

  it('refuses a MerchantTradeNo that was used before, as ECPay would', async () => {
    const ecpay = await start();
    await ecpay.createCheckout({ ...order, merchantTradeNo: 'Order2024A' });
    const again = ecpay.createCheckout({ ...order, merchantTradeNo: 'Order2024A' });
    await expect(again).rejects.toMatchObject({
      issues: [
        {
          field: 'MerchantTradeNo',
          rule: 'unique',
          message: 'is already used by another trade of this merchant (ECPay never accepts one twice)',
          value: 'Order2024A',
        },
      ],
    });
    expect(await tradeCount()).toBe(1);
  });

  it("signs a platform member's order with the platform keys and carries its PlatformID", async () => {
    const ecpay = await start({ merchants: { member: { merchantId: '1234567', platformId: '3002607' } } });
    const checkout = await ecpay.createCheckout({ ...order, merchant: 'member' });
    expect(checkout.fields).toMatchObject({ MerchantID: '1234567', PlatformID: '3002607' });
    const { CheckMacValue, ...signed } = checkout.fields;
    expect(CheckMacValue).toBe(computeCheckMacValue(signed, STAGE_MERCHANT));
    expect(checkout.trade).toMatchObject({ merchantId: '1234567', platformId: '3002607' });
  });

  it('posts to the sandbox when configured for it', async () => {
    const ecpay = await start({ environment: 'sandbox', sandboxUrl: 'http://127.0.0.1:4010/ecpay-sandbox/' });
    expect((await ecpay.createCheckout(order)).action).toBe(
      'http://127.0.0.1:4010/ecpay-sandbox/Cashier/AioCheckOut/V5',
    );
  });

  it('needs a ReturnURL from the order or from publicUrl', async () => {
    const ecpay = await start({ publicUrl: undefined });
    await expect(ecpay.createCheckout(order)).rejects.toMatchObject({
      issues: [{ field: 'ReturnURL', rule: 'required' }],
    });
    const checkout = await ecpay.createCheckout({ ...order, returnUrl: 'https://api.example.com/ecpay/return' });
    expect(checkout.fields.ReturnURL).toBe('https://api.example.com/ecpay/return');
  });

  it('stores through a named TypeORM connection when dataSource names it', async () => {
    module = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot({ name: 'payments', type: 'sqljs', autoLoadEntities: true, synchronize: true }),
        EcpayModule.forRoot({
          environment: 'stage',
          ...STAGE_MERCHANT,
          publicUrl: 'https://shop.example.com',
          dataSource: 'payments',
        }),
      ],
    }).compile();
    const checkout = await module.get(EcpayService).createCheckout(order);
    const stored = await module
      .get<DataSource>(getDataSourceToken('payments'))
      .getRepository(EcpayTrade)
      .findOneBy({ id: checkout.trade.id });
    expect(stored?.merchantTradeNo).toBe(checkout.merchantTradeNo);
  });

  it('with persistence off, explains that checkout needs it', async () => {
    const ecpay = await start({ persistence: false });
    const error = await ecpay.createCheckout(order).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EcpayConfigError);
    expect((error as Error).message).toContain(
      'persistence: createCheckout stores every trade before returning the form',
    );
  });

  it('with persistence off, buildCheckout signs and renders the same checked form without storing it', async () => {
    const ecpay = await start({ persistence: false, publicUrl: 'https://shop.example.com' });
    const form = ecpay.buildCheckout({ ...order, merchantTradeNo: 'Unstored0001' });
    expect(form.merchantTradeNo).toBe('Unstored0001');
    expect(form.fields.TotalAmount).toBe('590');
    const { CheckMacValue, ...unsigned } = form.fields;
    expect(CheckMacValue).toBe(computeCheckMacValue(unsigned, STAGE_MERCHANT));
    expect(form.html).toContain('name="CheckMacValue"');
    expect(() => ecpay.buildCheckout({ ...order, items: [] })).toThrow(EcpayValidationError);
  });
});
