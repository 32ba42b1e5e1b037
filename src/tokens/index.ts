// The tokens and Inject…() helpers an app uses. The rest of ecpay.tokens.ts (the resolved options, repositories,
// option slices, the handler metadata key) is wiring between the library's own providers and stays internal.
export {
  ECPAY_CALLBACK_ROUTES,
  ECPAY_CLOCK,
  ECPAY_JSON_TRANSPORT,
  ECPAY_RATE_LIMIT_STORE,
  InjectEcpayCallbackRoutes,
  InjectEcpayClock,
  InjectEcpayDataSource,
  InjectEcpayJsonTransport,
  InjectEcpayOptions,
  InjectEcpayRateLimitStore,
} from './ecpay.tokens.js';
