import type { EcpayBackAuthConsumerInfo, EcpayBackAuthItem } from '../back-auth/back-auth-input.interface.js';

/** Starts binding a card for a member (站內付 2.0 GetTokenbyBindingCard). @publicApi */
export interface EcpayStartBindingInput {
  /** The shop's id of the customer (MerchantMemberID), at most 30 characters. */
  readonly memberId: string;
  /** The verification charge ECPay makes while binding, integer TWD (default 1). */
  readonly amount?: number;
  readonly itemName?: string;
  readonly tradeDesc?: string;
  readonly consumer?: Omit<EcpayBackAuthConsumerInfo, 'MerchantMemberID'>;
  /** Where ECPay sends the browser after binding; default the library's `/ecpay/ecpg/order-result`. */
  readonly orderResultUrl?: string;
  readonly customField?: string;
}

/**
 * A token for ECPay's binding form (its JavaScript SDK; the sandbox serves a page at `/__sandbox/bind/:token`).
 *
 * @publicApi
 */
export interface EcpayBindingToken {
  readonly token: string;
  /** The MerchantTradeNo of the binding's verification charge: its notification arrives under this number. */
  readonly merchantTradeNo: string;
  readonly tokenExpireDate: string | undefined;
}

/** What ECPay's binding form hands the browser, to finish the binding server-side (CreateBindCard). @publicApi */
export interface EcpayCompleteBindingInput {
  readonly memberId: string;
  readonly bindCardPayToken: string;
}

/** A bound card as ECPay describes it: never more than the first six and last four digits. @publicApi */
export interface EcpayBoundCardInfo {
  readonly bindCardId: string;
  readonly card6: string;
  readonly card4: string;
  readonly cardValidMm: string | null;
  readonly cardValidYy: string | null;
}

/** The outcome of CreateBindCard. @publicApi */
export type EcpayBindingResult =
  | ({
      readonly status: 'bound';
      readonly memberId: string;
      readonly isSameCard: boolean;
      readonly merchantTradeNo: string;
    } & EcpayBoundCardInfo)
  | { readonly status: 'three-d-secure'; readonly url: string }
  | { readonly status: 'failed'; readonly rtnCode: number | null; readonly rtnMsg: string };

/** A payment with a bound card (CreatePaymentWithCardID). @publicApi */
export interface EcpayBoundCardPaymentInput {
  readonly memberId: string;
  readonly bindCardId: string;
  readonly totalAmount: number;
  /** `ItemName`, or items joined as ECPay shows them (`name xN#…`). */
  readonly itemName?: string;
  readonly items?: readonly EcpayBackAuthItem[];
  readonly tradeDesc: string;
  readonly merchantTradeNo?: string;
  readonly consumer?: Omit<EcpayBackAuthConsumerInfo, 'MerchantMemberID'>;
  readonly customField?: string;
  /** Default the library's `/ecpay/ecpg/return`. */
  readonly returnUrl?: string;
}
