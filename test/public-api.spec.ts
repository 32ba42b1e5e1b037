import { describe, expect, it } from '@jest/globals';
import * as api from '../src/index.js';

// The barrel is the contract: anything not listed here is internal. A change to this list is an API change and
// should be deliberate (and documented in the README).
describe('the public API', () => {
  it('exports exactly the documented names', () => {
    expect(Object.keys(api).sort()).toEqual([
      'ECPAY_CLOCK',
      'ECPAY_ENVIRONMENTS',
      'EcpayConfigError',
      'EcpayCryptoService',
      'EcpayDecryptionError',
      'EcpayError',
      'EcpayInvalidDateError',
      'EcpayMerchant',
      'EcpayMerchantMismatchError',
      'EcpayMerchantRegistry',
      'EcpayModule',
      'EcpayService',
      'EcpaySigningService',
      'EcpayUnknownMerchantError',
      'InjectEcpayClock',
      'InjectEcpayOptions',
      'checkMacValueSource',
      'computeCheckMacValue',
      'computeJsonCheckMacValue',
      'decryptEcpayData',
      'decryptEcpayPayload',
      'decryptEcpayPayloadGcm',
      'ecpayUrlEncode',
      'encryptEcpayData',
      'encryptEcpayPayload',
      'encryptEcpayPayloadGcm',
      'formUrlDecodeToBytes',
      'formatEcpayDate',
      'formatEcpayDateTime',
      'getEcpayOptionsToken',
      'getEcpayRawOptionsToken',
      'parseEcpayDateTime',
      'phpJsonEncode',
      'phpUrlEncode',
      'systemClock',
      'toUnixSeconds',
      'verifyCheckMacValue',
      'verifyJsonCheckMacValue',
    ]);
  });
});
