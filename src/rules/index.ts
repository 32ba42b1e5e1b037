export * from './ecpay-rules.js';
