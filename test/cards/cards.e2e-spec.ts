import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  EcpayApiError,
  EcpayBoundCard,
  EcpayNotification,
  EcpayNotificationDispatcher,
  EcpaySandboxNotifier,
  EcpayService,
  EcpayValidationError,
} from '../../src/index.js';
import { startEcpayWithSandbox } from '../support/sandbox-app.js';
import { bindOnPage } from '../sandbox/support/json-flow.js';
import { ecpayEventRecorder } from '../support/event-recorder.js';

const { module: ListenerModule, events } = ecpayEventRecorder();

// EcpayService.cards against the sandbox in the same app: binding through ECPay's form (the sandbox's page), paying
// with the bound card, listing and deleting — the library's side of docs/protocol.md §6.7, §7.8 (站內付 2.0) end to end.
describe('bound cards (EcpayCardsService) on the sandbox', () => {
  let app: INestApplication;
  let base: string;
  let ecpay: EcpayService;

  beforeAll(async () => {
    ({ app, base } = await startEcpayWithSandbox({ imports: [ListenerModule] }));
    ecpay = app.get(EcpayService);
  });
  afterAll(() => app?.close());
  beforeEach(() => {
    events.length = 0;
  });

  const cards = () => app.get(DataSource).getRepository(EcpayBoundCard).find();
  const settled = async () => {
    await app.get(EcpaySandboxNotifier).settled();
    await app.get(EcpayNotificationDispatcher).kick();
  };

  /** The customer binds a card on ECPay's form; the shop finishes the binding with the token the form gave. */
  async function bind(memberId: string, cardNo = '4311952222222222') {
    const { token } = await ecpay.cards.startBinding({ memberId });
    const payToken = await bindOnPage(`${base}/ecpay-sandbox/__sandbox/bind/${token}`, cardNo);
    return ecpay.cards.completeBinding({ memberId, bindCardPayToken: payToken });
  }

  it('binds a card: one row, card.bound once across the API answer and the ReturnURL notification', async () => {
    const result = await bind('member-1');
    expect(result).toMatchObject({
      status: 'bound',
      memberId: 'member-1',
      isSameCard: false,
      card6: '431195',
      card4: '2222',
    });
    if (result.status !== 'bound') throw new Error('not bound');
    expect(result.bindCardId).toMatch(/^[0-9a-f]{64}$/);
    await settled();
    expect(await cards()).toEqual([
      expect.objectContaining({
        merchantMemberId: 'member-1',
        bindCardId: result.bindCardId,
        card6No: '431195',
        card4No: '2222',
        status: 'active',
      }),
    ]);
    expect(events.filter((event) => event.name === 'card.bound')).toHaveLength(1);
    const rows = await app
      .get(DataSource)
      .getRepository(EcpayNotification)
      .findBy({ kind: 'card-binding', merchantTradeNo: result.merchantTradeNo });
    expect(rows).toHaveLength(1);
  });

  it('binding the same card again is IsSameCard: the same BindCardID, still one row', async () => {
    const again = await bind('member-1');
    expect(again).toMatchObject({ status: 'bound', isSameCard: true });
    await settled();
    expect((await cards()).filter((card) => card.merchantMemberId === 'member-1')).toHaveLength(1);
  });

  it('pays with the bound card: the trade stored, then paid, payment.succeeded once', async () => {
    const [card] = await ecpay.cards.listBoundCards('member-1');
    expect(card).toMatchObject({ card6: '431195', card4: '2222' });
    const result = await ecpay.cards.payWithBoundCard({
      memberId: 'member-1',
      bindCardId: card!.bindCardId,
      totalAmount: 680,
      itemName: '阿里山高山烏龍茶 150g',
      tradeDesc: 'Repeat order',
    });
    expect(result).toMatchObject({ status: 'authorized', trade: { status: 'paid', totalAmount: 680 } });
    await settled();
    expect(
      events.filter((event) => event.name === 'payment.succeeded' && event.merchantTradeNo === result.merchantTradeNo),
    ).toHaveLength(1);
  });

  it('deletes a card: gone at ECPay, marked deleted here, and paying with it is declined', async () => {
    const [card] = await ecpay.cards.listBoundCards('member-1');
    await ecpay.cards.deleteBoundCard('member-1', card!.bindCardId);
    expect(await ecpay.cards.listBoundCards('member-1')).toEqual([]);
    expect((await cards()).find((row) => row.bindCardId === card!.bindCardId)?.status).toBe('deleted');
    const result = await ecpay.cards.payWithBoundCard({
      memberId: 'member-1',
      bindCardId: card!.bindCardId,
      totalAmount: 680,
      itemName: 'Tea',
      tradeDesc: 'After delete',
    });
    expect(result).toMatchObject({ status: 'failed', trade: { status: 'failed' } });
    await expect(ecpay.cards.deleteBoundCard('member-1', card!.bindCardId)).rejects.toBeInstanceOf(EcpayApiError);
  });

  it('refuses bad input before calling ECPay, naming each field', async () => {
    const failure = await ecpay.cards
      .payWithBoundCard({ memberId: '', bindCardId: 'not a card!', totalAmount: 1.5, itemName: '', tradeDesc: 'x' })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EcpayValidationError);
    expect((failure as EcpayValidationError).issues.map((issue) => issue.field)).toEqual([
      'memberId',
      'bindCardId',
      'totalAmount',
      'itemName',
    ]);
  });
});
