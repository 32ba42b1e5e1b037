import { EcpayError } from './ecpay.error.js';

/**
 * Thrown before anything is sent when an API does not exist in the configured environment — e.g.
 * CreditDetail/QueryTrade/V2, which ECPay offers in production only ("測試環境:因無法提供實際授權,故無法使用此API").
 *
 * @publicApi
 */
export class EcpayUnsupportedEnvironmentError extends EcpayError {
  readonly code = 'ECPAY_UNSUPPORTED_ENVIRONMENT';

  constructor(
    readonly api: string,
    readonly environment: string,
    hint: string,
  ) {
    super(`ECPay ${api} is not available in the "${environment}" environment: ${hint}`);
  }
}
