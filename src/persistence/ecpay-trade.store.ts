import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Repository } from 'typeorm';
import { ECPAY_TRADE_REPOSITORY } from '../config/ecpay.constants.js';
import { EcpayDuplicateTradeError } from '../errors/ecpay-duplicate-trade.error.js';
import { EcpayTrade, type EcpayPaymentOptions } from './ecpay-trade.entity.js';
import { exclusiveWrite } from './exclusive-write.js';
import { isUniqueViolation } from './unique-violation.js';

/**
 * What a new trade is made of: the AIO fields the merchant chooses. Everything else (id, status, ECPay's
 * answers, bookkeeping) is set by the store.
 *
 * @publicApi
 */
export interface NewEcpayTrade {
  merchantId: string;
  platformId?: string | null;
  merchantTradeNo: string;
  /** An integer number of TWD, greater than 0. */
  totalAmount: number;
  choosePayment: string;
  /** The non-basic AIO options (installments, periodic, binding, ...), stored as JSON. */
  paymentOptions?: EcpayPaymentOptions | null;
  itemName: string;
  tradeDesc: string;
  /** ECPay's `yyyy/MM/dd HH:mm:ss` text, Asia/Taipei. */
  merchantTradeDate: string;
  customField1?: string | null;
  customField2?: string | null;
  customField3?: string | null;
  customField4?: string | null;
}

/** The fields of a trade that change after it was created (ECPay's answers and the status). @publicApi */
export type EcpayTradeChanges = Partial<
  Pick<
    EcpayTrade,
    | 'status'
    | 'ecpayTradeNo'
    | 'paymentType'
    | 'paidAt'
    | 'simulated'
    | 'paymentOptions'
    | 'refundedAmount'
    | 'capturedAmount'
    | 'closeState'
    | 'closeRequestedAt'
    | 'pendingActionId'
  >
>;

/** The largest value of the 32-bit `total_amount` column. */
const MAX_TOTAL_AMOUNT = 2_147_483_647;
const TRADE_NO_INDEX = 'uq_ecpay_trade_merchant_trade_no';

/**
 * Reads and writes {@link EcpayTrade}s. Needs `TypeOrmModule.forFeature([...ECPAY_ENTITIES])` (or at least
 * `EcpayTrade`) in the module that provides it.
 *
 * @publicApi
 */
@Injectable()
export class EcpayTradeStore {
  constructor(@Inject(ECPAY_TRADE_REPOSITORY) private readonly trades: Repository<EcpayTrade>) {}

  /**
   * Records a new trade with status `pending`.
   *
   * @throws EcpayDuplicateTradeError when the MerchantID already has a trade with this MerchantTradeNo (checked
   *   by the database's unique index, so it holds under concurrency too).
   * @throws RangeError when `totalAmount` is not a whole number of TWD above 0.
   */
  async createPending(input: NewEcpayTrade): Promise<EcpayTrade> {
    if (!Number.isInteger(input.totalAmount) || input.totalAmount <= 0 || input.totalAmount > MAX_TOTAL_AMOUNT) {
      throw new RangeError(
        `totalAmount must be a whole number of TWD from 1 to ${MAX_TOTAL_AMOUNT} (got ${input.totalAmount}).`,
      );
    }
    const now = new Date();
    const trade = this.trades.create({
      id: randomUUID(),
      merchantId: input.merchantId,
      platformId: input.platformId ?? null,
      merchantTradeNo: input.merchantTradeNo,
      totalAmount: input.totalAmount,
      currency: 'TWD',
      status: 'pending',
      choosePayment: input.choosePayment,
      paymentOptions: input.paymentOptions ?? null,
      itemName: input.itemName,
      tradeDesc: input.tradeDesc,
      merchantTradeDate: input.merchantTradeDate,
      ecpayTradeNo: null,
      paymentType: null,
      paidAt: null,
      simulated: false,
      customField1: input.customField1 ?? null,
      customField2: input.customField2 ?? null,
      customField3: input.customField3 ?? null,
      customField4: input.customField4 ?? null,
      refundedAmount: 0,
      capturedAmount: null,
      closeState: null,
      closeRequestedAt: null,
      pendingActionId: null,
      reconcileAttempts: 0,
      reconcileAt: null,
      reconcileLockedBy: null,
      reconcileLockedUntil: null,
      createdAt: now,
      updatedAt: now,
    });
    try {
      await exclusiveWrite(this.trades.manager.connection, () => this.trades.insert(trade));
    } catch (error) {
      if (
        isUniqueViolation(error, {
          index: TRADE_NO_INDEX,
          table: 'ecpay_trade',
          columns: ['merchant_id', 'merchant_trade_no'],
        })
      ) {
        throw new EcpayDuplicateTradeError(input.merchantId, input.merchantTradeNo, { cause: error });
      }
      throw error;
    }
    // Read the row back rather than trusting the inserted object: TypeORM 1.1.1 merges MariaDB's
    // `INSERT … RETURNING` values into it without converting them (`simulated` would come back as 0, not false).
    return this.trades.findOneByOrFail({ id: trade.id });
  }

  /** The trade with this MerchantID and MerchantTradeNo, or null. */
  findByMerchantTradeNo(merchantId: string, merchantTradeNo: string): Promise<EcpayTrade | null> {
    return this.trades.findOneBy({ merchantId, merchantTradeNo });
  }

  /**
   * Applies `changes` to the trade only if it still has `expectedVersion` (optimistic locking: one
   * `UPDATE … WHERE id = ? AND version = ?`, which also increments the version). Returns false when someone else
   * changed the trade since it was read (or it does not exist): read it again and decide anew.
   *
   * `updated_at` is set from JavaScript, never by the database's clock (see {@link EcpayTrade} on time zones).
   */
  async updateIfVersion(id: string, expectedVersion: number, changes: EcpayTradeChanges): Promise<boolean> {
    const result = await exclusiveWrite(this.trades.manager.connection, () =>
      this.trades.update({ id, version: expectedVersion }, { ...changes, updatedAt: new Date() }),
    );
    return result.affected === 1;
  }
}
