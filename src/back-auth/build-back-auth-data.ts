import { inspect } from 'node:util';
import { generateMerchantTradeNo } from '../checkout/merchant-trade-no.js';
import { formatEcpayDateTime } from '../time/ecpay-time.js';
import type {
  EcpayBackAuthFlag,
  EcpayBackAuthInput,
  EcpayBackAuthItem,
  EcpayBackAuthPeriodType,
} from './back-auth-input.interface.js';
import { EcpayBackAuthRequest, redactCard } from './back-auth-request.js';
import { normalizeCardNumber } from './card-number.js';
import { itemLine, validateBackAuthInput } from './validate-back-auth-input.js';

/**
 * BackAuth's plaintext Data exactly as ECPay's BackAuth page lays it out (docs/protocol.md §7.6): the fields in the
 * order of its parameter table, optional ones left out when not given (as in its example), numbers where it says Int.
 *
 * @publicApi
 */
export interface EcpayBackAuthData {
  MerchantID: string;
  OrderInfo: {
    MerchantTradeNo: string;
    MerchantTradeDate: string;
    TotalAmount: number;
    ItemName: string;
    TradeDesc: string;
    ReturnURL: string;
  };
  ChoosePayment: 'Credit';
  CardInfo: {
    CardNo: string;
    CardValidMM: string;
    CardValidYY: string;
    CardCVV2: string;
    DirectCapture: EcpayBackAuthFlag;
    Redeem?: EcpayBackAuthFlag;
    CreditInstallment?: string;
    PeriodAmount?: number;
    PeriodType?: EcpayBackAuthPeriodType;
    Frequency?: number;
    ExecTimes?: number;
    PeriodReturnURL?: string;
    OrderResultURL?: string;
  };
  ConsumerInfo?: {
    MerchantMemberID?: string;
    Email?: string;
    Phone?: string;
    Name?: string;
    CountryCode?: string;
    Address?: string;
  };
  CustomField?: string;
}

/**
 * Validates the input (throwing one `EcpayValidationError` with every problem) and builds the Data to encrypt:
 * MerchantTradeNo generated when absent, MerchantTradeDate from `now` in Asia/Taipei, ChoosePayment `Credit`, the
 * card number without separators.
 *
 * The result holds the card data, because it is what gets encrypted and sent. It therefore prints redacted under
 * `util.inspect` (console.log, Nest's Logger), but NOT under `JSON.stringify`: that is the wire format, and a
 * serialiser that redacted would send ECPay a redacted card. Hand it to the transport and to nothing else.
 *
 * @publicApi
 */
export function buildBackAuthData(
  input: EcpayBackAuthInput | EcpayBackAuthRequest,
  merchantId: string,
  now: Date,
): EcpayBackAuthData {
  validateBackAuthInput(input, now, { merchantId });
  const {
    OrderInfo: order,
    CardInfo: card,
    ConsumerInfo: consumer,
    CustomField,
  } = input instanceof EcpayBackAuthRequest ? input.unwrap() : input;

  const data: EcpayBackAuthData = {
    MerchantID: merchantId,
    OrderInfo: {
      MerchantTradeNo: order.MerchantTradeNo ?? generateMerchantTradeNo({ clock: { now: () => now } }),
      MerchantTradeDate: formatEcpayDateTime(now),
      TotalAmount: order.TotalAmount,
      ItemName: order.ItemName ?? itemName(order.items ?? []),
      TradeDesc: order.TradeDesc,
      ReturnURL: order.ReturnURL,
    },
    ChoosePayment: 'Credit',
    CardInfo: compact({
      CardNo: normalizeCardNumber(card.CardNo),
      CardValidMM: card.CardValidMM,
      CardValidYY: card.CardValidYY,
      CardCVV2: card.CardCVV2,
      DirectCapture: card.DirectCapture,
      Redeem: card.Redeem,
      CreditInstallment: card.CreditInstallment,
      PeriodAmount: card.PeriodAmount,
      PeriodType: card.PeriodType,
      Frequency: card.Frequency,
      ExecTimes: card.ExecTimes,
      PeriodReturnURL: card.PeriodReturnURL,
      OrderResultURL: card.OrderResultURL,
    }),
  };
  if (consumer !== undefined) {
    const info = compact({
      MerchantMemberID: consumer.MerchantMemberID,
      Email: consumer.Email,
      Phone: consumer.Phone,
      Name: consumer.Name,
      CountryCode: consumer.CountryCode,
      Address: consumer.Address,
    });
    if (Object.keys(info).length > 0) data.ConsumerInfo = info;
  }
  if (CustomField !== undefined) data.CustomField = CustomField;

  // Non-enumerable, and keyed by a symbol: invisible to JSON.stringify, Object.keys and deep equality, seen by inspect.
  hideFromInspect(data.CardInfo, () => redactCard(data.CardInfo));
  hideFromInspect(data, () => ({ ...data, CardInfo: redactCard(data.CardInfo) }));
  return data;
}

function itemName(items: readonly EcpayBackAuthItem[]): string {
  return items.map((item) => itemLine(item.name.trim(), item.quantity)).join('#');
}

/** Drops undefined fields, keeping the order of the rest. */
function compact<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as T;
}

function hideFromInspect(target: object, view: () => object): void {
  Object.defineProperty(target, inspect.custom, {
    value: (_depth: number, options: Parameters<typeof inspect>[1]) => inspect(view(), options),
    enumerable: false,
  });
}
