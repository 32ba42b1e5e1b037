export * from './ecpay-clock.js';
export * from './ecpay-time.js';
