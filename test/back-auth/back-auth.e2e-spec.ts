import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { loadVectorFile } from '../support/vectors.js';
import { EcpayBackAuthService } from '../../src/back-auth/ecpay-back-auth.service.js';
import { decryptEcpayPayload, encryptEcpayData } from '../../src/crypto/ecpay-aes.js';
import {
  BACK_AUTH_PATH,
  BackAuthStub,
  closedPort,
  phpUrlEncode,
  QUERY_TRADE_PATH,
  STAGE_KEYS,
  STUB_DECLINED,
  STUB_NOT_FOUND,
  stubDecryptRaw,
  stubDecryptText,
  stubEncryptText,
} from './support/back-auth-stub.js';
import { fixedClock, fullInput, minimalInput, NOW } from './support/fixtures.js';
import { HttpJsonTransport, TestTransportError } from './support/http-json-transport.js';

interface AesVector {
  name: string;
  mode?: string;
  direction?: string;
  hashKey: string;
  hashIV: string;
  plaintext_json?: string;
  expected_url_encoded?: string;
  expected_base64?: string;
  encrypted_base64?: string;
  expected_decrypted?: string;
  expected_json?: string;
}

const VECTORS = loadVectorFile<{ vectors: AesVector[] }>('official-aes-encryption.json').vectors.filter(
  (vector) => vector.mode !== 'gcm' && (vector.expected_base64 !== undefined || vector.encrypted_base64 !== undefined),
);

describe("the stub's independent AES-128-CBC (checked against ECPay's official vectors)", () => {
  it('has CBC vectors to check', () => {
    expect(VECTORS.length).toBeGreaterThanOrEqual(6);
  });

  it.each(VECTORS.map((vector) => [vector.name, vector] as const))('%s', (_name, vector) => {
    const keys = { hashKey: vector.hashKey, hashIv: vector.hashIV };
    if (vector.direction === 'decrypt') {
      expect(stubDecryptRaw(vector.encrypted_base64!, keys)).toBe(vector.expected_decrypted);
      expect(stubDecryptText(vector.encrypted_base64!, keys)).toBe(vector.expected_json);
      return;
    }
    if (vector.expected_url_encoded !== undefined)
      expect(phpUrlEncode(vector.plaintext_json!)).toBe(vector.expected_url_encoded);
    expect(stubEncryptText(vector.plaintext_json!, keys)).toBe(vector.expected_base64);
    expect(stubDecryptText(vector.expected_base64!, keys)).toBe(vector.plaintext_json);
  });

  it("agrees with the library in both directions (Chinese, spaces, slashes, !*'()~)", () => {
    const value = { Name: '王小明 O.K. (test)!*~', ReturnURL: 'https://a.example/b?c=d&e=f' };
    expect(JSON.parse(stubDecryptText(encryptEcpayData(value, STAGE_KEYS), STAGE_KEYS))).toEqual(value);
    expect(JSON.parse(decryptEcpayPayload(stubEncryptText(JSON.stringify(value), STAGE_KEYS), STAGE_KEYS))).toEqual(
      value,
    );
  });
});

describe('EcpayBackAuthService against a loopback ECPay stub', () => {
  let stub: BackAuthStub;
  let base: string;

  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  beforeEach(async () => {
    stub = new BackAuthStub();
    base = await stub.start();
  });

  afterEach(async () => {
    await stub.stop();
  });

  const make = (urls: { backAuth?: string; queryTrade?: string } = {}, timeoutMs?: number) => {
    const transport = new HttpJsonTransport(
      { backAuth: urls.backAuth ?? base + BACK_AUTH_PATH, queryTrade: urls.queryTrade ?? base + QUERY_TRADE_PATH },
      STAGE_KEYS,
      fixedClock.now,
    );
    return {
      transport,
      service: new EcpayBackAuthService(transport, { merchantId: STAGE_KEYS.merchantId, timeoutMs }, fixedClock),
    };
  };

  it('authorized: the stub decrypts exactly the BackAuth page\'s Data (docs/protocol.md §7.6) and its answer maps to "authorized"', async () => {
    const { service } = make();
    const result = await service.backAuth(fullInput());

    expect(stub.calls).toHaveLength(1);
    const { envelope, data } = stub.calls[0]!;
    expect(envelope.MerchantID).toBe('3002607');
    expect(envelope.RqHeader).toEqual({ Timestamp: Math.floor(NOW.getTime() / 1000) });
    expect(Object.keys(data)).toEqual([
      'MerchantID',
      'OrderInfo',
      'ChoosePayment',
      'CardInfo',
      'ConsumerInfo',
      'CustomField',
    ]);
    expect(data).toMatchObject({
      MerchantID: '3002607',
      OrderInfo: {
        MerchantTradeNo: 'Test20250312A',
        MerchantTradeDate: '2025/03/12 15:30:23',
        TotalAmount: 500,
        ItemName: 'item1#item2',
        TradeDesc: '',
      },
      ChoosePayment: 'Credit',
      CardInfo: {
        CardNo: '4311952222222222',
        CardValidMM: '12',
        CardValidYY: '30',
        CardCVV2: '222',
        DirectCapture: '0',
        PeriodType: 'M',
        Frequency: 1,
      },
      ConsumerInfo: { Address: '台北市南港區三重路19-2號', CountryCode: '158' },
    });

    expect(result).toEqual({
      status: 'authorized',
      merchantTradeNo: 'Test20250312A',
      tradeNo: '2503121530000001',
      amount: 500,
      paymentType: 'Credit',
      tradeDate: new Date('2025-03-12T07:30:23Z'),
      paymentDate: new Date('2025-03-12T07:30:25Z'),
      chargeFee: 0,
      processFee: null,
      tradeStatus: '1',
      customField: '',
      source: 'backauth',
      card: {
        card6: '431195',
        card4: '2222',
        authCode: '654123',
        gwsr: 125,
        eci: 1,
        processDate: new Date('2025-03-12T07:30:25Z'),
        amount: 500,
        issuingBank: '中國信託商業銀行',
        issuingBankCode: '822',
        installment: null,
        redeem: null,
        period: null,
      },
    });
  });

  it('3-D Secure: returns the ThreeDURL to redirect to, and nothing else happens', async () => {
    stub.backAuth = 'three-d-secure';
    const input = minimalInput();
    input.OrderInfo.MerchantTradeNo = 'ThreeD0001';
    await expect(make().service.backAuth(input)).resolves.toEqual({
      status: 'three-d-secure',
      url: 'https://3d.stub.test/acs?order=ThreeD0001',
      merchantTradeNo: 'ThreeD0001',
    });
    expect(stub.calls.map((call) => call.path)).toEqual([BACK_AUTH_PATH]);
  });

  it('declined: RtnCode ≠ 1 is "failed", with ECPay\'s code and (Chinese) message', async () => {
    stub.backAuth = 'decline';
    const input = minimalInput();
    input.OrderInfo.MerchantTradeNo = 'Declined0001';
    await expect(make().service.backAuth(input)).resolves.toEqual({
      status: 'failed',
      merchantTradeNo: 'Declined0001',
      rtnCode: STUB_DECLINED,
      rtnMsg: '授權失敗 (stub)',
    });
    expect(stub.calls.map((call) => call.path)).toEqual([BACK_AUTH_PATH]);
  });

  it('timeout: the answer never comes, QueryTrade tells "authorized"; exactly one BackAuth reached the stub', async () => {
    stub.backAuth = 'authorize-then-hang';
    const { service, transport } = make({}, 300);
    const input = minimalInput();
    input.OrderInfo.MerchantTradeNo = 'Timeout0001';
    const result = await service.backAuth(input);
    expect(result).toMatchObject({
      status: 'authorized',
      source: 'query',
      merchantTradeNo: 'Timeout0001',
      card: { card6: '431195', card4: '2222' },
    });
    expect(transport.sent).toEqual(['backAuth', 'queryTrade']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stub.count(BACK_AUTH_PATH)).toBe(1);
    expect(stub.count(QUERY_TRADE_PATH)).toBe(1);
    expect(stub.calls[1]!.data).toEqual({ MerchantID: '3002607', MerchantTradeNo: 'Timeout0001' });
  });

  it('connection reset after the request was read: QueryTrade tells "authorized"', async () => {
    stub.backAuth = 'authorize-then-reset';
    const input = minimalInput();
    input.OrderInfo.MerchantTradeNo = 'Reset0001';
    await expect(make().service.backAuth(input)).resolves.toMatchObject({
      status: 'authorized',
      source: 'query',
      merchantTradeNo: 'Reset0001',
    });
    expect(stub.count(BACK_AUTH_PATH)).toBe(1);
    expect(stub.count(QUERY_TRADE_PATH)).toBe(1);
  });

  it('connection refused: QueryTrade is asked (it does not know the order), never a second BackAuth', async () => {
    const port = await closedPort();
    const { service, transport } = make({ backAuth: `http://127.0.0.1:${port}${BACK_AUTH_PATH}` });
    const input = minimalInput();
    input.OrderInfo.MerchantTradeNo = 'Refused0001';
    await expect(service.backAuth(input)).resolves.toEqual({
      status: 'unknown',
      merchantTradeNo: 'Refused0001',
      reason: 'query-rejected',
      rtnCode: STUB_NOT_FOUND,
      rtnMsg: '查無此筆交易 (stub)',
    });
    expect(transport.sent).toEqual(['backAuth', 'queryTrade']);
    expect(stub.count(BACK_AUTH_PATH)).toBe(0);
    expect(stub.count(QUERY_TRADE_PATH)).toBe(1);
  });

  it('connection refused for the query too: "unknown", query-failed', async () => {
    const port = await closedPort();
    const { service } = make({
      backAuth: `http://127.0.0.1:${port}${BACK_AUTH_PATH}`,
      queryTrade: `http://127.0.0.1:${port}${QUERY_TRADE_PATH}`,
    });
    await expect(service.backAuth(minimalInput())).resolves.toMatchObject({
      status: 'unknown',
      reason: 'query-failed',
    });
    expect(stub.calls).toHaveLength(0);
  });

  it("TransCode ≠ 1: the transport's error is passed on, no query", async () => {
    stub.backAuth = 'trans-code-error';
    const rejection = make().service.backAuth(minimalInput());
    await expect(rejection).rejects.toBeInstanceOf(TestTransportError);
    await expect(rejection).rejects.toMatchObject({ transCode: 999, outcomeUnknown: false });
    expect(stub.calls.map((call) => call.path)).toEqual([BACK_AUTH_PATH]);
  });
});
