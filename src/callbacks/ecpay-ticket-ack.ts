import type { EcpayMerchant } from '../config/ecpay-merchant.js';
import { encryptEcpayPayload } from '../crypto/ecpay-aes.js';
import { phpJsonEncode } from '../encoding/index.js';
import { computeJsonCheckMacValue } from '../signing/check-mac-value.js';
import { toUnixSeconds } from '../time/ecpay-time.js';

/** The acknowledgement ECPay's ticketing notifications require (docs/protocol.md §6.8). @publicApi */
export interface EcpayTicketAck {
  readonly MerchantID: string;
  readonly RpHeader: { readonly Timestamp: number };
  readonly TransCode: 1;
  readonly TransMsg: string;
  readonly Data: string;
  readonly CheckMacValue: string;
}

/**
 * ECPay's ticketing service does not take `1|OK`: it wants an envelope whose Data is the AES encryption of
 * `{"RtnCode":1,"RtnMsg":…}` and whose CheckMacValue is §1.6's formula over that same JSON text (a plain `1|OK` is
 * treated as a failure and retried). The text is built once, so the Data and the MAC cover the same bytes.
 */
export function ecpayTicketAck(merchantId: string, keys: EcpayMerchant, now: Date): EcpayTicketAck {
  const plaintext = phpJsonEncode({ RtnCode: 1, RtnMsg: '成功' });
  return {
    MerchantID: merchantId,
    RpHeader: { Timestamp: toUnixSeconds(now) },
    TransCode: 1,
    TransMsg: 'Success',
    Data: encryptEcpayPayload(plaintext, keys),
    CheckMacValue: computeJsonCheckMacValue(plaintext, keys),
  };
}
