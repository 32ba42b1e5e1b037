import type { EcpaySandboxMerchant } from './ecpay-sandbox-options.interface.js';

/** Injection token of the sandbox's resolved options. Its own token: the library's may live in the same app. */
export const ECPAY_SANDBOX_OPTIONS = Symbol('ECPAY_SANDBOX:OPTIONS');

/** ECPay's public stage merchant (docs/protocol.md §4.3): the sandbox's default, as ECPay stage's own. @publicApi */
export const ECPAY_SANDBOX_STAGE_MERCHANT: Readonly<EcpaySandboxMerchant> = Object.freeze({
  merchantId: '3002607',
  hashKey: 'pwFHCqoQZGmho4w6',
  hashIv: 'EkRm7iFT261dpevs',
});

const MINUTE = 60_000;

/** ECPay re-posts an unacknowledged notification every 5–15 minutes, 4 times (docs/protocol.md §6.1). @publicApi */
export const ECPAY_SANDBOX_DEFAULT_RETRY_SCHEDULE: readonly number[] = Object.freeze([
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  15 * MINUTE,
]);

/** Where the sandbox's own routes live, beside ECPay's paths: the payment pages and the control API. @publicApi */
export const ECPAY_SANDBOX_CONTROL_PATH = '__sandbox';

/** The stage test card (docs/protocol.md §4.3): the one number the sandbox authorizes. @publicApi */
export const ECPAY_SANDBOX_TEST_CARD = '4311952222222222';

/** The one-time password the sandbox's 3-D Secure page accepts. @publicApi */
export const ECPAY_SANDBOX_OTP = '1234';
