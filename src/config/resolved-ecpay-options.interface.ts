import type { EcpayRateLimitStore } from './ecpay-rate-limit-store.interface.js';
import type { EcpayRedisClient } from './ecpay-rate-limit-store.interface.js';
import type { EcpayDispatchOptions, EcpayReconciliationOptions } from './ecpay-options.interface.js';
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
  /** How notifications are stored; `preparedStatements` true unless turned off. */
  readonly notifications: { readonly preparedStatements: boolean };
  /** ECPay's daily auto-close is on for the merchant (default true). */
  readonly autoClose: boolean;
  /** The reconciliation schedule as given (defaults are applied by the service); `enabled` false unless set. */
  readonly reconciliation: EcpayReconciliationOptions;
  /** The 403 breaker: its window (default 30 minutes) and the store the app chose, if any. */
  readonly rateLimit: {
    readonly windowMs: number;
    readonly redis: EcpayRedisClient | undefined;
    readonly keyPrefix: string | undefined;
    readonly store: EcpayRateLimitStore | undefined;
  };
}
