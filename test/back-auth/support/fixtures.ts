import type { EcpayBackAuthInput } from '../../../src/back-auth/back-auth-input.interface.js';

/** 2025/03/12 15:30:23 in Taipei. */
export const NOW = new Date('2025-03-12T07:30:23Z');
export const fixedClock = { now: (): Date => NOW };

/** ECPay's stage test card (docs/protocol.md §4.3), typed the way people do. */
export const STAGE_CARD = '4311-9522-2222-2222';

/** A valid input covering every BackAuth field (docs/protocol.md §7.6). */
export function fullInput(): EcpayBackAuthInput {
  return {
    OrderInfo: {
      MerchantTradeNo: 'Test20250312A',
      TotalAmount: 500,
      ItemName: 'item1#item2',
      TradeDesc: '',
      ReturnURL: 'https://shop.example.com/ecpay/return',
    },
    CardInfo: {
      CardNo: STAGE_CARD,
      CardValidMM: '12',
      CardValidYY: '30',
      CardCVV2: '222',
      DirectCapture: '0',
      Redeem: '0',
      PeriodAmount: 500,
      PeriodType: 'M',
      Frequency: 1,
      ExecTimes: 12,
      PeriodReturnURL: 'https://shop.example.com/ecpay/period-return',
      OrderResultURL: 'https://shop.example.com/checkout/result',
    },
    ConsumerInfo: {
      MerchantMemberID: 'test123456',
      Email: 'customer@email.com',
      Phone: '0912345678',
      Name: 'Test',
      CountryCode: '158',
      Address: '台北市南港區三重路19-2號',
    },
    CustomField: 'order-42',
  };
}

/** The smallest valid input: only what BackAuth requires (docs/protocol.md §7.6). */
export function minimalInput(): EcpayBackAuthInput {
  return {
    OrderInfo: {
      TotalAmount: 500,
      ItemName: 'item1',
      TradeDesc: 'desc',
      ReturnURL: 'https://shop.example.com/ecpay/return',
    },
    CardInfo: { CardNo: '4311952222222222', CardValidMM: '12', CardValidYY: '30', CardCVV2: '222', DirectCapture: '1' },
  };
}
