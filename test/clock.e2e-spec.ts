import { describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { ECPAY_CLOCK, EcpayCryptoService, EcpayModule } from '../src/index.js';
import { STAGE_MERCHANT } from './support/test-module.js';

describe('the module clock', () => {
  it('can be replaced with overrideProvider(ECPAY_CLOCK), and is read on every call', async () => {
    let now = new Date('2024-01-01T04:00:00Z');
    const module = await Test.createTestingModule({
      imports: [EcpayModule.forRoot({ environment: 'stage', ...STAGE_MERCHANT, persistence: false })],
    })
      .overrideProvider(ECPAY_CLOCK)
      .useValue({ now: () => now })
      .compile();
    try {
      const crypto = module.get(EcpayCryptoService);
      expect(crypto.buildRequest({ MerchantID: '3002607' }).RqHeader.Timestamp).toBe(1704081600);
      now = new Date('2024-01-01T04:10:00Z');
      expect(crypto.buildRequest({ MerchantID: '3002607' }).RqHeader.Timestamp).toBe(1704082200);
    } finally {
      await module.close();
    }
  });
});
