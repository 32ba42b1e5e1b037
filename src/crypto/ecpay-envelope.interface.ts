/**
 * The JSON envelope of ECPay's ecpayment/ecpg APIs (docs/protocol.md §3.2).
 */

/**
 * What we POST: the outer MerchantID (the PlatformID for platform merchants), a Unix timestamp and AES `Data`.
 *
 * @publicApi
 */
export interface EcpayRequestEnvelope {
  MerchantID: string;
  RqHeader: { Timestamp: number };
  Data: string;
}

/** What ECPay answers or notifies. `TransCode` 1 means only that the envelope itself was accepted. @publicApi */
export interface EcpayResponseEnvelope {
  MerchantID?: string;
  RpHeader?: { Timestamp?: number };
  TransCode: number | string;
  TransMsg?: string;
  Data?: string;
}

/** The business payload inside `Data` always carries RtnCode/RtnMsg; the rest depends on the API. @publicApi */
export interface EcpayResponseData {
  RtnCode?: number | string;
  RtnMsg?: string;
  [field: string]: unknown;
}

/**
 * An opened response, telling the two ways a call can fail apart:
 * - `transport-failure`: TransCode ≠ 1 — ECPay could not read the envelope (keys, timestamp, format); no `Data`.
 * - `business-failure`: the envelope was fine but `Data.RtnCode` ≠ 1 (declined, invalid order, …).
 * - `success`: RtnCode 1.
 *
 * @publicApi
 */
export type EcpayEnvelopeResult<T extends EcpayResponseData = EcpayResponseData> =
  | { status: 'success'; merchantId: string; transCode: 1; transMsg: string; rtnCode: 1; rtnMsg: string; data: T }
  | {
      status: 'business-failure';
      merchantId: string;
      transCode: 1;
      transMsg: string;
      rtnCode: number | undefined;
      rtnMsg: string;
      data: T;
    }
  | { status: 'transport-failure'; merchantId: string; transCode: number; transMsg: string };
