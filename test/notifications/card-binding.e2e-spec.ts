import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  EcpayBoundCard,
  EcpayModule,
  EcpayNotification,
  EcpayNotificationDispatcher,
  EcpayTesting,
  type EcpayModuleOptions,
} from '../../src/index.js';
import { STAGE_MERCHANT, testDatabase } from '../support/test-module.js';
import { ecpayEventRecorder } from '../support/event-recorder.js';

const { module: ListenerModule, events } = ecpayEventRecorder();

/** A binding result's Data as ECPay's binding ReturnURL page shows it (docs/protocol.md §6.7). */
function bindingData(merchantTradeNo: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    RtnCode: 1,
    RtnMsg: 'Success',
    PlatformID: '',
    MerchantID: '3002607',
    MerchantMemberID: 'member-42',
    BindCardID: 'b'.repeat(64),
    IsSameCard: false,
    CardInfo: {
      Card6No: '431195',
      Card4No: '2222',
      CardValidYY: '39',
      CardValidMM: '12',
      AuthCode: '777777',
      Gwsr: 125,
      ProcessDate: '2026/11/22 15:39:10',
      Amount: 1,
      Eci: 5,
    },
    OrderInfo: {
      MerchantTradeNo: merchantTradeNo,
      TradeNo: '2611221539100001',
      PaymentDate: '2026/11/22 15:39:10',
      TradeAmt: 1,
      PaymentType: 'Credit',
      TradeDate: '2026/11/22 15:39:00',
      ChargeFee: 0,
      TradeStatus: '1',
    },
    ...overrides,
  };
}

// docs/protocol.md §6.7: a card binding's result reaches the same JSON ReturnURL as payments (and the browser's
// OrderResultURL as a ResultData form field); with no trade stored for it, it is a binding: it records the bound card
// once and raises card.bound. (A result with a BindCardID for a stored trade is a payment with a saved card:
// test/security.)
describe('card binding results', () => {
  let app: INestApplication;
  const testing = new EcpayTesting(STAGE_MERCHANT);

  beforeAll(async () => {
    const module = await Test.createTestingModule({
      imports: [
        testDatabase(),
        EcpayModule.forRoot({
          environment: 'stage',
          ...STAGE_MERCHANT,
          publicUrl: 'https://shop.example.com',
          orderResultPage: '/cards/done',
          dispatch: { pollIntervalMs: 0 },
        } as EcpayModuleOptions),
        ListenerModule,
      ],
    }).compile();
    app = module.createNestApplication({ rawBody: true, logger: false });
    await app.init();
  });
  afterAll(() => app.close());
  beforeEach(() => {
    events.length = 0;
  });

  const http = () => request(app.getHttpServer());
  const cards = () => app.get(DataSource).getRepository(EcpayBoundCard).find();
  const inbox = (merchantTradeNo: string) =>
    app.get(DataSource).getRepository(EcpayNotification).findBy({ merchantTradeNo });
  const dispatched = () => app.get(EcpayNotificationDispatcher).kick();

  it('records the card, answers 1|OK, raises card.bound once, and a retry changes nothing', async () => {
    // The library stores no trade for a binding (its MerchantTradeNo names the verification charge only).
    const envelope = testing.envelope('3002607', bindingData('BINDFIRST0001'));
    await http().post('/ecpay/ecpg/return').send(envelope).expect(200, '1|OK');
    await http().post('/ecpay/ecpg/return').send(envelope).expect(200, '1|OK');
    expect(await cards()).toEqual([
      expect.objectContaining({
        merchantId: '3002607',
        merchantMemberId: 'member-42',
        bindCardId: 'b'.repeat(64),
        card6No: '431195',
        card4No: '2222',
        cardValidMm: '12',
        cardValidYy: '39',
        status: 'active',
      }),
    ]);
    const rows = await inbox('BINDFIRST0001');
    expect(rows).toEqual([
      expect.objectContaining({ kind: 'card-binding', outcome: 'applied', eventName: 'card.bound', tradeId: null }),
    ]);
    await dispatched();
    expect(events.map((event) => event.name)).toEqual(['card.bound']);
  });

  it('the same card bound again (IsSameCard) updates its row instead of adding one', async () => {
    const before = await cards();
    const again = bindingData('BINDAGAIN0001', {
      IsSameCard: true,
      CardInfo: { Card6No: '431195', Card4No: '2222', CardValidYY: '40', CardValidMM: '01' },
    });
    await http().post('/ecpay/ecpg/return').send(testing.envelope('3002607', again)).expect(200, '1|OK');
    const after = await cards();
    expect(after).toHaveLength(before.length);
    expect(after[0]).toMatchObject({ id: before[0]!.id, cardValidYy: '40', cardValidMm: '01' });
  });

  it('a binding started outside the library is stored too, acknowledged and raises card.bound', async () => {
    const data = bindingData('NOTOURS000001', { MerchantMemberID: 'member-7', BindCardID: 'c'.repeat(64) });
    await http().post('/ecpay/ecpg/return').send(testing.envelope('3002607', data)).expect(200, '1|OK');
    expect(await inbox('NOTOURS000001')).toEqual([
      expect.objectContaining({ kind: 'card-binding', outcome: 'applied', eventName: 'card.bound', tradeId: null }),
    ]);
    expect((await cards()).map((card) => card.merchantMemberId)).toContain('member-7');
    await dispatched();
    expect(events.map((event) => event.name)).toEqual(['card.bound']);
  });

  it("the browser's ResultData copy of a binding is verified, stored once with the ReturnURL copy, and redirected", async () => {
    const data = bindingData('BROWSER000001', { MerchantMemberID: 'member-9', BindCardID: 'd'.repeat(64) });
    const envelope = testing.envelope('3002607', data);
    const browser = await http()
      .post('/ecpay/ecpg/order-result')
      .type('form')
      .send({ ResultData: JSON.stringify(envelope) })
      .expect(303);
    expect(browser.headers.location).toBe('/cards/done?merchantTradeNo=BROWSER000001&rtnCode=1');
    await http().post('/ecpay/ecpg/return').send(envelope).expect(200, '1|OK');
    expect(await inbox('BROWSER000001')).toHaveLength(1);
    expect((await cards()).filter((card) => card.merchantMemberId === 'member-9')).toHaveLength(1);
  });

  it('a failed binding records no card and raises no card.bound', async () => {
    const data = bindingData('FAILEDBIND001', {
      RtnCode: 10100058,
      RtnMsg: '綁定失敗',
      MerchantMemberID: 'member-5',
      BindCardID: 'e'.repeat(64),
    });
    await http().post('/ecpay/ecpg/return').send(testing.envelope('3002607', data)).expect(200, '1|OK');
    expect((await cards()).filter((card) => card.merchantMemberId === 'member-5')).toEqual([]);
    expect(await inbox('FAILEDBIND001')).toEqual([expect.objectContaining({ eventName: 'notification.rejected' })]);
  });

  it('an envelope encrypted with other keys is refused with 400 and records nothing', async () => {
    const forged = new EcpayTesting({ hashKey: 'AAAAAAAAAAAAAAAA', hashIv: 'BBBBBBBBBBBBBBBB' }).envelope(
      '3002607',
      bindingData('FORGED0000001', { MerchantMemberID: 'member-x' }),
    );
    await http().post('/ecpay/ecpg/return').send(forged).expect(400, '0|Envelope invalid');
    expect((await cards()).filter((card) => card.merchantMemberId === 'member-x')).toEqual([]);
    expect(await inbox('FORGED0000001')).toEqual([]);
  });
});
