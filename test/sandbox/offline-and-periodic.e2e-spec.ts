import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startEcpaySandbox, type EcpaySandboxServer } from '../../src/sandbox/index.js';
import { checkout, order, payByCard } from './support/sandbox-flow.js';
import { formById, get, independentMac, parseKeyValues, postForm, Receiver, signed } from './support/sandbox-http.js';

describe('sandbox ATM / CVS / BARCODE codes and periodic charges', () => {
  let sandbox: EcpaySandboxServer;
  const shop = new Receiver();

  beforeAll(async () => {
    await shop.start();
    sandbox = await startEcpaySandbox({ retrySchedule: [20, 20, 20, 20] });
  });
  afterAll(async () => {
    await sandbox.close();
    await shop.close();
  });
  beforeEach(() => {
    shop.received.length = 0;
  });

  const urls = () => ({ ReturnURL: `${shop.url}/ecpay/return`, PaymentInfoURL: `${shop.url}/ecpay/payment-info` });

  it('ATM: issues an account (PaymentInfoURL, RtnCode 2), then "pay now" posts ReturnURL', async () => {
    const fields = order('SbxAtm1', urls().ReturnURL, {
      ChoosePayment: 'ATM',
      PaymentInfoURL: urls().PaymentInfoURL,
      ExpireDate: '5',
      ClientRedirectURL: `${shop.url}/atm-done`,
    });
    const page = await checkout(sandbox.url, fields);
    const codeForm = formById(await (await get(page)).text(), 'code-form');
    expect((await postForm(new URL(codeForm.action, page).href, {})).status).toBe(303);

    const [info] = shop.on('/ecpay/payment-info');
    expect(info!.fields).toMatchObject({
      MerchantTradeNo: 'SbxAtm1',
      RtnCode: '2',
      PaymentType: 'ATM_TAISHIN',
      BankCode: '812',
      TradeAmt: '590',
    });
    expect(info!.fields.vAccount).toMatch(/^\d{16}$/);
    expect(info!.fields.ExpireDate).toMatch(/^\d{4}\/\d{2}\/\d{2}$/);
    expect(info!.fields.CheckMacValue).toBe(independentMac(info!.fields));
    expect(shop.on('/ecpay/return')).toHaveLength(0);

    const codePage = await (await get(page)).text();
    expect(codePage).toContain(info!.fields.vAccount);
    // ClientRedirectURL gets the same signed fields, posted by the browser.
    const redirect = formById(codePage, 'client-redirect-form');
    expect(redirect.action).toBe(`${shop.url}/atm-done`);
    expect(redirect.fields).toEqual(info!.fields);

    const paid = await postForm(new URL(formById(codePage, 'pay-code-form').action, page).href, {});
    expect(await paid.text()).toContain('data-status="paid"');
    const [payment] = shop.on('/ecpay/return');
    expect(payment!.fields).toMatchObject({
      MerchantTradeNo: 'SbxAtm1',
      RtnCode: '1',
      RtnMsg: '交易成功',
      PaymentType: 'ATM_TAISHIN',
      TradeNo: info!.fields.TradeNo,
    });
    expect(payment!.fields.CheckMacValue).toBe(independentMac(payment!.fields));
    expect(sandbox.store.trade('SbxAtm1')!.notifications.map((n) => [n.kind, n.status])).toEqual([
      ['payment-info', 'delivered'],
      ['return', 'delivered'],
    ]);
  });

  it('CVS and BARCODE: codes issued with RtnCode 10100073', async () => {
    for (const [method, no] of [
      ['CVS', 'SbxCvs1'],
      ['BARCODE', 'SbxBarcode1'],
    ] as const) {
      const page = await checkout(
        sandbox.url,
        order(no, urls().ReturnURL, { ChoosePayment: method, PaymentInfoURL: urls().PaymentInfoURL }),
      );
      await postForm(`${page}/code`, {});
      const info = shop.on('/ecpay/payment-info').find((post) => post.fields.MerchantTradeNo === no)!;
      expect(info.fields).toMatchObject({
        RtnCode: '10100073',
        PaymentType: method === 'CVS' ? 'CVS_CVS' : 'BARCODE_BARCODE',
      });
      if (method === 'CVS') expect(info.fields.PaymentNo).toMatch(/^LLL\d{9}$/);
      else expect(info.fields.Barcode1).not.toBe('');
      expect(info.fields.CheckMacValue).toBe(independentMac(info.fields));
      expect(await (await postForm(`${page}/code/pay`, {})).text()).toContain('data-status="paid"');
    }
  });

  it('a periodic order: the first charge goes to ReturnURL, charges 2..n on demand to PeriodReturnURL, then it is done', async () => {
    const periodic = {
      PeriodAmount: '590',
      PeriodType: 'M',
      Frequency: '1',
      ExecTimes: '3',
      PeriodReturnURL: `${shop.url}/ecpay/period-return`,
    };
    await payByCard(await checkout(sandbox.url, order('SbxPeriod2', urls().ReturnURL, periodic)), '4311952222222222');
    expect(shop.on('/ecpay/return')).toHaveLength(1);

    const charge = (body: Record<string, unknown>) =>
      fetch(`${sandbox.url}/__sandbox/period-charge`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const second = await charge({ MerchantTradeNo: 'SbxPeriod2' });
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({
      charge: { times: 2, succeeded: true },
      notification: { kind: 'period-return', status: 'delivered' },
    });
    // A declined third charge, charged again by CreditCardPeriodAction ReAuth.
    expect(await (await charge({ MerchantTradeNo: 'SbxPeriod2', fail: true })).json()).toMatchObject({
      charge: { times: 3, succeeded: false },
    });
    const reAuth = signed({
      MerchantID: '3002607',
      MerchantTradeNo: 'SbxPeriod2',
      Action: 'ReAuth',
      TimeStamp: String(Math.floor(Date.now() / 1000)),
    });
    const reAuthAnswer = parseKeyValues(
      await (await postForm(`${sandbox.url}/Cashier/CreditCardPeriodAction`, reAuth)).text(),
    );
    expect(reAuthAnswer).toMatchObject({ MerchantID: '3002607', MerchantTradeNo: 'SbxPeriod2', RtnCode: '1' });
    expect(reAuthAnswer.CheckMacValue).toBe(independentMac(reAuthAnswer));

    const posts = shop.on('/ecpay/period-return');
    expect(posts.map((post) => [post.fields.RtnCode, post.fields.TotalSuccessTimes])).toEqual([
      ['1', '2'],
      ['10100058', '2'],
      ['1', '3'],
    ]);
    for (const post of posts) {
      expect(post.fields).toMatchObject({
        MerchantTradeNo: 'SbxPeriod2',
        PeriodType: 'M',
        Frequency: '1',
        ExecTimes: '3',
        Amount: '590',
        FirstAuthAmount: '590',
        SimulatePaid: '0',
      });
      expect(post.fields.CheckMacValue).toBe(independentMac(post.fields));
    }
    expect(sandbox.store.trade('SbxPeriod2')!.period!.status).toBe('done');
    expect((await charge({ MerchantTradeNo: 'SbxPeriod2' })).status).toBe(409);

    const info = signed({
      MerchantID: '3002607',
      MerchantTradeNo: 'SbxPeriod2',
      TimeStamp: String(Math.floor(Date.now() / 1000)),
    });
    const json = await (await postForm(`${sandbox.url}/Cashier/QueryCreditCardPeriodInfo`, info)).json();
    expect(json).toMatchObject({
      RtnCode: 1,
      PeriodType: 'M',
      ExecTimes: 3,
      PeriodAmount: 590,
      TotalSuccessTimes: 3,
      TotalSuccessAmount: 1770,
      ExecStatus: '2',
      card4no: '2222',
    });
    expect((json as { ExecLog: unknown[] }).ExecLog).toHaveLength(4);
  });

  it('CreditCardPeriodAction Cancel stops the schedule', async () => {
    const periodic = {
      PeriodAmount: '590',
      PeriodType: 'D',
      Frequency: '7',
      ExecTimes: '10',
      PeriodReturnURL: `${shop.url}/ecpay/period-return`,
    };
    await payByCard(await checkout(sandbox.url, order('SbxPeriod3', urls().ReturnURL, periodic)), '4311952222222222');
    const cancel = signed({
      MerchantID: '3002607',
      MerchantTradeNo: 'SbxPeriod3',
      Action: 'Cancel',
      TimeStamp: String(Math.floor(Date.now() / 1000)),
    });
    expect(
      parseKeyValues(await (await postForm(`${sandbox.url}/Cashier/CreditCardPeriodAction`, cancel)).text()).RtnCode,
    ).toBe('1');
    const again = parseKeyValues(
      await (await postForm(`${sandbox.url}/Cashier/CreditCardPeriodAction`, cancel)).text(),
    );
    expect(again.RtnCode).not.toBe('1');
    const refused = await fetch(`${sandbox.url}/__sandbox/period-charge`, {
      method: 'POST',
      body: new URLSearchParams({ MerchantTradeNo: 'SbxPeriod3' }),
    });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({ error: 'the periodic order SbxPeriod3 is cancelled' });
  });
});
