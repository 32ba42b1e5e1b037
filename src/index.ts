// The public API of nestjs-ecpay. Everything not exported here is internal and may change without notice.
//
// Built only from barrels: each concern's index.ts decides its public surface, and this file lists the concerns.
// The exception is this folder's own files (the module, its definition, the façade), listed by name just as every
// barrel lists its own files. `npm run lint` (scripts/check-conventions.mjs) fails on any other path here.
export * from './ecpay.module.js';
export * from './ecpay.service.js';
export type { EcpayForRootAsyncOptions, EcpayForRootOptions, EcpayModuleExtras } from './ecpay.module-definition.js';
export { getEcpayRawOptionsToken } from './ecpay.module-definition.js';
export * from './tokens/index.js';
export * from './config/index.js';
export * from './signing/index.js';
export * from './encoding/index.js';
export * from './crypto/index.js';
export * from './client/index.js';
export * from './checkout/index.js';
export * from './persistence/index.js';
export * from './notifications/index.js';
export * from './handlers/index.js';
export * from './callbacks/index.js';
export * from './back-auth/index.js';
export * from './cards/index.js';
export * from './operations/index.js';
export * from './time/index.js';
export * from './errors/index.js';
// Deprecated here since 0.2.0, removed in 0.3.0: import them from 'nestjs-ecpay/testing' and 'nestjs-ecpay/sandbox'.
export * from './deprecated-entry-points.js';
export * from './observability/index.js';
