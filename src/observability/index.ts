export {
  ECPAY_ATTRIBUTES,
  ECPAY_INSTRUMENTATION_SCOPE,
  ECPAY_METRICS,
  type EcpayCallOutcome,
  type EcpayReceivedOutcome,
} from './ecpay-telemetry.names.js';
