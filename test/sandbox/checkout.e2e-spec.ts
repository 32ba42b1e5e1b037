import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TestingModule } from '@nestjs/testing';
import { EcpayService } from '../../src/index.js';
import { startEcpaySandbox, type EcpaySandboxServer } from '../../src/sandbox/index.js';
import { compileEcpay } from '../support/test-module.js';
import { order } from './support/sandbox-flow.js';
import { absolute, get, postForm, signed } from './support/sandbox-http.js';

// AioCheckOut/V5 on the sandbox: what the library builds is accepted, what ECPay refuses is refused ECPay-style.
describe('sandbox AioCheckOut/V5', () => {
  let sandbox: EcpaySandboxServer;
  let shop: TestingModule;
  const returnUrl = 'http://127.0.0.1:9/ecpay/return';

  beforeAll(async () => {
    sandbox = await startEcpaySandbox({ retrySchedule: [] });
    shop = await compileEcpay({ environment: 'sandbox', sandboxUrl: sandbox.url, publicUrl: 'http://127.0.0.1:9' });
  });
  afterAll(async () => {
    await shop.close();
    await sandbox.close();
  });

  const post = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
    postForm(`${sandbox.url}/Cashier/AioCheckOut/V5`, fields, headers);

  /** ECPay's error page: the message code and note it shows. */
  async function refusal(fields: Record<string, string>): Promise<{ status: number; code: string; message: string }> {
    const response = await post(fields);
    const html = await response.text();
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    return {
      status: response.status,
      code: /id="rtn-code">([^<]*)</.exec(html)?.[1] ?? '',
      message: /id="rtn-msg">([^<]*)</.exec(html)?.[1] ?? '',
    };
  }

  it('accepts a checkout built and signed by the library and shows the order on its payment page', async () => {
    const checkout = await shop.get(EcpayService).createCheckout({
      items: [
        { name: 'Oolong tea', price: 295, quantity: 2 },
        { name: 'Tea & cup "set"', price: 100, quantity: 1 },
      ],
      description: 'Tea order',
      payment: { method: 'Credit' },
    });
    expect(checkout.action).toBe(`${sandbox.url}/Cashier/AioCheckOut/V5`);
    const response = await postForm(checkout.action, { ...checkout.fields });
    expect(response.status).toBe(302);
    const pageUrl = absolute(sandbox.url, response.headers.get('location')!);
    const page = await (await get(pageUrl)).text();
    expect(page).toContain(checkout.merchantTradeNo);
    expect(page).toContain('NT$ 690');
    expect(page).toContain('<li>Oolong tea x2</li>');
    // Every value is escaped on the page.
    expect(page).toContain('<li>Tea &amp; cup &quot;set&quot; x1</li>');
    expect(page).toContain('id="card-form"');
    const trade = sandbox.store.trade(checkout.merchantTradeNo)!;
    expect(trade).toMatchObject({ status: 'created', totalAmount: 690, merchantId: '3002607' });
    expect(trade.params.CheckMacValue).toBeUndefined();
    expect(trade.tradeNo).toMatch(/^\d{16}$/);
  });

  it("answers a wrong CheckMacValue with ECPay's 10200073 error page", async () => {
    const fields = order('SbxBadMac1', returnUrl);
    expect(await refusal({ ...fields, TotalAmount: '591' })).toEqual({
      status: 200,
      code: '10200073',
      message: 'CheckMacValue Error.',
    });
    expect(await refusal({ ...fields, CheckMacValue: '' })).toMatchObject({ code: '10200073' });
    // Signed with another merchant's keys.
    expect(
      await refusal(signed({ ...fields }, { hashKey: 'ABCDEFGHIJKLMNOP', hashIv: 'ABCDEFGHIJKLMNOP' })),
    ).toMatchObject({ code: '10200073' });
    expect(sandbox.store.trade('SbxBadMac1')).toBeUndefined();
  });

  it('refuses an unknown merchant', async () => {
    expect(await refusal(order('SbxUnknown1', returnUrl, { MerchantID: '2000132' }))).toMatchObject({
      code: '10200141',
    });
  });

  it('refuses a missing or malformed field, even when correctly signed, naming it', async () => {
    const { TotalAmount: _dropped, ...withoutAmount } = order('SbxMissing1', returnUrl);
    expect(await refusal(signed(withoutAmount))).toMatchObject({
      code: '10200050',
      message: 'Parameter Error. TotalAmount is required.',
    });
    const cases: [Record<string, string>, string][] = [
      [{ TotalAmount: '59.5' }, 'TotalAmount must be a positive integer.'],
      [{ TotalAmount: '0' }, 'TotalAmount must be a positive integer.'],
      [{ TotalAmount: '-5' }, 'TotalAmount must be a positive integer.'],
      [{ MerchantTradeNo: 'A'.repeat(21) }, 'MerchantTradeNo is longer than 20 characters.'],
      [{ MerchantTradeNo: 'has_underscore' }, 'MerchantTradeNo must contain only letters and digits.'],
      [{ ItemName: 'x'.repeat(401) }, 'ItemName is longer than 400 characters.'],
      [{ MerchantTradeDate: '2025-01-02 03:04:05' }, 'MerchantTradeDate must be yyyy/MM/dd HH:mm:ss.'],
      [{ ChoosePayment: 'Cash' }, 'ChoosePayment is not a payment method.'],
      [{ EncryptType: '0' }, 'EncryptType must be 1.'],
      [{ ItemName: '<b>tea</b>' }, 'ItemName must not contain HTML tags.'],
      [{ PeriodAmount: '590', PeriodType: 'M', Frequency: '1' }, 'ExecTimes is required for periodic payments.'],
      [
        { PeriodAmount: '590', PeriodType: 'M', Frequency: '1', ExecTimes: '12', CreditInstallment: '3' },
        'CreditInstallment cannot be combined with periodic payments.',
      ],
      [
        { PeriodAmount: '100', PeriodType: 'M', Frequency: '1', ExecTimes: '12' },
        'PeriodAmount must equal TotalAmount.',
      ],
    ];
    for (const [change, message] of cases) {
      expect(await refusal(order('SbxBadField1', returnUrl, change))).toEqual({
        status: 200,
        code: '10200050',
        message: `Parameter Error. ${message}`,
      });
    }
    expect(sandbox.store.trade('SbxBadField1')).toBeUndefined();
  });

  it('refuses a reused MerchantTradeNo, even after the first order was never paid', async () => {
    const fields = order('SbxReused1', returnUrl);
    expect((await post(fields)).status).toBe(302);
    expect(await refusal(order('SbxReused1', returnUrl, { TotalAmount: '100' }))).toMatchObject({
      code: '10200058',
      message: expect.stringContaining('訂單編號重覆'),
    });
    // As text for clients that ask for it.
    const text = await (await post(fields, { Accept: 'text/plain' })).text();
    expect(text).toBe('10200058|訂單編號重覆 (MerchantTradeNo duplicate).');
  });

  it('accepts installment and periodic orders', async () => {
    expect((await post(order('SbxInstall1', returnUrl, { CreditInstallment: '3,6' }))).status).toBe(302);
    const periodic = {
      PeriodAmount: '590',
      PeriodType: 'M',
      Frequency: '1',
      ExecTimes: '6',
      PeriodReturnURL: `${returnUrl}/period`,
    };
    expect((await post(order('SbxPeriod1', returnUrl, periodic))).status).toBe(302);
    expect(sandbox.store.trade('SbxPeriod1')?.params.ExecTimes).toBe('6');
  });

  it('verifies the MAC over the form-decoded values: spaces, +, %, emoji and Chinese', async () => {
    const fields = order('SbxEncoding1', returnUrl, {
      TradeDesc: '促銷 方案',
      ItemName: "C++ 100% tea 😀 ~'!*()",
      CustomField1: 'a+b=c&d',
    });
    expect((await post(fields)).status).toBe(302);
    expect(sandbox.store.trade('SbxEncoding1')?.params.ItemName).toBe("C++ 100% tea 😀 ~'!*()");
  });
});
