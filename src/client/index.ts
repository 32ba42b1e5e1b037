// The client concern: EcpayClient and its call types, and the rate-limit stores an app may pick for the 403
// breaker. The transport, the verifier, the endpoint table and the breaker itself stay internal.
export * from './ecpay-client.service.js';
export * from './ecpay-client.interface.js';
export type { EcpayApiName } from './ecpay-endpoints.js';
export * from './ecpay-memory-rate-limit.store.js';
export * from './ecpay-typeorm-rate-limit.store.js';
export * from './ecpay-redis-rate-limit.store.js';
