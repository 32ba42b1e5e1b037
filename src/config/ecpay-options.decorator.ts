import { ECPAY_RESOLVED_OPTIONS } from './ecpay.constants.js';

export { InjectEcpayOptions } from '../tokens/ecpay.tokens.js';

/** The token of the validated options, for `Test.createTestingModule` overrides. @publicApi */
export const getEcpayOptionsToken = (): symbol => ECPAY_RESOLVED_OPTIONS;
