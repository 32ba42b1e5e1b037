// nestjs-ecpay/testing: what an app's own tests use to play ECPay's part.
export * from './ecpay-testing.js';
