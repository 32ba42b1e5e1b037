// The sandbox concern: a local stand-in for ECPay, mountable in an app or run alone.
export * from './ecpay-sandbox.module.js';
export * from './ecpay-sandbox.store.js';
export * from './ecpay-sandbox.notifier.js';
export {
  ECPAY_SANDBOX_CONTROL_PATH,
  ECPAY_SANDBOX_DEFAULT_RETRY_SCHEDULE,
  ECPAY_SANDBOX_OTP,
  ECPAY_SANDBOX_STAGE_MERCHANT,
  ECPAY_SANDBOX_TEST_CARD,
} from './ecpay-sandbox.constants.js';
export type * from './ecpay-sandbox-options.interface.js';
export type * from './sandbox-trade.interface.js';
export type * from './json/sandbox-json-records.interface.js';
export type { SandboxResponseEnvelope } from './json/sandbox-json-envelope.js';
export * from './start-ecpay-sandbox.js';
