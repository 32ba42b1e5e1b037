import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  EcpayApiError,
  EcpayMerchantRegistry,
  EcpayModule,
  EcpayResponseVerificationError,
  type EcpayModuleOptions,
} from '../../src/index.js';
import type { EcpayCallContext } from '../../src/client/ecpay-call-context.js';
import { EcpayResponseVerifier } from '../../src/client/ecpay-response.verifier.js';
import { STAGE_MERCHANT } from '../support/test-module.js';
import { rawKeyValue, stubEncrypt, stubSign, type StubKeys } from './ecpay-stub.js';

// The verifier on its own, fed answers as ECPay writes them (signed and encrypted by the stub's independent code):
// what the client relies on before it reads a single field.
describe('EcpayResponseVerifier', () => {
  let module: TestingModule;
  let verifier: EcpayResponseVerifier;
  let ctx: EcpayCallContext;

  beforeAll(async () => {
    module = await Test.createTestingModule({
      imports: [
        EcpayModule.forRoot({
          environment: 'sandbox',
          sandboxUrl: 'http://127.0.0.1:9',
          ...STAGE_MERCHANT,
          persistence: false,
        } as EcpayModuleOptions),
      ],
    }).compile();
    verifier = module.get(EcpayResponseVerifier);
    ctx = { api: 'queryTradeInfo', merchant: module.get(EcpayMerchantRegistry).get(), merchantTradeNo: 'Verify1' };
  });
  afterAll(() => module.close());

  const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');
  const answer = (fields: Record<string, string>) => bytes(rawKeyValue(stubSign(fields, STAGE_MERCHANT)));

  it('is an injectable provider of the module', () => {
    expect(verifier).toBeInstanceOf(EcpayResponseVerifier);
  });

  it('checks a k=v answer over its raw values and returns them undecoded, without the CheckMacValue', () => {
    const fields = verifier.keyValue(
      ctx,
      answer({ MerchantID: '3002607', MerchantTradeNo: 'Verify1', ItemName: 'a+b%20c', RtnCode: '1' }),
      'required',
    );
    expect({ ...fields }).toEqual({
      MerchantID: '3002607',
      MerchantTradeNo: 'Verify1',
      ItemName: 'a+b%20c',
      RtnCode: '1',
    });
    expect(Object.isFrozen(fields)).toBe(true);
  });

  it('refuses an altered value, a missing MAC where one is required, and an answer about another trade', () => {
    const signed = rawKeyValue(
      stubSign({ MerchantID: '3002607', MerchantTradeNo: 'Verify1', TradeAmt: '100' }, STAGE_MERCHANT),
    );
    expect(() => verifier.keyValue(ctx, bytes(signed.replace('TradeAmt=100', 'TradeAmt=1000')), 'required')).toThrow(
      expect.objectContaining({ reason: 'bad-check-mac' }),
    );
    expect(() => verifier.keyValue(ctx, bytes('MerchantID=3002607&RtnCode=1'), 'required')).toThrow(
      expect.objectContaining({ reason: 'missing-check-mac' }),
    );
    expect(verifier.keyValue(ctx, bytes('MerchantID=3002607&RtnCode=1'), 'if-present')).toMatchObject({ RtnCode: '1' });
    expect(() =>
      verifier.keyValue(ctx, answer({ MerchantID: '3002607', MerchantTradeNo: 'Other1' }), 'required'),
    ).toThrow(expect.objectContaining({ reason: 'mismatch' }));
  });

  it("turns ECPay's code|message refusal into EcpayApiError and anything unreadable into EcpayResponseVerificationError", () => {
    expect(() => verifier.keyValue(ctx, bytes('10200047|Cant not find the trade data.'), 'required')).toThrow(
      EcpayApiError,
    );
    expect(() => verifier.keyValue(ctx, Buffer.from([0xff, 0xfe]), 'required')).toThrow(EcpayResponseVerificationError);
    expect(() => verifier.json(ctx, bytes('<html>'))).toThrow(expect.objectContaining({ reason: 'malformed' }));
  });

  it('opens an envelope with the expected keys; RtnCode ≠ 1 is an error unless the caller takes failures as answers', () => {
    const envelope = (data: object, keys: StubKeys = STAGE_MERCHANT) =>
      bytes(
        JSON.stringify({
          MerchantID: '3002607',
          RpHeader: { Timestamp: 1 },
          TransCode: 1,
          TransMsg: '',
          Data: stubEncrypt(data, keys),
        }),
      );
    const declined = { RtnCode: 10100112, RtnMsg: 'declined', MerchantID: '3002607', MerchantTradeNo: 'Verify1' };
    expect(() => verifier.envelope(ctx, envelope(declined))).toThrow(expect.objectContaining({ rtnCode: 10100112 }));
    expect(verifier.envelope(ctx, envelope(declined), { answerFailures: true })).toMatchObject({ RtnCode: 10100112 });
    expect(() =>
      verifier.envelope(ctx, envelope(declined, { hashKey: 'AAAAAAAAAAAAAAAA', hashIv: 'BBBBBBBBBBBBBBBB' })),
    ).toThrow(EcpayResponseVerificationError);
  });
});
