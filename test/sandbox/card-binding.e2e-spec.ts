import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TestingModule } from '@nestjs/testing';
import { EcpayClient } from '../../src/client/ecpay-client.service.js';
import { decryptEcpayData } from '../../src/crypto/ecpay-aes.js';
import {
  startEcpaySandbox,
  type EcpaySandboxServer,
  type SandboxBindingSession,
  type SandboxBoundCard,
} from '../../src/sandbox/index.js';
import { compileEcpay } from '../support/test-module.js';
import { aesDecrypt, postEnvelope, requestEnvelope, type ResponseEnvelope } from './support/independent-aes.js';
import { bindOnPage } from './support/json-flow.js';
import { formById, get, postForm, Receiver, STAGE, waitFor } from './support/sandbox-http.js';

// 站內付 2.0 card binding on the sandbox, through the library's EcpayClient.sendEnvelope (the library has no
// higher-level binding API yet) and, for one envelope each way, an independent AES implementation.
describe('sandbox ecpg card binding', () => {
  let sandbox: EcpaySandboxServer;
  let moduleRef: TestingModule;
  let client: EcpayClient;
  const shop = new Receiver();
  const member = `m${Date.now().toString(36)}`;
  let sequence = 0;
  const nextNo = (tag: string) => `Sbx${tag}${Date.now().toString(36)}${++sequence}`.slice(0, 20);

  beforeAll(async () => {
    await shop.start();
    sandbox = await startEcpaySandbox({ retrySchedule: [20, 20] });
    moduleRef = await compileEcpay({
      environment: 'sandbox',
      sandboxUrl: sandbox.url,
      dispatch: { pollIntervalMs: 0 },
    });
    client = moduleRef.get(EcpayClient);
  });
  afterAll(async () => {
    await sandbox.notifier.settled();
    await moduleRef.close();
    await sandbox.close();
    await shop.close();
  });

  const orderInfo = (merchantTradeNo: string, returnPath = '/bind/return') => ({
    MerchantTradeDate: '2025/03/12 15:30:23',
    MerchantTradeNo: merchantTradeNo,
    TotalAmount: 1,
    TradeDesc: '綁卡驗證',
    ItemName: 'Card binding',
    ReturnURL: `${shop.url}${returnPath}`,
  });

  /**
   * GetTokenbyBindingCard → the binding page → the BindCardPayToken → CreateBindCard. Returns CreateBindCard's Data.
   */
  async function bind(cardNo: string, memberId = member): Promise<Record<string, any>> {
    const tokenAnswer = await client.sendEnvelope('getTokenByBindingCard', {
      PlatformID: '',
      MerchantID: STAGE.merchantId,
      ConsumerInfo: {
        MerchantMemberID: memberId,
        Email: 'tea@example.com',
        Phone: '0912345678',
        Name: 'Test',
        CountryCode: '158',
      },
      OrderInfo: orderInfo(nextNo('Bnd')),
      OrderResultURL: `${shop.url}/bind/result`,
      CustomField: 'bind-1',
    });
    expect(tokenAnswer).toMatchObject({
      RtnCode: 1,
      MerchantID: STAGE.merchantId,
      Token: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    const payToken = await bindOnPage(`${sandbox.url}/__sandbox/bind/${String(tokenAnswer.Token)}`, cardNo);
    return client.sendEnvelope('createBindCard', {
      MerchantID: STAGE.merchantId,
      BindCardPayToken: payToken,
      MerchantMemberID: memberId,
    });
  }

  const pay = (bindCardId: string, merchantTradeNo: string) =>
    client.sendEnvelope('createPaymentWithCardId', {
      PlatformID: '',
      MerchantID: STAGE.merchantId,
      BindCardID: bindCardId,
      OrderInfo: { ...orderInfo(merchantTradeNo, '/pay/return'), TotalAmount: 880, ItemName: 'Oolong tea x4' },
      ConsumerInfo: { MerchantMemberID: member, Email: 'tea@example.com' },
      CustomField: 'pay-1',
    });

  const posted = (path: string) =>
    shop.on(path).map((post) => ({ post, envelope: JSON.parse(post.body) as ResponseEnvelope }));
  let firstCardId = '';

  it('binds a card: BindCardID (64 hex), IsSameCard false, CardInfo with expiry, OrderInfo; binding notification posted (docs/protocol.md §6.7)', async () => {
    const result = await bind('4311-9522-2222-2222');
    expect(result).toMatchObject({
      RtnCode: 1,
      RtnMsg: 'Success',
      PlatformID: '',
      MerchantID: STAGE.merchantId,
      MerchantMemberID: member,
      BindCardID: expect.stringMatching(/^[0-9a-f]{64}$/),
      IsSameCard: false,
      CustomField: 'bind-1',
      CardInfo: {
        Card6No: '431195',
        Card4No: '2222',
        CardValidYY: '39',
        CardValidMM: '12',
        Eci: 5,
        Amount: 1,
        AuthCode: '777777',
      },
      OrderInfo: { TradeNo: expect.stringMatching(/^\d{16}$/), TradeAmt: 1, TradeStatus: '1', PaymentType: 'Credit' },
    });
    firstCardId = String(result.BindCardID);
    // The binding's authorization is a trade like any other: QueryTrade knows it.
    const merchantTradeNo = String((result.OrderInfo as { MerchantTradeNo: string }).MerchantTradeNo);
    expect(await client.queryTrade({ merchantTradeNo })).toMatchObject({ tradeStatus: 1, tradeAmount: 1 });

    // docs/protocol.md §6.7: the same result, as a JSON envelope to ReturnURL, decrypting with the merchant's keys.
    await waitFor(() => posted('/bind/return').length === 1);
    const { post, envelope } = posted('/bind/return')[0]!;
    expect(post.contentType).toMatch(/^application\/json/);
    expect(envelope).toMatchObject({
      MerchantID: STAGE.merchantId,
      TransCode: 1,
      RpHeader: { Timestamp: expect.any(Number) },
    });
    expect(aesDecrypt(envelope.Data)).toEqual(result);
  });

  it('binding the same card again for the member: IsSameCard true and the same BindCardID; another card gets another one', async () => {
    const again = await bind('4311952222222222');
    expect(again).toMatchObject({ RtnCode: 1, IsSameCard: true, BindCardID: firstCardId });
    const other = await bind('4938177777777777');
    expect(other).toMatchObject({ RtnCode: 1, IsSameCard: false, CardInfo: { Card6No: '493817', Card4No: '7777' } });
    expect(other.BindCardID).not.toBe(firstCardId);
    // The same card for another member is that member's own binding.
    const otherMember = await bind('4311952222222222', `${member}x`);
    expect(otherMember).toMatchObject({ RtnCode: 1, IsSameCard: false });
    expect(otherMember.BindCardID).not.toBe(firstCardId);

    const list = await client.sendEnvelope('getMemberBindCard', {
      PlatformID: '',
      MerchantID: STAGE.merchantId,
      MerchantMemberID: member,
      MerchantTradeNo: nextNo('Lst'),
    });
    expect(list).toMatchObject({ RtnCode: 1, MerchantMemberID: member });
    expect(
      (list.BindCardList as { BindCardID: string; CardInfo: Record<string, string> }[]).map((card) => [
        card.BindCardID,
        card.CardInfo.Card4No,
      ]),
    ).toEqual([
      [firstCardId, '2222'],
      [other.BindCardID, '7777'],
    ]);
  });

  it('the binding page refuses a declined card, a BindCardPayToken needs its own member and works once only', async () => {
    const tokenAnswer = await client.sendEnvelope('getTokenByBindingCard', {
      MerchantID: STAGE.merchantId,
      ConsumerInfo: { MerchantMemberID: member },
      OrderInfo: orderInfo(nextNo('Pge')),
    });
    const pageUrl = `${sandbox.url}/__sandbox/bind/${String(tokenAnswer.Token)}`;
    const form = formById(await (await get(pageUrl)).text(), 'bind-card-form');
    const declined = await postForm(new URL(form.action, pageUrl).href, {
      CardNo: '4111111111111111',
      CardValidMM: '12',
      CardValidYY: '39',
      CardCVV2: '222',
    });
    expect(declined.status).toBe(200);
    expect(await declined.text()).toContain('授權失敗');

    const payToken = await bindOnPage(pageUrl, '4938177777777777');
    const session = (await (
      await get(`${sandbox.url}/__sandbox/bindings/${String(tokenAnswer.Token)}`)
    ).json()) as SandboxBindingSession;
    expect(session).toMatchObject({
      status: 'card-verified',
      merchantMemberId: member,
      card: { card6: '493817', last4: '7777', validMM: '12', validYY: '39' },
    });

    const wrongMember = await client.sendEnvelope('createBindCard', {
      MerchantID: STAGE.merchantId,
      BindCardPayToken: payToken,
      MerchantMemberID: 'someoneElse',
    });
    expect(wrongMember).toMatchObject({ RtnCode: 10100255 });
    expect(
      await client.sendEnvelope('createBindCard', {
        MerchantID: STAGE.merchantId,
        BindCardPayToken: payToken,
        MerchantMemberID: member,
      }),
    ).toMatchObject({ RtnCode: 1, IsSameCard: true });
    const reused = await client.sendEnvelope('createBindCard', {
      MerchantID: STAGE.merchantId,
      BindCardPayToken: payToken,
      MerchantMemberID: member,
    });
    expect(reused).toMatchObject({ RtnCode: 10100255, RtnMsg: expect.stringContaining('Token') });
  });

  it('pays with a bound card (envelope sent and read with an independent AES); ReturnURL is posted', async () => {
    const no = nextNo('Pay');
    const { envelope } = await postEnvelope(
      `${sandbox.url}/Merchant/CreatePaymentWithCardID`,
      requestEnvelope({
        PlatformID: '',
        MerchantID: STAGE.merchantId,
        BindCardID: firstCardId,
        OrderInfo: { ...orderInfo(no, '/pay/return'), TotalAmount: 880, ItemName: '烏龍茶 x4' },
        ConsumerInfo: { MerchantMemberID: member },
        CustomField: 'pay 1',
      }),
    );
    expect(envelope?.TransCode).toBe(1);
    const data = aesDecrypt<Record<string, any>>(envelope!.Data);
    expect(data).toMatchObject({
      RtnCode: 1,
      MerchantID: STAGE.merchantId,
      BindCardID: firstCardId,
      CustomField: 'pay 1',
      OrderInfo: { MerchantTradeNo: no, TradeAmt: 880, TradeStatus: '1' },
      CardInfo: { Card6No: '431195', Card4No: '2222', Amount: 880, Eci: 7 },
    });
    await waitFor(() =>
      posted('/pay/return').some(
        ({ envelope: posted }) => aesDecrypt<Record<string, any>>(posted.Data).OrderInfo.MerchantTradeNo === no,
      ),
    );
    expect(await client.queryTrade({ merchantTradeNo: no })).toMatchObject({ tradeStatus: 1, tradeAmount: 880 });
  });

  it('delete, then pay: declined; the card leaves GetMemberBindCard; unknown BindCardIDs are declined too', async () => {
    expect(
      await client.sendEnvelope('deleteMemberBindCard', {
        PlatformID: '',
        MerchantID: STAGE.merchantId,
        BindCardID: firstCardId,
      }),
    ).toMatchObject({ RtnCode: 1 });
    const paid = await pay(firstCardId, nextNo('Del'));
    expect(paid).toMatchObject({ RtnCode: 10100254, RtnMsg: expect.stringContaining('查無此綁定卡片') });
    expect(sandbox.store.trade(String(paid.MerchantTradeNo))).toBeUndefined();
    expect(
      await client.sendEnvelope('deleteMemberBindCard', { MerchantID: STAGE.merchantId, BindCardID: firstCardId }),
    ).toMatchObject({ RtnCode: 10100254 });
    expect(await pay('f'.repeat(64), nextNo('Unk'))).toMatchObject({ RtnCode: 10100254 });

    const list = await client.sendEnvelope('getMemberBindCard', {
      MerchantID: STAGE.merchantId,
      MerchantMemberID: member,
    });
    expect((list.BindCardList as { BindCardID: string }[]).map((card) => card.BindCardID)).not.toContain(firstCardId);
    // The control API still shows the deleted card, marked.
    const cards = (await (
      await get(`${sandbox.url}/__sandbox/cards?merchantMemberId=${member}`)
    ).json()) as SandboxBoundCard[];
    expect(cards.find((card) => card.bindCardId === firstCardId)).toMatchObject({
      deletedAt: expect.any(String),
      card: { card6: '431195', last4: '2222' },
    });
  });

  it('every notification posted is a TransCode 1 envelope that decrypts with the merchant keys (library and independent AES alike)', async () => {
    await sandbox.notifier.settled();
    const all = [...posted('/bind/return'), ...posted('/pay/return')];
    expect(all.length).toBeGreaterThanOrEqual(6);
    for (const { envelope } of all) {
      expect(envelope).toMatchObject({ MerchantID: STAGE.merchantId, TransCode: 1 });
      expect(decryptEcpayData(envelope.Data, STAGE)).toEqual(aesDecrypt(envelope.Data));
      expect(aesDecrypt(envelope.Data)).toMatchObject({ RtnCode: 1 });
    }
    // …and each was acknowledged at its first post.
    for (const trade of sandbox.store.trades()) {
      for (const notification of trade.notifications)
        expect(notification).toMatchObject({ format: 'json', status: 'delivered' });
    }
    const everything = JSON.stringify({
      trades: sandbox.store.trades(),
      bindings: sandbox.store.bindings(),
      cards: sandbox.store.cards(),
      calls: sandbox.store.apiCalls(),
    });
    for (const card of ['4311952222222222', '4938177777777777', '4111111111111111'])
      expect(everything).not.toContain(card);
  });
});
