export * from './back-auth-input.interface.js';
export * from './back-auth-result.interface.js';
export { EcpayBackAuthRequest, redactBackAuthInput } from './back-auth-request.js';
export {
  validateBackAuthInput,
  collectBackAuthIssues,
  type BackAuthValidationOptions,
} from './validate-back-auth-input.js';
export { buildBackAuthData, type EcpayBackAuthData } from './build-back-auth-data.js';
export { parseBackAuthResult } from './parse-back-auth-result.js';
export { parseBackAuthQueryResult } from './parse-query-trade-result.js';
export * from './ecpay-json-transport.interface.js';
export * from './ecpay-back-auth-options.interface.js';
export * from '../errors/ecpay-card-data-withheld.error.js';
export * from './ecpay-back-auth.service.js';
export { EcpayBackAuthTradesService, type EcpayBackAuthOutcome } from './ecpay-back-auth-trades.service.js';
export { EcpayClientJsonTransport } from './ecpay-client-json.transport.js';
export * from './json-api-trade.js';
