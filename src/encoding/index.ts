// The encoders users may need outside Nest; EncodeBuffer stays internal (it is a shared scratch buffer).
export { ecpayUrlEncode } from './ecpay-url-encode.js';
export { phpJsonEncode } from './php-json-encode.js';
export { formUrlDecodeToBytes, phpUrlEncode } from './php-url-encode.js';
