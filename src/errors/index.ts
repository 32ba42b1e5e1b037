export * from './ecpay.error.js';
export * from './ecpay-config.error.js';
export * from './ecpay-decryption.error.js';
export * from './ecpay-invalid-date.error.js';
export * from './ecpay-unknown-merchant.error.js';
export * from './ecpay-merchant-mismatch.error.js';
export { EcpayValidationError, type EcpayValidationIssue } from './ecpay-validation.error.js';
