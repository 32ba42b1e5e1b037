// The back-auth concern: BackAuth's input and results, EcpayBackAuthService, the redacted request and the JSON
// transport contract an app may replace. Building the Data and parsing replies stay internal. ECPAY_JSON_TRANSPORT
// is exported by tokens/.
export type * from './back-auth-input.interface.js';
export type * from './back-auth-result.interface.js';
export type { EcpayBackAuthCallOptions } from './ecpay-back-auth-options.interface.js';
export type { EcpayBackAuthOutcome } from './ecpay-back-auth-trades.service.js';
export { EcpayBackAuthRequest, redactBackAuthInput } from './back-auth-request.js';
export { validateBackAuthInput } from './validate-back-auth-input.js';
export { EcpayBackAuthService } from './ecpay-back-auth.service.js';
export {
  isOutcomeUnknown,
  type EcpayJsonApi,
  type EcpayJsonTransport,
  type EcpayJsonTransportOptions,
} from './ecpay-json-transport.interface.js';
