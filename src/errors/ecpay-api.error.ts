import { EcpayError } from './ecpay.error.js';

/** What {@link EcpayApiError} tells about the failed call. @publicApi */
export interface EcpayApiErrorDetails {
  /** The API, as named in the endpoint table (`queryTradeInfo`, `doAction`, …). */
  readonly api: string;
  /** ECPay's RtnCode, when the answer carried one (CreditDetail/QueryTrade/V2 answers with RtnMsg only). */
  readonly rtnCode?: number;
  /** ECPay's RtnMsg: its wording is not a stable contract (e.g. `更新失敗.(error_amount_R)`), match on rtnCode. */
  readonly rtnMsg: string;
  /** For the JSON/AES APIs: TransCode, when it was not 1 (ECPay could not read the envelope at all). */
  readonly transCode?: number;
  readonly merchantId?: string;
  readonly merchantTradeNo?: string;
}

/**
 * ECPay answered, the answer was verified, and it says no: RtnCode ≠ 1 (or TransCode ≠ 1 for the AES envelope).
 * The outcome is known — nothing happened on ECPay's side — so fixing the input and calling again is safe.
 *
 * @publicApi
 */
export class EcpayApiError extends EcpayError implements EcpayApiErrorDetails {
  readonly code = 'ECPAY_API_ERROR';
  readonly api: string;
  readonly rtnCode?: number;
  readonly rtnMsg: string;
  readonly transCode?: number;
  readonly merchantId?: string;
  readonly merchantTradeNo?: string;

  constructor(details: EcpayApiErrorDetails) {
    const what =
      details.transCode !== undefined
        ? `TransCode ${details.transCode}`
        : details.rtnCode !== undefined
          ? `RtnCode ${details.rtnCode}`
          : 'an error';
    super(`ECPay ${details.api} answered ${what}${details.rtnMsg ? `: ${details.rtnMsg}` : ''}.`);
    this.api = details.api;
    this.rtnCode = details.rtnCode;
    this.rtnMsg = details.rtnMsg;
    this.transCode = details.transCode;
    this.merchantId = details.merchantId;
    this.merchantTradeNo = details.merchantTradeNo;
  }
}
