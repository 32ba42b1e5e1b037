import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { EcpayBackAuthService } from '../../src/back-auth/ecpay-back-auth.service.js';
import { EcpayClientJsonTransport } from '../../src/back-auth/ecpay-client-json.transport.js';
import { EcpayClient } from '../../src/index.js';
import { EcpaySandboxNotifier, EcpaySandboxStore } from '../../src/sandbox/index.js';
import { STAGE_MERCHANT } from '../support/test-module.js';
import { completeThreeDSecure, resultDataOf } from './support/json-flow.js';
import { postForm } from './support/sandbox-http.js';
import { startEcpayWithSandbox } from '../support/sandbox-app.js';

// The library's own JSON callbacks against the sandbox, in one app: BackAuth with 3-D Secure → the sandbox posts
// its envelope to the library's /ecpay/ecpg/return (which must open it and answer 1|OK), and the browser takes
// ResultData to /ecpay/ecpg/order-result (which must open it and send the shop's page).
describe('EcpayModule callbacks + the sandbox JSON APIs in one app', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    ({ app, base } = await startEcpayWithSandbox({ ecpay: { orderResultPage: '/orders/done' } }));
  });
  afterAll(() => app.close());

  it('BackAuth 3-D Secure: ReturnURL acknowledged 1|OK by the library at the first post; ResultData accepted by its order-result route', async () => {
    const merchantTradeNo = `SbxOne${Date.now().toString(36)}`;
    const service = new EcpayBackAuthService(new EcpayClientJsonTransport(app.get(EcpayClient)), {
      merchantId: STAGE_MERCHANT.merchantId,
    });
    const result = await service.backAuth({
      OrderInfo: {
        MerchantTradeNo: merchantTradeNo,
        TotalAmount: 750,
        ItemName: 'Oolong tea x3',
        TradeDesc: 'Tea order',
        ReturnURL: `${base}/ecpay/ecpg/return`,
      },
      CardInfo: {
        CardNo: '4311952222222222',
        CardValidMM: '12',
        CardValidYY: '39',
        CardCVV2: '222',
        DirectCapture: '0',
        OrderResultURL: `${base}/ecpay/ecpg/order-result`,
      },
    });
    if (result.status !== 'three-d-secure') throw new Error(`expected three-d-secure, got ${result.status}`);
    expect(result.url.startsWith(`${base}/ecpay-sandbox/__sandbox/3ds/`)).toBe(true);

    const page = await completeThreeDSecure(result.url);
    await app.get(EcpaySandboxNotifier).settled();
    const [notification] = app.get(EcpaySandboxStore).trade(merchantTradeNo)!.notifications;
    expect(notification).toMatchObject({ format: 'json', url: `${base}/ecpay/ecpg/return`, status: 'delivered' });
    expect(notification!.attempts).toEqual([
      expect.objectContaining({ status: 200, body: '1|OK', acknowledged: true }),
    ]);

    const { action, envelope } = resultDataOf(page);
    const back = await postForm(action, { ResultData: JSON.stringify(envelope) });
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(`/orders/done?merchantTradeNo=${merchantTradeNo}&rtnCode=1`);
  });
});
