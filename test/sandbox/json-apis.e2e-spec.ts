import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { TestingModule } from '@nestjs/testing';
import type { EcpayBackAuthInput } from '../../src/back-auth/back-auth-input.interface.js';
import { EcpayBackAuthService } from '../../src/back-auth/ecpay-back-auth.service.js';
import { EcpayClientJsonTransport } from '../../src/back-auth/ecpay-client-json.transport.js';
import { EcpayClient } from '../../src/client/ecpay-client.service.js';
import { decryptEcpayData } from '../../src/crypto/ecpay-aes.js';
import { EcpayApiError } from '../../src/errors/ecpay-api.error.js';
import { startEcpaySandbox, type EcpaySandboxServer, type SandboxJsonApiCall } from '../../src/sandbox/index.js';
import { compileEcpay } from '../support/test-module.js';
import { aesDecrypt, postEnvelope, requestEnvelope, type ResponseEnvelope } from './support/independent-aes.js';
import { completeThreeDSecure, resultDataOf } from './support/json-flow.js';
import { checkout, order, payByCard } from './support/sandbox-flow.js';
import { get, postForm, Receiver, STAGE, waitFor } from './support/sandbox-http.js';

// BackAuth and the JSON QueryTrade of the sandbox, over real HTTP: through the library's EcpayClient and
// EcpayBackAuthService where the library has the call, and with an independent AES implementation for the envelope.
describe('sandbox JSON/AES APIs: BackAuth and QueryTrade', () => {
  let sandbox: EcpaySandboxServer;
  let moduleRef: TestingModule;
  let client: EcpayClient;
  const shop = new Receiver();
  let sequence = 0;
  // Unique per run and per test: the sandbox refuses a reused MerchantTradeNo, as ECPay does.
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
    await moduleRef.close();
    await sandbox.close();
    await shop.close();
  });
  afterEach(async () => {
    sandbox.store.clearFaults();
    await sandbox.notifier.settled();
  });

  const backAuthService = (options: { timeoutMs?: number; queryTimeoutMs?: number } = {}) =>
    new EcpayBackAuthService(new EcpayClientJsonTransport(client), { merchantId: STAGE.merchantId, ...options });

  const input = (merchantTradeNo: string, cardNo: string): EcpayBackAuthInput => ({
    OrderInfo: {
      MerchantTradeNo: merchantTradeNo,
      TotalAmount: 500,
      ItemName: 'Oolong tea x2',
      TradeDesc: 'Tea order',
      ReturnURL: `${shop.url}/ecpay/ecpg/return`,
    },
    CardInfo: {
      CardNo: cardNo,
      CardValidMM: '12',
      CardValidYY: '39',
      CardCVV2: '222',
      DirectCapture: '0',
      OrderResultURL: `${shop.url}/ecpay/ecpg/order-result`,
    },
    ConsumerInfo: { MerchantMemberID: 'member42', Email: 'tea@example.com' },
    CustomField: 'order-42',
  });

  /**
   * BackAuth's Data (docs/protocol.md §7.6), written by hand (not the library's builder), for the raw-envelope tests.
   */
  const rawBackAuthData = (merchantTradeNo: string, cardNo: string) => ({
    MerchantID: STAGE.merchantId,
    OrderInfo: {
      MerchantTradeNo: merchantTradeNo,
      MerchantTradeDate: '2025/03/12 15:30:23',
      TotalAmount: 300,
      ItemName: '烏龍茶 x1#杯子 x1',
      TradeDesc: '茶 & 杯 (test)',
      ReturnURL: `${shop.url}/raw/return`,
    },
    ChoosePayment: 'Credit',
    CardInfo: { CardNo: cardNo, CardValidMM: '12', CardValidYY: '39', CardCVV2: '222', DirectCapture: '0' },
    ConsumerInfo: { Name: 'Test', CountryCode: '158' },
    CustomField: 'raw & (ok)?',
  });

  const jsonPosts = (path: string) => shop.on(path).map((post) => JSON.parse(post.body) as ResponseEnvelope);
  const calls = async (api: string): Promise<SandboxJsonApiCall[]> =>
    (await (await get(`${sandbox.url}/__sandbox/api-calls?api=${api}`)).json()) as SandboxJsonApiCall[];

  describe('the envelope, with an independent AES implementation', () => {
    it('a BackAuth encrypted by hand is authorized (card 4938…) and its answer and ReturnURL notification decrypt by hand', async () => {
      const no = nextNo('Raw');
      const { status, envelope } = await postEnvelope(
        `${sandbox.url}/1.0.0/Cashier/BackAuth`,
        requestEnvelope(rawBackAuthData(no, '4938177777777777')),
      );
      expect(status).toBe(200);
      expect(envelope).toMatchObject({
        MerchantID: STAGE.merchantId,
        TransCode: 1,
        TransMsg: 'Success',
        RpHeader: { Timestamp: expect.any(Number) },
      });
      const data = aesDecrypt(envelope!.Data);
      expect(data).toMatchObject({
        RtnCode: 1,
        MerchantID: STAGE.merchantId,
        CustomField: 'raw & (ok)?',
        OrderInfo: {
          MerchantTradeNo: no,
          TradeAmt: 300,
          TradeStatus: '1',
          PaymentType: 'Credit',
          TradeNo: expect.stringMatching(/^\d{16}$/),
        },
        CardInfo: { Card6No: '493817', Card4No: '7777', Amount: 300, Eci: 7, AuthCode: expect.any(String) },
      });
      expect(JSON.stringify(data)).not.toContain('4938177777777777');

      // The ReturnURL notification: the JSON envelope, posted as application/json, decrypting with the merchant's keys.
      await waitFor(() => shop.on('/raw/return').length === 1);
      const [post] = shop.on('/raw/return');
      expect(post!.contentType).toMatch(/^application\/json/);
      const notification = JSON.parse(post!.body) as ResponseEnvelope;
      expect(notification).toMatchObject({
        MerchantID: STAGE.merchantId,
        TransCode: 1,
        TransMsg: 'Success',
        RpHeader: { Timestamp: expect.any(Number) },
      });
      expect(aesDecrypt(notification.Data)).toEqual(data);
    });

    it('envelopes ECPay cannot read are answered TransCode ≠ 1 without Data: unknown merchant, wrong keys, stale Timestamp, not JSON', async () => {
      const url = `${sandbox.url}/1.0.0/Cashier/BackAuth`;
      const data = rawBackAuthData(nextNo('Bad'), '4938177777777777');
      const wrongKeys = { merchantId: STAGE.merchantId, hashKey: 'AAAAAAAAAAAAAAAA', hashIv: 'BBBBBBBBBBBBBBBB' };
      const elevenMinutesAgo = Math.floor(Date.now() / 1000) - 11 * 60;
      const answers = {
        unknownMerchant: await postEnvelope(url, requestEnvelope(data, { ...STAGE, merchantId: '9999999' })),
        wrongKeys: await postEnvelope(url, requestEnvelope(data, wrongKeys)),
        notBase64: await postEnvelope(url, {
          MerchantID: STAGE.merchantId,
          RqHeader: { Timestamp: Math.floor(Date.now() / 1000) },
          Data: '%%%not base64%%%',
        }),
        staleTimestamp: await postEnvelope(url, requestEnvelope(data, STAGE, elevenMinutesAgo)),
        futureTimestamp: await postEnvelope(url, requestEnvelope(data, STAGE, Math.floor(Date.now() / 1000) + 11 * 60)),
        noRqHeader: await postEnvelope(url, { MerchantID: STAGE.merchantId, Data: 'x' }),
        // (Malformed JSON under application/json is refused by Nest's body parser with a 400 before the sandbox sees
        // it.)
        notJson: await postEnvelope(url, 'not json at all', 'text/plain'),
      };
      for (const [name, answer] of Object.entries(answers)) {
        expect({
          name,
          status: answer.status,
          transCode: answer.envelope?.TransCode === 1 ? 1 : 'refused',
          data: answer.envelope?.Data,
        }).toEqual({
          name,
          status: 200,
          transCode: 'refused',
          data: '',
        });
      }
      expect(answers.unknownMerchant.envelope?.TransMsg).toMatch(/MerchantID/);
      expect(answers.wrongKeys.envelope?.TransMsg).toMatch(/Decrypt/);
      expect(answers.staleTimestamp.envelope?.TransMsg).toMatch(/Timestamp/);
      // Nothing was authorized.
      expect(sandbox.store.trade(data.OrderInfo.MerchantTradeNo)).toBeUndefined();
      // Ten minutes of skew are still accepted (docs/protocol.md §3.2's window).
      const nineMinutesAgo = Math.floor(Date.now() / 1000) - 9 * 60;
      const accepted = await postEnvelope(url, requestEnvelope(data, STAGE, nineMinutesAgo));
      expect(accepted.envelope?.TransCode).toBe(1);
    });
  });

  describe('BackAuth through the library (EcpayBackAuthService + EcpayClientJsonTransport)', () => {
    it('stage card 4311…: ThreeDURL → the sandbox OTP page → ReturnURL envelope, then OrderResultURL with ResultData', async () => {
      const no = nextNo('Tds');
      const result = await backAuthService().backAuth(input(no, '4311-9522-2222-2222'));
      expect(result).toEqual({
        status: 'three-d-secure',
        merchantTradeNo: no,
        url: expect.stringMatching(new RegExp(`^${sandbox.url}/__sandbox/3ds/[0-9a-f]+$`)),
      });
      if (result.status !== 'three-d-secure') throw new Error('unreachable');
      expect(sandbox.store.trade(no)).toMatchObject({ origin: 'back-auth', status: 'awaiting-3ds' });
      // Nothing is posted before the cardholder has passed 3-D Secure.
      expect(
        shop
          .on('/ecpay/ecpg/return')
          .filter(
            (post) =>
              post.body.length > 0 &&
              aesDecrypt<{ OrderInfo?: { MerchantTradeNo?: string } }>((JSON.parse(post.body) as ResponseEnvelope).Data)
                .OrderInfo?.MerchantTradeNo === no,
          ),
      ).toEqual([]);

      // A wrong OTP is asked again; the right one authorizes.
      expect(await completeThreeDSecure(result.url, '0000')).toContain('驗證碼錯誤');
      const page = await completeThreeDSecure(result.url);

      // ECPay's server spoke first: the ReturnURL notification was posted (and acknowledged) before the page came back.
      const notifications = sandbox.store.trade(no)!.notifications;
      expect(notifications).toEqual([
        expect.objectContaining({
          kind: 'return',
          format: 'json',
          url: `${shop.url}/ecpay/ecpg/return`,
          status: 'delivered',
        }),
      ]);
      const posted = jsonPosts('/ecpay/ecpg/return')
        .map((envelope) => ({ envelope, data: aesDecrypt<Record<string, any>>(envelope.Data) }))
        .find(({ data }) => data.OrderInfo.MerchantTradeNo === no)!;
      expect(posted.envelope).toMatchObject({ MerchantID: STAGE.merchantId, TransCode: 1 });
      expect(posted.data).toMatchObject({
        RtnCode: 1,
        RtnMsg: 'Success',
        MerchantID: STAGE.merchantId,
        CustomField: 'order-42',
        OrderInfo: { MerchantTradeNo: no, TradeAmt: 500, TradeStatus: '1', PaymentType: 'Credit' },
        CardInfo: { Card6No: '431195', Card4No: '2222', Eci: 5, Amount: 500 },
      });

      // The browser is sent to OrderResultURL with the envelope in ResultData; the library's decrypt reads it too.
      const { action, envelope } = resultDataOf(page);
      expect(action).toBe(`${shop.url}/ecpay/ecpg/order-result`);
      expect(envelope).toMatchObject({ MerchantID: STAGE.merchantId, TransCode: 1 });
      expect(decryptEcpayData(String(envelope.Data), STAGE)).toEqual(posted.data);
      expect(aesDecrypt(String(envelope.Data))).toEqual(posted.data);

      // Posting the OTP again (a reload) authorizes nothing twice: it shows the result again.
      const again = await postForm(result.url, { otp: '1234', action: 'confirm' });
      expect(resultDataOf(await again.text()).action).toBe(`${shop.url}/ecpay/ecpg/order-result`);
      expect(sandbox.store.trade(no)!.notifications).toHaveLength(1);

      // QueryTrade (the library's client) sees it paid.
      const queried = await client.queryTrade({ merchantTradeNo: no });
      expect(queried).toMatchObject({ merchantTradeNo: no, tradeStatus: 1, tradeAmount: 500, paymentType: 'Credit' });
    });

    it('cancelling 3-D Secure declines: ReturnURL and OrderResultURL carry RtnCode ≠ 1', async () => {
      const no = nextNo('Cxl');
      const result = await backAuthService().backAuth(input(no, '4311952222222222'));
      if (result.status !== 'three-d-secure') throw new Error(`expected three-d-secure, got ${result.status}`);
      const page = await completeThreeDSecure(result.url, '', 'cancel');
      const data = aesDecrypt<Record<string, any>>(String(resultDataOf(page).envelope.Data));
      expect(data).toMatchObject({
        RtnCode: 10100248,
        RtnMsg: expect.stringContaining('3D'),
        OrderInfo: { MerchantTradeNo: no },
      });
      expect(data.CardInfo).toBeUndefined();
      expect(sandbox.store.trade(no)).toMatchObject({ status: 'failed' });
    });

    it('card 4938…: authorized at once, without 3-D Secure, and ReturnURL is posted', async () => {
      const no = nextNo('Dir');
      const result = await backAuthService().backAuth(input(no, '4938 1777 7777 7777'));
      expect(result).toMatchObject({
        status: 'authorized',
        source: 'backauth',
        merchantTradeNo: no,
        amount: 500,
        tradeStatus: '1',
        customField: 'order-42',
        tradeNo: expect.stringMatching(/^\d{16}$/),
        card: { card6: '493817', card4: '7777', eci: 7, amount: 500, authCode: '777777' },
      });
      await waitFor(() =>
        jsonPosts('/ecpay/ecpg/return').some(
          (envelope) => aesDecrypt<Record<string, any>>(envelope.Data).OrderInfo.MerchantTradeNo === no,
        ),
      );
      expect(sandbox.store.trade(no)!.credit).toMatchObject({ state: 'authorized', card6: '493817', last4: '7777' });
    });

    it('any other card is declined with a Chinese RtnMsg; nothing is posted; the MerchantTradeNo stays used', async () => {
      const no = nextNo('Dec');
      const result = await backAuthService().backAuth(input(no, '4111111111111111'));
      expect(result).toEqual({
        status: 'failed',
        merchantTradeNo: no,
        rtnCode: 10100248,
        rtnMsg: expect.stringMatching(/^授權失敗/),
      });
      expect(sandbox.store.trade(no)).toMatchObject({ status: 'failed', notifications: [] });
      // Reusing the number is refused, as ECPay refuses a MerchantTradeNo it has seen.
      const reused = await backAuthService().backAuth(input(no, '4938177777777777'));
      expect(reused).toMatchObject({ status: 'failed', rtnCode: 10200058, rtnMsg: expect.stringContaining('重覆') });
    });

    it("Data problems are RtnCode ≠ 1 inside a TransCode 1 envelope (the library's sendEnvelope answers them)", async () => {
      const no = nextNo('Val');
      const noCard = await client.sendEnvelope('backAuth', {
        MerchantID: STAGE.merchantId,
        OrderInfo: {
          MerchantTradeNo: no,
          MerchantTradeDate: '2025/03/12 15:30:23',
          TotalAmount: 500,
          ItemName: 'tea',
          TradeDesc: '',
          ReturnURL: `${shop.url}/r`,
        },
        ChoosePayment: 'Credit',
      });
      expect(noCard).toMatchObject({ RtnCode: 10200050, RtnMsg: expect.stringContaining('CardInfo is required') });
      const badAmount = await client.sendEnvelope('backAuth', {
        ...rawBackAuthData(no, '4938177777777777'),
        OrderInfo: { ...rawBackAuthData(no, '').OrderInfo, TotalAmount: 12.5 },
      });
      expect(badAmount).toMatchObject({ RtnCode: 10200050, RtnMsg: expect.stringContaining('TotalAmount') });
      const otherMerchant = await client.sendEnvelope('queryTrade', {
        MerchantID: STAGE.merchantId,
        MerchantTradeNo: '',
      });
      expect(otherMerchant).toMatchObject({ RtnCode: 10200050, RtnMsg: expect.stringContaining('MerchantTradeNo') });
      expect(sandbox.store.trade(no)).toBeUndefined();
    });

    it('delay fault: the sandbox authorizes, the library times out, asks QueryTrade and learns "authorized" — BackAuth reached the sandbox once', async () => {
      const no = nextNo('Dly');
      sandbox.store.setFaults({ delayMs: 1200 });
      const started = Date.now();
      const result = await backAuthService({ timeoutMs: 300, queryTimeoutMs: 5000 }).backAuth(
        input(no, '4938177777777777'),
      );
      expect(result).toMatchObject({
        status: 'authorized',
        source: 'query',
        merchantTradeNo: no,
        tradeStatus: '1',
        card: { card6: '493817', card4: '7777' },
      });
      // The query waited out the delay too (it was answered, late), which only a BackAuth timeout can explain.
      expect(Date.now() - started).toBeGreaterThanOrEqual(1200);
      expect((await calls('backAuth')).filter((call) => call.merchantTradeNo === no)).toEqual([
        expect.objectContaining({ transCode: 1, rtnCode: 1 }),
      ]);
      expect((await calls('queryTrade')).filter((call) => call.merchantTradeNo === no)).toHaveLength(1);
    });

    it('403 and 500 faults turn BackAuth away unread: no trade, no call recorded', async () => {
      const before = (await calls('backAuth')).length;
      for (const fault of [{ rateLimit: true }, { serverError: true }]) {
        sandbox.store.setFaults(fault);
        const no = nextNo('Flt');
        const answer = await postEnvelope(
          `${sandbox.url}/1.0.0/Cashier/BackAuth`,
          requestEnvelope(rawBackAuthData(no, '4938177777777777')),
        );
        expect({ fault, status: answer.status, body: answer.text }).toEqual({
          fault,
          status: fault.rateLimit ? 403 : 500,
          body: fault.rateLimit ? 'Forbidden' : 'Internal Server Error',
        });
        expect(sandbox.store.trade(no)).toBeUndefined();
        sandbox.store.clearFaults();
      }
      expect((await calls('backAuth')).length).toBe(before);
    });
  });

  describe('QueryTrade', () => {
    it('answers for trades made by AioCheckOut: paid with CardInfo (last four only), unpaid with TradeStatus 0', async () => {
      const paidNo = nextNo('Aio');
      await payByCard(await checkout(sandbox.url, order(paidNo, `${shop.url}/ecpay/return`)), '4311952222222222');
      const paid = await client.queryTrade({ merchantTradeNo: paidNo });
      expect(paid).toMatchObject({
        merchantTradeNo: paidNo,
        tradeStatus: 1,
        tradeAmount: 590,
        paymentType: 'Credit_CreditCard',
        tradeNo: expect.stringMatching(/^\d{16}$/),
      });
      // The AIO page keeps only the last four digits, so Card6No is empty.
      expect(paid.data.CardInfo).toMatchObject({ Card4No: '2222', Card6No: '', Amount: 590 });

      const unpaidNo = nextNo('Aiu');
      await checkout(sandbox.url, order(unpaidNo, `${shop.url}/ecpay/return`));
      const unpaid = await client.queryTrade({ merchantTradeNo: unpaidNo });
      expect(unpaid).toMatchObject({ merchantTradeNo: unpaidNo, tradeStatus: 0, paymentDate: null });
      expect(unpaid.data.CardInfo).toBeUndefined();
    });

    it("an unknown order is RtnCode 10200047 (the sandbox's choice): EcpayApiError from queryTrade, the Data from sendEnvelope", async () => {
      const error = await client.queryTrade({ merchantTradeNo: 'SbxNoSuchOrder' }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(EcpayApiError);
      expect(error).toMatchObject({ rtnCode: 10200047 });
      const raw = await client.sendEnvelope('queryTrade', { MerchantTradeNo: 'SbxNoSuchOrder' });
      expect(raw).toMatchObject({ RtnCode: 10200047, MerchantID: STAGE.merchantId });
    });

    it('the answer envelope decrypts with an independent AES implementation', async () => {
      const no = nextNo('Qry');
      await backAuthService().backAuth(input(no, '4938177777777777'));
      const { envelope } = await postEnvelope(
        `${sandbox.url}/1.0.0/Cashier/QueryTrade`,
        requestEnvelope({ MerchantID: STAGE.merchantId, MerchantTradeNo: no }),
      );
      expect(envelope?.TransCode).toBe(1);
      expect(aesDecrypt(envelope!.Data)).toMatchObject({
        RtnCode: 1,
        OrderInfo: {
          MerchantTradeNo: no,
          TradeNo: expect.stringMatching(/^\d{16}$/),
          TradeAmt: 500,
          TradeStatus: '1',
          PaymentType: 'Credit',
          TradeDate: expect.stringMatching(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/),
          PaymentDate: expect.stringMatching(/^\d{4}\//),
          ChargeFee: expect.any(Number),
        },
        CardInfo: { Card6No: '493817', Card4No: '7777' },
      });
    });
  });

  it('no card number beyond card6 / last four is kept anywhere the sandbox shows', async () => {
    const everything = JSON.stringify({
      trades: await (await get(`${sandbox.url}/__sandbox/trades`)).json(),
      calls: await (await get(`${sandbox.url}/__sandbox/api-calls`)).json(),
      store: sandbox.store.trades(),
    });
    for (const card of ['4311952222222222', '4938177777777777', '4111111111111111'])
      expect(everything).not.toContain(card);
    expect(everything).not.toContain('CardNo');
    expect(everything).not.toContain('CardCVV2');
  });
});
