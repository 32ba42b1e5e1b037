import type { EcpayEnvironment, EcpayModuleOptions } from 'nestjs-ecpay';

/** ECPay's public stage merchant (PROTOCOL.md §4): the demo's default, never the library's. */
const PUBLIC_STAGE = { merchantId: '3002607', hashKey: 'pwFHCqoQZGmho4w6', hashIv: 'EkRm7iFT261dpevs' };

/**
 * The demo reads ECPay settings from the environment (PORT, ECPAY_ENV, ECPAY_MERCHANT_ID, ECPAY_HASH_KEY,
 * ECPAY_HASH_IV). Outside production it falls back to ECPay's public stage merchant so `npm start` works on a fresh
 * machine; production gets nothing by default and the module refuses to start without real credentials.
 */
export function demoEcpayOptions(env: NodeJS.ProcessEnv): EcpayModuleOptions & { usingPublicStage: boolean } {
  const environment = (env.ECPAY_ENV ?? 'stage') as EcpayEnvironment;
  const fallback = environment === 'production' ? undefined : PUBLIC_STAGE;
  const merchantId = env.ECPAY_MERCHANT_ID ?? fallback?.merchantId ?? '';
  return {
    environment,
    merchantId,
    hashKey: env.ECPAY_HASH_KEY ?? fallback?.hashKey ?? '',
    hashIv: env.ECPAY_HASH_IV ?? fallback?.hashIv ?? '',
    usingPublicStage: fallback !== undefined && env.ECPAY_MERCHANT_ID === undefined,
  };
}
