/**
 * The sandbox and the test helper, as the main entry point exported them up to 0.1. They have entry points of their
 * own now (`nestjs-ecpay/sandbox`, `nestjs-ecpay/testing`), so that production code need not load a stand-in for
 * ECPay; these re-exports keep 0.1 imports working until 0.3.0 removes them.
 *
 * @deprecated Import from 'nestjs-ecpay/sandbox' or 'nestjs-ecpay/testing'.
 */
export * from './testing/index.js';
export * from './sandbox/index.js';
