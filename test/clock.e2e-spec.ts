import { describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  ECPAY_CLOCK,
  EcpayCryptoService,
  EcpayModule,
  EcpayNotificationDispatcher,
  EcpayNotificationService,
  EcpayTradeStore,
  OnEcpayEvent,
  type EcpayEvent,
} from '../src/index.js';
import { compileEcpay, STAGE_MERCHANT } from './support/test-module.js';

describe('the module clock', () => {
  it('can be replaced with overrideProvider(ECPAY_CLOCK), and is read on every call', async () => {
    let now = new Date('2024-01-01T04:00:00Z');
    const module = await Test.createTestingModule({
      imports: [EcpayModule.forRoot({ environment: 'stage', ...STAGE_MERCHANT, persistence: false })],
    })
      .overrideProvider(ECPAY_CLOCK)
      .useValue({ now: () => now })
      .compile();
    try {
      const crypto = module.get(EcpayCryptoService);
      expect(crypto.buildRequest({ MerchantID: '3002607' }).RqHeader.Timestamp).toBe(1704081600);
      now = new Date('2024-01-01T04:10:00Z');
      expect(crypto.buildRequest({ MerchantID: '3002607' }).RqHeader.Timestamp).toBe(1704082200);
    } finally {
      await module.close();
    }
  });
});

// An app that sets `clock` (a test that freezes time, a replay) must see its notifications dispatched: the inbox row
// is due at the module clock's "now", which the dispatcher compares with the same clock — never the real one.
describe('the module clock and the inbox', () => {
  it('stamps a received notification with the module clock, and the dispatcher finds it due', async () => {
    const frozen = new Date('2024-01-01T04:00:00Z'); // long before the real time of any run
    const delivered: string[] = [];
    @Injectable()
    class Shop {
      @OnEcpayEvent('payment.succeeded')
      paid(event: EcpayEvent): void {
        delivered.push(event.merchantTradeNo);
      }
    }
    const module = await compileEcpay({ clock: { now: () => frozen }, dispatch: { pollIntervalMs: 0 } }, [Shop]);
    await module.init();
    try {
      const trades = module.get(EcpayTradeStore);
      await trades.createPending({
        merchantId: STAGE_MERCHANT.merchantId,
        merchantTradeNo: 'CLOCK0001',
        totalAmount: 100,
        choosePayment: 'Credit',
        itemName: 'Tea x1',
        tradeDesc: 'Tea',
        merchantTradeDate: '2024/01/01 12:00:00',
      });
      const receipt = await module.get(EcpayNotificationService).receive('aio-return', {
        MerchantID: STAGE_MERCHANT.merchantId,
        MerchantTradeNo: 'CLOCK0001',
        RtnCode: '1',
        RtnMsg: '交易成功',
        TradeNo: '2401011200000001',
        TradeAmt: '100',
        PaymentDate: '2024/01/01 12:00:30',
        PaymentType: 'Credit_CreditCard',
        SimulatePaid: '0',
      });
      expect(receipt.notification.receivedAt).toEqual(frozen);
      expect(await module.get(EcpayNotificationDispatcher).kick()).toBe(1);
      expect(delivered).toEqual(['CLOCK0001']);
    } finally {
      await module.close();
    }
  });
});
