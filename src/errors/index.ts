// Every error this library throws on purpose extends EcpayError and lives in this folder, so an app tells ours apart
// with one `instanceof` and finds them all here.
//
// Deliberately not here: `EcpayCallbackException` (src/callbacks) is an HttpException, not an EcpayError. It is the
// reply to ECPay's own request, and as an HttpException it stays the 400 `0|<reason>` answer even on a route without
// the library's exception filter, where Nest would turn any other error into a 500.
//
// `EcpayOutcomeUnknownError` is internal (not exported): callers test the `outcomeUnknown` marker with
// `isOutcomeUnknown`, which also covers errors from an app's own JSON transport.
export * from './ecpay.error.js';
export * from './ecpay-config.error.js';
export * from './ecpay-decryption.error.js';
export * from './ecpay-invalid-date.error.js';
export * from './ecpay-unknown-merchant.error.js';
export * from './ecpay-merchant-mismatch.error.js';
export { EcpayValidationError, type EcpayValidationIssue } from './ecpay-validation.error.js';
export * from './ecpay-api.error.js';
export * from './ecpay-timeout.error.js';
export * from './ecpay-transport.error.js';
export * from './ecpay-rate-limited.error.js';
export * from './ecpay-response-verification.error.js';
export * from './ecpay-unsupported-environment.error.js';
export * from './ecpay-card-data-withheld.error.js';
export * from './ecpay-duplicate-trade.error.js';
export * from './ecpay-notification-validation.error.js';
export * from './ecpay-operation.error.js';
