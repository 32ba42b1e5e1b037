import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startEcpaySandbox, type EcpaySandboxServer } from '../../src/sandbox/index.js';
import { checkout, order, payByCard } from './support/sandbox-flow.js';
import { independentMac, parseKeyValues, postForm, Receiver, signed } from './support/sandbox-http.js';

// The server APIs, checked by a client written from the spec alone: split on & and the first =, no decoding, verify.
describe('sandbox QueryTradeInfo/V5 and CreditDetail/DoAction', () => {
  let sandbox: EcpaySandboxServer;
  const shop = new Receiver();
  // A clock the test moves: the TimeStamp window is measured against it.
  let now = new Date('2025-03-04T08:36:54Z');

  beforeAll(async () => {
    await shop.start();
    sandbox = await startEcpaySandbox({ retrySchedule: [], clock: { now: () => now }, autoClose: false });
  });
  afterAll(async () => {
    await sandbox.close();
    await shop.close();
  });

  const stamp = (offsetSeconds = 0) => String(Math.floor(now.getTime() / 1000) + offsetSeconds);
  const query = async (fields: Record<string, string>) =>
    (await postForm(`${sandbox.url}/Cashier/QueryTradeInfo/V5`, fields)).text();
  const doAction = async (
    merchantTradeNo: string,
    action: string,
    amount: number,
    tradeNo = sandbox.store.trade(merchantTradeNo)?.tradeNo ?? '',
  ) => {
    const text = await (
      await postForm(
        `${sandbox.url}/CreditDetail/DoAction`,
        signed({
          MerchantID: '3002607',
          MerchantTradeNo: merchantTradeNo,
          TradeNo: tradeNo,
          Action: action,
          TotalAmount: String(amount),
        }),
      )
    ).text();
    const answer = parseKeyValues(text);
    expect(answer.CheckMacValue).toBe(independentMac(answer));
    expect(Object.keys(answer)).toEqual([
      'MerchantID',
      'MerchantTradeNo',
      'TradeNo',
      'RtnCode',
      'RtnMsg',
      'CheckMacValue',
    ]);
    return answer;
  };
  const paidTrade = async (no: string, extra: Record<string, string> = {}) => {
    await payByCard(await checkout(sandbox.url, order(no, `${shop.url}/ecpay/return`, extra)), '4311952222222222');
    return sandbox.store.trade(no)!;
  };

  it('answers a paid trade as k=v with raw (unencoded) values, signed over them, TradeStatus 1', async () => {
    const trade = await paidTrade('SbxQuery1', { ItemName: 'AI 繪圖夢工廠 + 社群玩家特典 100%', CustomField2: 'a b' });
    const text = await query(signed({ MerchantID: '3002607', MerchantTradeNo: 'SbxQuery1', TimeStamp: stamp() }));
    // Not form-encoded: the + and the space are there as they are.
    expect(text).toContain('&ItemName=AI 繪圖夢工廠 + 社群玩家特典 100%&');
    const answer = parseKeyValues(text);
    expect(answer.CheckMacValue).toBe(independentMac(answer));
    expect(answer).toMatchObject({
      MerchantID: '3002607',
      MerchantTradeNo: 'SbxQuery1',
      TradeNo: trade.tradeNo,
      TradeAmt: '590',
      TradeStatus: '1',
      PaymentType: 'Credit_CreditCard',
      PaymentDate: '2025/03/04 16:36:54',
      TradeDate: '2025/03/04 16:36:54',
      CustomField2: 'a b',
    });
  });

  it('answers TradeStatus 0 before payment and 10200047 for an unknown order, still signed', async () => {
    await checkout(sandbox.url, order('SbxQuery2', `${shop.url}/ecpay/return`));
    const unpaid = parseKeyValues(
      await query(signed({ MerchantID: '3002607', MerchantTradeNo: 'SbxQuery2', TimeStamp: stamp() })),
    );
    expect(unpaid.TradeStatus).toBe('0');
    const unknown = parseKeyValues(
      await query(signed({ MerchantID: '3002607', MerchantTradeNo: 'NoSuchOrder', TimeStamp: stamp() })),
    );
    expect(unknown).toMatchObject({ MerchantTradeNo: 'NoSuchOrder', TradeStatus: '10200047', TradeNo: '' });
    expect(unknown.CheckMacValue).toBe(independentMac(unknown));
  });

  it('refuses a bad MAC, an unknown merchant and a TimeStamp outside 3 minutes', async () => {
    const fields = signed({ MerchantID: '3002607', MerchantTradeNo: 'SbxQuery1', TimeStamp: stamp() });
    expect(await query({ ...fields, MerchantTradeNo: 'SbxQuery2' })).toBe('10200073|CheckMacValue Error.');
    expect(await query(signed({ ...fields, MerchantID: '2000132' }))).toMatch(/^10200141\|/);
    expect(await query(signed({ ...fields, TimeStamp: stamp(-181) }))).toBe('10200084|TimeStamp Error.');
    expect(await query(signed({ ...fields, TimeStamp: stamp(181) }))).toBe('10200084|TimeStamp Error.');
    expect(parseKeyValues(await query(signed({ ...fields, TimeStamp: stamp(-179) }))).TradeStatus).toBe('1');
    // The clock moves on: a TimeStamp made 3 minutes ago no longer counts.
    const old = signed({ ...fields, TimeStamp: stamp() });
    now = new Date(now.getTime() + 181_000);
    expect(await query(old)).toBe('10200084|TimeStamp Error.');
  });

  it('DoAction on an authorized trade: R, E refused; N voids it, and then nothing more is allowed', async () => {
    await paidTrade('SbxVoid1');
    expect(await doAction('SbxVoid1', 'R', 100)).toMatchObject({
      RtnCode: expect.not.stringMatching(/^1$/),
      RtnMsg: '更新失敗.(error_status_R)',
    });
    expect((await doAction('SbxVoid1', 'E', 590)).RtnCode).not.toBe('1');
    expect(await doAction('SbxVoid1', 'N', 590)).toMatchObject({ MerchantTradeNo: 'SbxVoid1', RtnCode: '1' });
    expect(sandbox.store.trade('SbxVoid1')!.credit!.state).toBe('voided');
    for (const action of ['C', 'N', 'R', 'E']) expect((await doAction('SbxVoid1', action, 590)).RtnCode).not.toBe('1');
  });

  it('DoAction C then E goes back to authorized; partial R while closing; after the nightly close R in parts until refunded', async () => {
    await paidTrade('SbxRefund1');
    expect((await doAction('SbxRefund1', 'C', 700)).RtnMsg).toBe('更新失敗.(error_amount_C)');
    expect((await doAction('SbxRefund1', 'C', 590)).RtnCode).toBe('1');
    expect((await doAction('SbxRefund1', 'C', 590)).RtnCode).not.toBe('1');
    expect((await doAction('SbxRefund1', 'N', 590)).RtnCode).not.toBe('1');
    expect((await doAction('SbxRefund1', 'E', 590)).RtnCode).toBe('1');
    expect(sandbox.store.trade('SbxRefund1')!.credit!.state).toBe('authorized');
    expect((await doAction('SbxRefund1', 'C', 590)).RtnCode).toBe('1');
    // 要關帳: a full refund is E then N, so R of everything is refused, a part is fine.
    expect((await doAction('SbxRefund1', 'R', 590)).RtnMsg).toBe('更新失敗.(error_amount_R)');
    expect((await doAction('SbxRefund1', 'R', 90)).RtnCode).toBe('1');
    const settle = await fetch(`${sandbox.url}/__sandbox/settle`, { method: 'POST' });
    expect(await settle.json()).toEqual({ closed: expect.arrayContaining(['SbxRefund1']) });
    expect(sandbox.store.trade('SbxRefund1')!.credit!.state).toBe('closed');
    expect((await doAction('SbxRefund1', 'R', 501)).RtnMsg).toBe('更新失敗.(error_amount_R)');
    expect((await doAction('SbxRefund1', 'R', 300)).RtnCode).toBe('1');
    expect((await doAction('SbxRefund1', 'R', 200)).RtnCode).toBe('1');
    const credit = sandbox.store.trade('SbxRefund1')!.credit!;
    expect(credit).toMatchObject({ state: 'refunded', refundedAmount: 590 });
    expect(credit.actions.map((a) => `${a.action}${a.amount}`)).toEqual([
      'C590',
      'E590',
      'C590',
      'R90',
      'R300',
      'R200',
    ]);
  });

  it('DoAction refuses a wrong TradeNo, an unpaid or unknown trade and a bad MAC', async () => {
    await paidTrade('SbxAction3');
    expect((await doAction('SbxAction3', 'N', 590, '9999999999999999')).RtnMsg).toBe('更新失敗.(error_TradeNo_N)');
    await checkout(sandbox.url, order('SbxAction4', `${shop.url}/ecpay/return`));
    expect((await doAction('SbxAction4', 'N', 590, sandbox.store.trade('SbxAction4')!.tradeNo)).RtnMsg).toBe(
      '更新失敗.(error_nopay_N)',
    );
    expect((await doAction('NoSuchTrade', 'N', 590, '1')).RtnCode).toBe('10200047');
    const tampered = {
      ...signed({
        MerchantID: '3002607',
        MerchantTradeNo: 'SbxAction3',
        TradeNo: '1',
        Action: 'N',
        TotalAmount: '590',
      }),
      TotalAmount: '1',
    };
    expect(await (await postForm(`${sandbox.url}/CreditDetail/DoAction`, tampered)).text()).toBe(
      '10200073|CheckMacValue Error.',
    );
  });
});
