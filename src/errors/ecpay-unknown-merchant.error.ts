import { EcpayError } from './ecpay.error.js';

/**
 * Thrown when a call names a merchant (by configured name, MerchantID or PlatformID) that the module was not
 * configured with. Signing with the wrong keys would only surface later as ECPay's error 10200073.
 *
 * @publicApi
 */
export class EcpayUnknownMerchantError extends EcpayError {
  readonly code = 'ECPAY_UNKNOWN_MERCHANT';

  constructor(
    readonly reference: string,
    readonly field: 'merchant' | 'MerchantID' | 'PlatformID',
  ) {
    super(
      field === 'merchant'
        ? `No ECPay merchant named or numbered "${reference}" is configured in EcpayModule options.`
        : `${field} "${reference}" is not a merchant configured in EcpayModule options; add it under "merchants".`,
    );
  }
}
