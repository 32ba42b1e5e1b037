export { ECPAY_PERSISTENT_RATE_LIMIT_STORE } from '../tokens/ecpay.tokens.js';
