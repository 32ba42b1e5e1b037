import type { EcpayEnvironment } from '../config/ecpay-options.interface.js';
import { EcpayConfigError } from '../errors/ecpay-config.error.js';

/**
 * ECPay's hosts per environment (PROTOCOL.md §3). Only the base URL differs between stage, production and the local
 * sandbox, which serves every API on ECPay's own paths.
 */
export interface EcpayHosts {
  /** All-in-One: AioCheckOut, QueryTradeInfo, DoAction, period APIs. */
  readonly payment: string;
  /** The JSON/AES APIs: BackAuth, QueryTrade, DoAction. */
  readonly ecpayment: string;
  /** 站內付 2.0: tokens and card binding. */
  readonly ecpg: string;
  /** Vendor back office: statement downloads. */
  readonly vendor: string;
}

const HOSTS: Record<Exclude<EcpayEnvironment, 'sandbox'>, EcpayHosts> = {
  stage: {
    payment: 'https://payment-stage.ecpay.com.tw',
    ecpayment: 'https://ecpayment-stage.ecpay.com.tw',
    ecpg: 'https://ecpg-stage.ecpay.com.tw',
    vendor: 'https://vendor-stage.ecpay.com.tw',
  },
  production: {
    payment: 'https://payment.ecpay.com.tw',
    ecpayment: 'https://ecpayment.ecpay.com.tw',
    ecpg: 'https://ecpg.ecpay.com.tw',
    vendor: 'https://vendor.ecpay.com.tw',
  },
};

/** The hosts of an environment; the sandbox serves every family from its one base URL. */
export function ecpayHosts(environment: EcpayEnvironment, sandboxUrl?: string): EcpayHosts {
  if (environment !== 'sandbox') return HOSTS[environment];
  if (!sandboxUrl) throw new EcpayConfigError([{ option: 'sandboxUrl', message: 'is required to call the sandbox (environment "sandbox")' }]);
  const base = sandboxUrl.replace(/\/+$/, '');
  return { payment: base, ecpayment: base, ecpg: base, vendor: base };
}

/** ECPay's paths, the same on every host. */
export const ECPAY_PATHS = {
  aioCheckOut: '/Cashier/AioCheckOut/V5',
} as const;
