import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startEcpaySandbox, type EcpaySandboxServer } from '../../src/sandbox/index.js';
import { checkout, order, payByCard } from './support/sandbox-flow.js';
import { absolute, formById, get, independentMac, postForm, Receiver } from './support/sandbox-http.js';

// Paying by card on the sandbox's page, and the ReturnURL notifications that follow, with ECPay's retries.
describe('sandbox card payment and ReturnURL', () => {
  let sandbox: EcpaySandboxServer;
  const shop = new Receiver();

  beforeAll(async () => {
    await shop.start();
    sandbox = await startEcpaySandbox({ retrySchedule: [30, 30, 30, 30] });
  });
  afterAll(async () => {
    await sandbox.close();
    await shop.close();
  });
  beforeEach(() => {
    shop.received.length = 0;
    shop.respond = () => ({ body: '1|OK' });
  });

  const returnUrl = () => `${shop.url}/ecpay/return`;

  it('pays with 4311-9522-2222-2222 through 3-D Secure; ReturnURL is re-posted until it gets exactly 1|OK, then stops', async () => {
    // The shop answers wrongly twice (a quoted string, then a 500), then right.
    shop.respond = (_request, index) =>
      index === 0 ? { body: '"1|OK"' } : index === 1 ? { status: 500, body: '1|OK' } : { body: '1|OK' };
    const page = await checkout(
      sandbox.url,
      order('SbxCard1', returnUrl(), { CustomField1: 'order-42', StoreID: 'Shop1' }),
    );
    const result = await payByCard(page, '4311-9522-2222-2222');
    expect(result).toContain('data-status="paid"');

    await sandbox.notifier.settled();
    const posts = shop.on('/ecpay/return');
    expect(posts).toHaveLength(3);
    for (const post of posts) {
      expect(post.contentType).toMatch(/^application\/x-www-form-urlencoded/);
      expect(post.fields.CheckMacValue).toBe(independentMac(post.fields));
    }
    expect(posts.map((post) => post.fields.RtnMsg)).toEqual(['交易成功', 'paid', 'paid']);
    const first = posts[0]!.fields;
    expect(Object.keys(first).sort()).toEqual(
      [
        'CheckMacValue',
        'CustomField1',
        'CustomField2',
        'CustomField3',
        'CustomField4',
        'MerchantID',
        'MerchantTradeNo',
        'PaymentDate',
        'PaymentType',
        'PaymentTypeChargeFee',
        'RtnCode',
        'RtnMsg',
        'SimulatePaid',
        'StoreID',
        'TradeAmt',
        'TradeDate',
        'TradeNo',
      ].sort(),
    );
    const trade = sandbox.store.trade('SbxCard1')!;
    expect(first).toMatchObject({
      MerchantID: '3002607',
      MerchantTradeNo: 'SbxCard1',
      StoreID: 'Shop1',
      RtnCode: '1',
      TradeNo: trade.tradeNo,
      TradeAmt: '590',
      PaymentType: 'Credit_CreditCard',
      SimulatePaid: '0',
      CustomField1: 'order-42',
      PaymentDate: trade.paymentDate,
      TradeDate: trade.tradeDate,
    });
    expect(first.PaymentDate).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/);

    // Where the notification stands, through the store and through the control API.
    const notification = trade.notifications[0]!;
    expect(notification).toMatchObject({ kind: 'return', status: 'delivered', url: returnUrl() });
    expect(notification.attempts.map((a) => [a.attempt, a.status, a.body, a.acknowledged])).toEqual([
      [1, 200, '"1|OK"', false],
      [2, 500, '1|OK', false],
      [3, 200, '1|OK', true],
    ]);
    const control = (await (await get(`${sandbox.url}/__sandbox/trades/SbxCard1`)).json()) as {
      status: string;
      credit: { last4: string; state: string };
      notifications: { attempts: unknown[] }[];
    };
    expect(control).toMatchObject({ status: 'paid', credit: { last4: '2222', state: 'authorized' } });
    expect(control.notifications[0]!.attempts).toHaveLength(3);
    // No card number anywhere but its last four digits.
    expect(JSON.stringify(control)).not.toContain('43119522');
  });

  it('posts 5 times in all when never acknowledged, then gives up (status failed)', async () => {
    shop.respond = () => ({ body: 'OK' });
    await payByCard(await checkout(sandbox.url, order('SbxNoAck1', returnUrl())), '4311952222222222');
    await sandbox.notifier.settled();
    expect(shop.on('/ecpay/return')).toHaveLength(5);
    const notification = sandbox.store.trade('SbxNoAck1')!.notifications[0]!;
    expect(notification.status).toBe('failed');
    expect(notification.attempts.map((a) => a.rtnMsg)).toEqual(['交易成功', 'paid', 'paid', 'paid', 'paid']);
  });

  it('records an unreachable ReturnURL as attempts without a status', async () => {
    const page = await checkout(sandbox.url, order('SbxUnreach1', 'http://127.0.0.1:9/ecpay/return'));
    await payByCard(page, '4311952222222222');
    await sandbox.notifier.settled();
    const attempts = sandbox.store.trade('SbxUnreach1')!.notifications[0]!.attempts;
    expect(attempts).toHaveLength(5);
    expect(attempts[0]).toMatchObject({ acknowledged: false, error: expect.stringContaining('fetch failed') });
    expect(attempts[0]!.status).toBeUndefined();
  });

  it('sends the browser to OrderResultURL with a signed auto-submitting form', async () => {
    const fields = order('SbxResult1', returnUrl(), {
      OrderResultURL: `${shop.url}/ecpay/order-result`,
      ClientBackURL: `${shop.url}/ignored`,
    });
    const result = await payByCard(await checkout(sandbox.url, fields), '4311 9522 2222 2222');
    const form = formById(result, 'order-result-form');
    expect(form.action).toBe(`${shop.url}/ecpay/order-result`);
    expect(result).toContain("document.getElementById('order-result-form').submit()");
    expect(form.fields).toMatchObject({
      MerchantTradeNo: 'SbxResult1',
      RtnCode: '1',
      RtnMsg: 'Succeeded',
      TradeAmt: '590',
    });
    expect(form.fields.CheckMacValue).toBe(independentMac(form.fields));
    // OrderResultURL wins over ClientBackURL (docs/protocol.md §5.6).
    expect(result).not.toContain('/ignored');
  });

  it('offers a link back to ClientBackURL when there is no OrderResultURL; a reload does not pay twice', async () => {
    const page = await checkout(
      sandbox.url,
      order('SbxBack1', returnUrl(), { ClientBackURL: `${shop.url}/shop?x=1&y=2` }),
    );
    const result = await payByCard(page, '4311952222222222');
    expect(result).toContain(`href="${shop.url}/shop?x=1&amp;y=2"`);
    // The customer reloads the result and replays the 3-D Secure post.
    expect(await (await get(page)).text()).toContain('data-status="paid"');
    const trade = sandbox.store.trade('SbxBack1')!;
    const replay = await postForm(absolute(page, `${new URL(page).pathname}/3ds`), { otp: '1234', action: 'confirm' });
    expect(await replay.text()).toContain('data-status="paid"');
    await sandbox.notifier.settled();
    expect(trade.notifications).toHaveLength(1);
  });

  it('declines any other valid card: failed trade, ReturnURL with a failure RtnCode, no 3-D Secure step', async () => {
    const result = await payByCard(
      await checkout(sandbox.url, order('SbxDecline1', returnUrl())),
      '4111 1111 1111 1111',
    );
    expect(result).toContain('data-status="failed"');
    await sandbox.notifier.settled();
    const [post] = shop.on('/ecpay/return');
    expect(post!.fields).toMatchObject({ MerchantTradeNo: 'SbxDecline1', RtnCode: '10100058', PaymentDate: '' });
    expect(post!.fields.CheckMacValue).toBe(independentMac(post!.fields));
    expect(sandbox.store.trade('SbxDecline1')).toMatchObject({ status: 'failed', failure: { code: '10100058' } });
    expect(JSON.stringify(sandbox.store.trade('SbxDecline1'))).not.toContain('41111111');
  });

  it('shows an invalid entry again without a transaction: bad number, expired card, bad CVV, wrong OTP; cancel fails', async () => {
    const page = await checkout(sandbox.url, order('SbxInvalid1', returnUrl()));
    for (const [entry, message] of [
      [{ CardNo: '1234' }, 'must be 13 to 19 digits'],
      [{ CardNo: '4111 1111 1111 1112' }, 'is not valid'],
      [{ CardExpiry: '01/20' }, 'has expired'],
      [{ CardExpiry: '13/30' }, 'has expired'],
      [{ CardCVV: '12' }, 'CVV must be 3 or 4 digits'],
    ] as const) {
      const response = await postForm(`${page}/card`, {
        CardNo: '4311952222222222',
        CardExpiry: '12/39',
        CardCVV: '222',
        ...entry,
      });
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toContain(message);
      expect(html).not.toContain('4111 1111 1111 1112');
    }
    expect(sandbox.store.trade('SbxInvalid1')!.status).toBe('created');
    expect(
      (await postForm(`${page}/card`, { CardNo: '4311952222222222', CardExpiry: '12/39', CardCVV: '222' })).status,
    ).toBe(303);
    const wrongOtp = await postForm(`${page}/3ds`, { otp: '0000', action: 'confirm' });
    expect(await wrongOtp.text()).toContain('Wrong one-time password');
    const cancelled = await postForm(`${page}/3ds`, { otp: '', action: 'cancel' });
    expect(await cancelled.text()).toContain('data-status="failed"');
    expect(sandbox.store.trade('SbxInvalid1')!.status).toBe('failed');
    expect(sandbox.store.trade('SbxInvalid1')!.pendingCard).toBeUndefined();
  });

  it('lets the customer pick installments offered by CreditInstallment and reports them with NeedExtraPaidInfo', async () => {
    const page = await checkout(
      sandbox.url,
      order('SbxInstall2', returnUrl(), { TotalAmount: '1000', CreditInstallment: '3,6', NeedExtraPaidInfo: 'Y' }),
    );
    expect(await (await get(page)).text()).toContain('<option value="6">6 期</option>');
    expect(await payByCard(page, '4311952222222222', { Installments: '12' })).toContain(
      'Choose one of the offered installments',
    );
    await payByCard(page, '4311952222222222', { Installments: '3' });
    await sandbox.notifier.settled();
    const [post] = shop.on('/ecpay/return');
    expect(post!.fields).toMatchObject({ stage: '3', stast: '334', staed: '333', card4no: '2222', amount: '1000' });
    expect(post!.fields.CheckMacValue).toBe(independentMac(post!.fields));
  });

  it('lets the customer choose the method when ChoosePayment is ALL, without the IgnorePayment ones', async () => {
    const page = await checkout(
      sandbox.url,
      order('SbxAll1', returnUrl(), { ChoosePayment: 'ALL', IgnorePayment: 'CVS#BARCODE' }),
    );
    const html = await (await get(page)).text();
    expect(html).toContain('value="Credit"');
    expect(html).toContain('value="ATM"');
    expect(html).not.toContain('value="CVS"');
    expect((await postForm(`${page}/method`, { method: 'CVS' })).status).toBe(200);
    expect((await postForm(`${page}/method`, { method: 'Credit' })).status).toBe(303);
    expect(await payByCard(page, '4311952222222222')).toContain('data-status="paid"');
  });

  it('answers an unknown payment page with 404', async () => {
    expect((await get(`${sandbox.url}/__sandbox/pay/nope`)).status).toBe(404);
  });
});
