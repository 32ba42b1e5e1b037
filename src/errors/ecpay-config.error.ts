import { EcpayError } from './ecpay.error.js';

/** One problem found in the module options: the option's path (`hashKey`, `merchants.shop.hashIv`) and the rule. */
export interface EcpayConfigIssue {
  readonly option: string;
  readonly message: string;
}

/**
 * Thrown at start-up when `EcpayModule.forRoot/forRootAsync` options are invalid. Lists every problem at once,
 * each naming its option, so a misconfigured app never boots half-working.
 *
 * @publicApi
 */
export class EcpayConfigError extends EcpayError {
  readonly code = 'ECPAY_CONFIG_INVALID';

  constructor(readonly issues: readonly EcpayConfigIssue[]) {
    super(`Invalid EcpayModule options:\n${issues.map((issue) => `  - ${issue.option}: ${issue.message}`).join('\n')}`);
  }
}
