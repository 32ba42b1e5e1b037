export * from './ecpay-url-encode.js';
export * from './php-json-encode.js';
export * from './php-url-encode.js';
