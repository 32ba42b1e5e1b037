import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  EcpayModule,
  EcpayNotificationDispatcher,
  EcpayService,
  EcpayTesting,
  type EcpayEvent,
  type EcpayModuleOptions,
  type EcpayNotificationKind,
} from '../../src/index.js';
import type { EcpayNotificationService } from '../../src/notifications/ecpay-notification.service.js';
import { normalizeNotification } from '../../src/notifications/normalize-notification.js';
import { TradeActionLedger } from '../../src/operations/trade-action.ledger.js';
import { EcpayTradeAction } from '../../src/persistence/ecpay-trade-action.entity.js';
import { EcpayNotification, EcpayTrade, EcpayTradeStore } from '../../src/persistence/index.js';
import { describeEachDatabase, testDatabaseTargets } from '../support/databases.js';
import { ecpayEventRecorder } from '../support/event-recorder.js';
import { openInboxFixture, type InboxFixture } from '../support/inbox-fixture.js';
import { STAGE_MERCHANT, testDatabase } from '../support/test-module.js';

/**
 * Pins the event every kind of inbox row hands its handlers — name, ids, occurredAt, the normalised `data` and the
 * verified `raw` — field for field, value for value and type for type (Dates as Dates, numbers as numbers, NaN
 * included). Whatever changes in how an event is built, handlers must keep receiving exactly this.
 */

const targets = await testDatabaseTargets();

/** 2026/12/01 10:00:00 Asia/Taipei. */
const NOW = new Date('2026-12-01T02:00:00.000Z');
const at = (taipei: string): Date => new Date(`${taipei}+08:00`);

/** What a handler received, without the parts that differ per run (the row's id and the receive time). */
function pinned(event: EcpayEvent): Omit<EcpayEvent, 'id' | 'receivedAt'> {
  const { id: _id, receivedAt: _receivedAt, ...rest } = event;
  return rest;
}

describe('handler events of the form notifications, through the callback routes', () => {
  let app: INestApplication;
  const recorder = ecpayEventRecorder();
  const testing = new EcpayTesting(STAGE_MERCHANT, () => NOW);

  beforeAll(async () => {
    const module = await Test.createTestingModule({
      imports: [
        testDatabase(),
        EcpayModule.forRoot({
          environment: 'stage',
          ...STAGE_MERCHANT,
          publicUrl: 'https://shop.example.com',
          dispatch: { pollIntervalMs: 0 },
        } as EcpayModuleOptions),
        recorder.module,
      ],
    }).compile();
    app = module.createNestApplication({ rawBody: true, logger: false });
    await app.init();
  });
  afterAll(() => app.close());
  beforeEach(() => {
    recorder.events.length = 0;
  });

  const post = (path: string, fields: Record<string, string>) =>
    request(app.getHttpServer()).post(path).type('form').send(testing.form(fields)).expect(200, '1|OK');
  const dispatched = async (merchantTradeNo: string, name: string): Promise<EcpayEvent> => {
    await app.get(EcpayNotificationDispatcher).kick();
    const events = recorder.events.filter((event) => event.merchantTradeNo === merchantTradeNo && event.name === name);
    expect(events).toHaveLength(1);
    return events[0]!;
  };
  const newTrade = async (method: 'Credit' | 'ATM', periodic = false) => {
    const checkout = await app.get(EcpayService).createCheckout({
      items: [{ name: 'Oolong tea', price: 295, quantity: 2 }],
      description: 'Tea order',
      payment:
        method === 'Credit' && periodic
          ? { method, periodic: { periodType: 'M', frequency: 1, execTimes: 12 } }
          : { method },
    });
    return {
      merchantId: '3002607',
      merchantTradeNo: checkout.merchantTradeNo,
      totalAmount: 590,
      id: checkout.trade.id,
    };
  };
  const base = (merchantTradeNo: string, rtnCode: number, rtnMsg: string) => ({
    MerchantID: '3002607',
    MerchantTradeNo: merchantTradeNo,
    StoreID: '',
    RtnCode: rtnCode,
    RtnMsg: rtnMsg,
    CustomField1: '',
    CustomField2: '',
    CustomField3: '',
    CustomField4: '',
  });

  it('aio-return (ReturnURL): payment.succeeded with every field the DTO validated, normalised', async () => {
    const trade = await newTrade('Credit');
    const body = testing.paymentSucceeded(trade, { CustomField1: 'gift' });
    await post('/ecpay/return', body);
    const event = await dispatched(trade.merchantTradeNo, 'payment.succeeded');
    expect(pinned(event)).toStrictEqual({
      name: 'payment.succeeded',
      merchantId: '3002607',
      merchantTradeNo: trade.merchantTradeNo,
      tradeId: trade.id,
      occurredAt: at('2026-12-01T10:00:00'),
      data: {
        kind: 'aio-return',
        outcome: 'applied',
        ...base(trade.merchantTradeNo, 1, '交易成功'),
        CustomField1: 'gift',
        succeeded: true,
        TradeNo: body.TradeNo,
        TradeAmt: 590,
        PaymentDate: at('2026-12-01T10:00:00'),
        PaymentType: 'Credit_CreditCard',
        PaymentTypeChargeFee: 0,
        TradeDate: at('2026-12-01T09:59:00'),
        SimulatePaid: false,
      },
      raw: body,
    });
  });

  it('aio-return with a blank PaymentDate (a failed payment): null, and occurredAt falls back to the receive time', async () => {
    const trade = await newTrade('Credit');
    const body = testing.paymentFailed(trade);
    await post('/ecpay/return', body);
    const event = await dispatched(trade.merchantTradeNo, 'payment.failed');
    expect(event.occurredAt).toEqual(event.receivedAt);
    expect(pinned(event).data).toStrictEqual({
      kind: 'aio-return',
      outcome: 'applied',
      ...base(trade.merchantTradeNo, 10100058, 'Failed'),
      succeeded: false,
      TradeNo: body.TradeNo,
      TradeAmt: 590,
      PaymentDate: null,
      PaymentType: 'Credit_CreditCard',
      PaymentTypeChargeFee: 0,
      TradeDate: at('2026-12-01T09:59:00'),
      SimulatePaid: false,
    });
  });

  it('payment-info (PaymentInfoURL, ATM): payment-info.issued with the deadline at the end of its day', async () => {
    const trade = await newTrade('ATM');
    const body = testing.paymentInfo(trade, 'ATM');
    await post('/ecpay/payment-info', body);
    const event = await dispatched(trade.merchantTradeNo, 'payment-info.issued');
    expect(pinned(event)).toStrictEqual({
      name: 'payment-info.issued',
      merchantId: '3002607',
      merchantTradeNo: trade.merchantTradeNo,
      tradeId: trade.id,
      occurredAt: at('2026-12-01T10:00:00'),
      data: {
        kind: 'payment-info',
        outcome: 'applied',
        ...base(trade.merchantTradeNo, 2, 'Get Number Succeeded'),
        succeeded: true,
        TradeNo: body.TradeNo,
        TradeAmt: 590,
        PaymentType: 'ATM_TAISHIN',
        TradeDate: at('2026-12-01T10:00:00'),
        ExpireDate: at('2026-12-04T23:59:59'),
        BankCode: '812',
        vAccount: '9103522175887271',
      },
      raw: body,
    });
  });

  it('period-return (PeriodReturnURL, posted as gwsr): period.charged under the documented names', async () => {
    const trade = await newTrade('Credit', true);
    await post('/ecpay/return', testing.paymentSucceeded(trade));
    const { Gwsr, ...rest } = testing.periodCharged(trade, 2, { ProcessDate: '2026/12/02 08:00:00' });
    const body = { ...rest, gwsr: Gwsr! };
    await post('/ecpay/period-return', body);
    const event = await dispatched(trade.merchantTradeNo, 'period.charged');
    const { gwsr, ...documented } = body;
    expect(pinned(event)).toStrictEqual({
      name: 'period.charged',
      merchantId: '3002607',
      merchantTradeNo: trade.merchantTradeNo,
      tradeId: trade.id,
      occurredAt: at('2026-12-02T08:00:00'),
      data: {
        kind: 'period-return',
        outcome: 'applied',
        ...base(trade.merchantTradeNo, 1, '交易成功'),
        succeeded: true,
        PeriodType: 'M',
        Frequency: 1,
        ExecTimes: 12,
        Amount: 590,
        Gwsr: '10000002',
        ProcessDate: at('2026-12-02T08:00:00'),
        AuthCode: '777777',
        FirstAuthAmount: 590,
        TotalSuccessTimes: 2,
        SimulatePaid: false,
      },
      // The stored payload, under the documented spelling.
      raw: { ...documented, Gwsr: gwsr },
    });
  });
});

/**
 * The kinds whose event carries only RtnCode and amounts: one row each, the same assertion for all. `paidAt` is the
 * Taipei time the payload dates the event to; without it, occurredAt falls back to the receive time.
 */
const simpleKinds: readonly {
  title: string;
  kind: EcpayNotificationKind;
  fields: (merchantTradeNo: string) => Record<string, unknown>;
  name: EcpayEvent['name'];
  paidAt?: string;
  data: Record<string, unknown>;
}[] = [
  {
    title: 'aio-return through the service without the fields its schema requires: RtnCode and amounts only',
    kind: 'aio-return',
    fields: (merchantTradeNo) => ({
      MerchantID: '3002607',
      MerchantTradeNo: merchantTradeNo,
      RtnCode: '1',
      TradeNo: '2612011000000002',
      TradeAmt: '100',
      PaymentDate: '2026/12/01 10:05:00',
    }),
    name: 'payment.succeeded',
    paidAt: '2026-12-01T10:05:00',
    data: { RtnCode: 1, TradeAmt: 100 },
  },
  {
    title: 'back-auth, authorized: payment.succeeded with the amount as a number',
    kind: 'back-auth',
    fields: (merchantTradeNo) => ({
      MerchantID: '3002607',
      MerchantTradeNo: merchantTradeNo,
      RtnCode: 1,
      TradeNo: '2612011000000006',
      TradeAmt: 100,
      PaymentType: 'Credit_CreditCard',
      PaymentDate: '2026/12/01 10:05:00',
      Card4No: '2222',
    }),
    name: 'payment.succeeded',
    paidAt: '2026-12-01T10:05:00',
    data: { RtnCode: 1, TradeAmt: 100 },
  },
  {
    title: 'back-auth, declined: payment.failed with its RtnCode',
    kind: 'back-auth',
    fields: (merchantTradeNo) => ({
      MerchantID: '3002607',
      MerchantTradeNo: merchantTradeNo,
      RtnCode: 10100050,
      RtnMsg: 'Declined',
    }),
    name: 'payment.failed',
    data: { RtnCode: 10100050 },
  },
  {
    title: 'ecticket-refund: refund.notified with the decrypted Data kept raw',
    kind: 'ecticket-refund',
    fields: (merchantTradeNo) => ({
      MerchantID: '3002607',
      MerchantTradeNo: merchantTradeNo,
      RtnCode: 1,
      DataDigest: 'd1g3st',
      Data: {
        RtnCode: 1,
        RtnMsg: 'Succeeded',
        MerchantTradeNo: merchantTradeNo,
        RefundAmount: 50,
        RefundDate: '2026/12/01 10:05:00',
      },
    }),
    name: 'refund.notified',
    data: { RtnCode: 1 },
  },
  {
    title: 'ecpg-return (the JSON ReturnURL): the lifted fields, amounts as numbers',
    kind: 'ecpg-return',
    fields: (merchantTradeNo) => {
      const order = {
        MerchantTradeNo: merchantTradeNo,
        TradeNo: '2612011000000007',
        TradeAmt: 100,
        PaymentType: 'Credit',
        PaymentDate: '2026/12/01 10:05:00',
      };
      const { MerchantTradeNo: _no, ...lifted } = order;
      return {
        MerchantID: '3002607',
        MerchantTradeNo: merchantTradeNo,
        RtnCode: 1,
        ...lifted,
        Data: { RtnCode: 1, RtnMsg: 'Succeeded', MerchantID: '3002607', OrderInfo: order },
      };
    },
    name: 'payment.succeeded',
    paidAt: '2026-12-01T10:05:00',
    data: { RtnCode: 1, TradeAmt: 100 },
  },
];

describeEachDatabase(targets, 'handler events of every kind the inbox stores', (kind) => {
  let dataSource: DataSource;
  let store: EcpayTradeStore;
  let receiver: EcpayNotificationService;
  const recorder = ecpayEventRecorder();
  let counter = 0;
  const tradeNo = (): string => `H${Date.now().toString(36)}${(counter++).toString(36)}`.toUpperCase().slice(0, 20);

  let fixture: InboxFixture | undefined;
  beforeAll(async () => {
    fixture = await openInboxFixture(kind, [recorder.module]);
    ({ dataSource, store, receiver } = fixture);
  });
  afterAll(() => fixture?.close());
  beforeEach(() => {
    recorder.events.length = 0;
  });

  const pendingTrade = (totalAmount = 100): Promise<EcpayTrade> =>
    store.createPending({
      merchantId: '3002607',
      merchantTradeNo: tradeNo(),
      totalAmount,
      choosePayment: 'Credit',
      itemName: 'Tea x1',
      tradeDesc: 'Tea',
      merchantTradeDate: '2026/12/01 09:59:00',
    });
  const inbox = () => dataSource.getRepository(EcpayNotification);
  /**
   * The one event handlers received, after a dispatch round. `legacy`: the pending rows first lose their event data,
   * as rows stored before migration 1795700000000 never had it.
   */
  const dispatchedRows = async (legacy: boolean): Promise<EcpayEvent> => {
    const pending = await inbox().findBy({ dispatchStatus: 'pending' });
    expect(pending).toHaveLength(1);
    expect(pending[0]!.eventData).toStrictEqual(expect.objectContaining({ kind: pending[0]!.kind }));
    if (legacy) await inbox().update({ id: pending[0]!.id }, { eventData: null });
    await fixture!.dispatcher({ now: () => new Date() }).kick();
    expect(recorder.events).toHaveLength(1);
    const after = await inbox().findOneByOrFail({ id: pending[0]!.id });
    if (legacy) expect(after.eventData).toBeNull();
    else expect(after.eventData).not.toBeNull();
    return recorder.events[0]!;
  };

  for (const legacy of [false, true])
    describe(
      legacy ? 'rows stored before event_data existed (null): the legacy path' : 'rows stored with their event data',
      () => {
        const dispatched = () => dispatchedRows(legacy);

        it('aio-return through the service with every field: the normalised fields', async () => {
          const trade = await pendingTrade();
          const fields = {
            MerchantID: '3002607',
            MerchantTradeNo: trade.merchantTradeNo,
            StoreID: '',
            RtnCode: '1',
            RtnMsg: '交易成功',
            TradeNo: '2612011000000001',
            TradeAmt: '100',
            PaymentDate: '2026/12/01 10:05:00',
            PaymentType: 'Credit_CreditCard',
            PaymentTypeChargeFee: '3',
            TradeDate: '2026/12/01 10:00:00',
            SimulatePaid: '0',
            CheckMacValue: 'ABCDEF',
          };
          const receipt = await receiver.receive('aio-return', fields);
          const event = await dispatched();
          expect(event.id).toBe(receipt.notification.id);
          expect(event.receivedAt).toEqual(receipt.notification.receivedAt);
          expect(pinned(event)).toStrictEqual({
            name: 'payment.succeeded',
            merchantId: '3002607',
            merchantTradeNo: trade.merchantTradeNo,
            tradeId: trade.id,
            occurredAt: at('2026-12-01T10:05:00'),
            data: {
              kind: 'aio-return',
              outcome: 'applied',
              MerchantID: '3002607',
              MerchantTradeNo: trade.merchantTradeNo,
              StoreID: '',
              RtnCode: 1,
              RtnMsg: '交易成功',
              CustomField1: '',
              CustomField2: '',
              CustomField3: '',
              CustomField4: '',
              succeeded: true,
              TradeNo: '2612011000000001',
              TradeAmt: 100,
              PaymentDate: at('2026-12-01T10:05:00'),
              PaymentType: 'Credit_CreditCard',
              PaymentTypeChargeFee: 3,
              TradeDate: at('2026-12-01T10:00:00'),
              SimulatePaid: false,
            },
            raw: fields,
          });
        });

        it('reconcile (a verified QueryTradeInfo answer): TradeStatus has no RtnCode, so RtnCode is NaN', async () => {
          const trade = await pendingTrade();
          const answer = {
            MerchantID: '3002607',
            MerchantTradeNo: trade.merchantTradeNo,
            StoreID: '',
            TradeNo: '2612011000000003',
            TradeAmt: '100',
            PaymentDate: '2026/12/01 10:05:00',
            PaymentType: 'Credit_CreditCard',
            HandlingCharge: '5',
            PaymentTypeChargeFee: '5',
            TradeDate: '2026/12/01 10:00:00',
            TradeStatus: '1',
            ItemName: 'Tea x1',
            CustomField1: '',
            CustomField2: '',
            CustomField3: '',
            CustomField4: '',
            CheckMacValue: 'ABCDEF',
          };
          await receiver.receive('reconcile', answer, NOW);
          const event = await dispatched();
          expect(pinned(event)).toStrictEqual({
            name: 'payment.succeeded',
            merchantId: '3002607',
            merchantTradeNo: trade.merchantTradeNo,
            tradeId: trade.id,
            occurredAt: at('2026-12-01T10:05:00'),
            data: { kind: 'reconcile', outcome: 'applied', RtnCode: NaN, TradeAmt: 100, PaymentTypeChargeFee: 5 },
            raw: answer,
          });
          expect(event.receivedAt).toEqual(NOW);
        });

        it('operation (a refund the library made): its amounts as numbers', async () => {
          const trade = await pendingTrade();
          await dataSource
            .getRepository(EcpayTrade)
            .update({ id: trade.id }, { status: 'paid', ecpayTradeNo: '2612011000000004' });
          const paid = await dataSource.getRepository(EcpayTrade).findOneByOrFail({ id: trade.id });
          const action = Object.assign(new EcpayTradeAction(), {
            id: randomUUID(),
            tradeId: trade.id,
            merchantId: trade.merchantId,
            merchantTradeNo: trade.merchantTradeNo,
            operation: 'refund',
            operationId: randomUUID(),
            action: 'R',
            amount: 40,
            status: 'pending',
            rtnCode: null,
            rtnMsg: null,
            error: null,
            requestedAt: NOW,
            completedAt: null,
            version: 1,
            createdAt: NOW,
            updatedAt: NOW,
          });
          const ledger = new TradeActionLedger(dataSource);
          expect(await ledger.begin(paid, action)).toBe(true);
          const payload = {
            TradeNo: '2612011000000004',
            OperationId: action.operationId,
            Operation: 'refund',
            Action: 'R',
            ActionId: action.id,
            RtnCode: 1,
            Amount: 40,
            RefundedAmount: 40,
            TradeAmt: 100,
            Status: 'partially-refunded',
          };
          await ledger.succeed(
            action,
            { rtnCode: 1, rtnMsg: 'OK' },
            () => ({ refundedAmount: 40, status: 'partially-refunded' }),
            { now: NOW, event: () => ({ name: 'refund.succeeded', payload }) },
          );
          const event = await dispatched();
          expect(pinned(event)).toStrictEqual({
            name: 'refund.succeeded',
            merchantId: '3002607',
            merchantTradeNo: trade.merchantTradeNo,
            tradeId: trade.id,
            occurredAt: NOW,
            data: { kind: 'operation', outcome: 'applied', RtnCode: 1, TradeAmt: 100, Amount: 40 },
            raw: { MerchantID: '3002607', MerchantTradeNo: trade.merchantTradeNo, ...payload },
          });
          expect(event.receivedAt).toEqual(NOW);
        });

        it('card-binding: card.bound, no trade, RtnCode only', async () => {
          const merchantTradeNo = tradeNo();
          const data = {
            RtnCode: 1,
            RtnMsg: 'Succeeded',
            MerchantID: '3002607',
            MerchantMemberID: 'member-7',
            BindCardID: 'bind-7',
            IsSameCard: false,
            CardInfo: { Card6No: '431195', Card4No: '2222', CardValidMM: '12', CardValidYY: '30' },
            OrderInfo: { MerchantTradeNo: merchantTradeNo, TradeNo: '2612011000000005', TradeAmt: 1 },
          };
          const fields = {
            MerchantID: '3002607',
            MerchantTradeNo: merchantTradeNo,
            RtnCode: 1,
            TradeNo: '2612011000000005',
            MerchantMemberID: 'member-7',
            BindCardID: 'bind-7',
            IsSameCard: false,
            Data: data,
          };
          const receipt = await receiver.receive('card-binding', fields);
          const event = await dispatched();
          expect(pinned(event)).toStrictEqual({
            name: 'card.bound',
            merchantId: '3002607',
            merchantTradeNo,
            occurredAt: receipt.notification.receivedAt,
            data: { kind: 'card-binding', outcome: 'applied', RtnCode: 1 },
            raw: fields,
          });
        });

        it.each(simpleKinds.map((kase) => [kase.title, kase] as const))('%s', async (_title, kase) => {
          const trade = await pendingTrade();
          const fields = kase.fields(trade.merchantTradeNo);
          const receipt = await receiver.receive(kase.kind, fields);
          expect(pinned(await dispatched())).toStrictEqual({
            name: kase.name,
            merchantId: '3002607',
            merchantTradeNo: trade.merchantTradeNo,
            tradeId: trade.id,
            occurredAt: kase.paidAt ? at(kase.paidAt) : receipt.notification.receivedAt,
            data: { kind: kase.kind, outcome: 'applied', ...kase.data },
            raw: fields,
          });
        });

        it('notification.rejected (an orphan): the normalised fields of what was received', async () => {
          const fields = {
            MerchantID: '3002607',
            MerchantTradeNo: tradeNo(),
            StoreID: '',
            RtnCode: '1',
            RtnMsg: '交易成功',
            TradeNo: '2612011000000008',
            TradeAmt: '100',
            PaymentDate: '2026/12/01 10:05:00',
            PaymentType: 'Credit_CreditCard',
            PaymentTypeChargeFee: '0',
            TradeDate: '2026/12/01 10:00:00',
            SimulatePaid: '1',
          };
          await receiver.receive('aio-return', fields);
          const event = await dispatched();
          expect(event.name).toBe('notification.rejected');
          expect(event).not.toHaveProperty('tradeId');
          expect(event.data).toStrictEqual({
            kind: 'aio-return',
            outcome: 'orphan',
            MerchantID: '3002607',
            MerchantTradeNo: fields.MerchantTradeNo,
            StoreID: '',
            RtnCode: 1,
            RtnMsg: '交易成功',
            CustomField1: '',
            CustomField2: '',
            CustomField3: '',
            CustomField4: '',
            succeeded: true,
            TradeNo: '2612011000000008',
            TradeAmt: 100,
            PaymentDate: at('2026-12-01T10:05:00'),
            PaymentType: 'Credit_CreditCard',
            PaymentTypeChargeFee: 0,
            TradeDate: at('2026-12-01T10:00:00'),
            SimulatePaid: true,
          });
        });
      },
    );

  /** A complete ReturnURL notification of a 100 TWD payment, as its fields were posted. */
  const paymentFields = (merchantTradeNo: string): Record<string, string> => ({
    MerchantID: '3002607',
    MerchantTradeNo: merchantTradeNo,
    StoreID: '',
    RtnCode: '1',
    RtnMsg: '交易成功',
    TradeNo: '2612011000000009',
    TradeAmt: '100',
    PaymentDate: '2026/12/01 10:05:00',
    PaymentType: 'Credit_CreditCard',
    PaymentTypeChargeFee: '0',
    TradeDate: '2026/12/01 10:00:00',
    SimulatePaid: '0',
  });

  it('hands handlers the data stored with the row, never a normalisation of the payload at dispatch', async () => {
    const trade = await pendingTrade();
    const receipt = await receiver.receive('aio-return', paymentFields(trade.merchantTradeNo));
    // The raw payload changes after the row was stored (normalised again, it would not even fit the schema).
    const rewritten = { ...paymentFields(trade.merchantTradeNo), TradeAmt: '999', TradeDate: 'not a date' };
    await inbox().update({ id: receipt.notification.id }, { payload: rewritten });
    const event = await dispatchedRows(false);
    expect(event.raw).toStrictEqual(rewritten);
    expect(event.data).toMatchObject({ TradeAmt: 100, TradeDate: at('2026-12-01T10:00:00'), succeeded: true });
  });

  it('receiveNormalized stores the fields the edge normalised as they are: the service does not normalise again', async () => {
    const trade = await pendingTrade();
    const fields = paymentFields(trade.merchantTradeNo);
    // What @EcpayVerifiedNotification produced — here with a value the raw fields would never normalise to.
    const normalized = { ...normalizeNotification('aio-return', fields), CustomField1: 'from the edge' };
    const receipt = await receiver.receiveNormalized(normalized);
    expect(receipt.notification.payload).toStrictEqual(fields);
    const event = await dispatchedRows(false);
    const { raw: _raw, ...expected } = normalized;
    expect(event.data).toStrictEqual({ ...expected, outcome: 'applied' });
    expect(event.raw).toStrictEqual(fields);
  });

  it('refuses a normalised notification handed over as another kind, and stores nothing', async () => {
    const trade = await pendingTrade();
    const fields = paymentFields(trade.merchantTradeNo);
    const normalized = normalizeNotification('aio-return', fields);
    await expect(receiver.receive('payment-info', fields, new Date(), normalized)).rejects.toThrow(TypeError);
    expect(await inbox().countBy({ merchantTradeNo: trade.merchantTradeNo })).toBe(0);
  });
});

describe('where an event is normalised', () => {
  it('the dispatcher does not normalise: it imports neither normalizeNotification nor the event builder, only the legacy path', () => {
    const source = readFileSync(
      new URL('../../src/notifications/ecpay-notification.dispatcher.ts', import.meta.url),
      'utf8',
    );
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((match) => match[1]);
    expect(imports).toContain('./legacy-event-data.js');
    expect(imports).not.toContain('./normalize-notification.js');
    expect(imports).not.toContain('./notification-event-data.js');
  });
});
