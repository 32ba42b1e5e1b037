import type { EcpayEnvironment } from '../config/ecpay-options.interface.js';
import { EcpayConfigError } from '../errors/ecpay-config.error.js';

/**
 * ECPay's hosts per environment (docs/protocol.md §4.1). Only the base URL differs between stage, production and the
 * local sandbox, which serves every API on ECPay's own paths.
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
  if (!sandboxUrl)
    throw new EcpayConfigError([
      { option: 'sandboxUrl', message: 'is required to call the sandbox (environment "sandbox")' },
    ]);
  const base = sandboxUrl.replace(/\/+$/, '');
  return { payment: base, ecpayment: base, ecpg: base, vendor: base };
}

/**
 * ECPay's paths, the same on every host (docs/protocol.md §4.2). The host family each belongs to is in its name's
 * comment; the sandbox serves all of them from one base URL.
 */
export const ECPAY_PATHS = {
  // payment host: All-in-One, form + CheckMacValue (docs/protocol.md §7.1–§7.5)
  aioCheckOut: '/Cashier/AioCheckOut/V5',
  queryTradeInfo: '/Cashier/QueryTradeInfo/V5',
  queryCreditCardPeriodInfo: '/Cashier/QueryCreditCardPeriodInfo',
  creditCardPeriodAction: '/Cashier/CreditCardPeriodAction',
  doAction: '/CreditDetail/DoAction',
  creditDetailQueryTrade: '/CreditDetail/QueryTrade/V2',
  queryPaymentInfo: '/Cashier/QueryPaymentInfo',
  // vendor host: statement download (CSV)
  tradeNoAio: '/PaymentMedia/TradeNoAio',
  // ecpayment host: JSON + AES (docs/protocol.md §3, §7.6–§7.7)
  backAuth: '/1.0.0/Cashier/BackAuth',
  queryTrade: '/1.0.0/Cashier/QueryTrade',
  creditDetailQueryTradeJson: '/1.0.0/CreditDetail/QueryTrade',
  doActionJson: '/1.0.0/Credit/DoAction',
  creditCardPeriodActionJson: '/1.0.0/Cashier/CreditCardPeriodAction',
  queryPaymentInfoJson: '/1.0.0/Cashier/QueryPaymentInfo',
  // ecpg host: 站內付 2.0 tokens and card binding (docs/protocol.md §7.8)
  getTokenByTrade: '/Merchant/GetTokenbyTrade',
  createPayment: '/Merchant/CreatePayment',
  getTokenByBindingCard: '/Merchant/GetTokenbyBindingCard',
  createBindCard: '/Merchant/CreateBindCard',
  getTokenByUser: '/Merchant/GetTokenbyUser',
  createPaymentWithCardId: '/Merchant/CreatePaymentWithCardID',
  getMemberBindCard: '/Merchant/GetMemberBindCard',
  deleteMemberBindCard: '/Merchant/DeleteMemberBindCard',
} as const;

/** The name of one of ECPay's APIs in {@link ECPAY_PATHS}. */
export type EcpayApiName = keyof typeof ECPAY_PATHS;
