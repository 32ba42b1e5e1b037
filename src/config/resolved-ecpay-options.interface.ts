import type { EcpayDispatchOptions } from '../notifications/ecpay-notification.dispatcher.js';
import type { EcpayClock } from '../time/ecpay-clock.js';
import type { EcpayMerchant } from './ecpay-merchant.js';
import type { EcpayEnvironment } from './ecpay-options.interface.js';

/**
 * The module options after validation, with defaults applied and merchants resolved (members carry their
 * platform's keys). What every service of the module reads.
 *
 * @publicApi
 */
export interface ResolvedEcpayOptions {
  readonly environment: EcpayEnvironment;
  /** Every configured merchant; the first is the default one. */
  readonly merchants: readonly EcpayMerchant[];
  readonly defaultMerchant: EcpayMerchant;
  readonly publicUrl: string | undefined;
  readonly orderResultPage: string | undefined;
  readonly sandboxUrl: string | undefined;
  readonly clock: EcpayClock;
  readonly dispatch: EcpayDispatchOptions;
}
