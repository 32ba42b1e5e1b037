// nestjs-ecpay/health: the health indicator for @nestjs/terminus (an optional peer, loaded only from this entry).
export * from './ecpay-health.module.js';
export * from './ecpay-health.indicator.js';
export * from './ecpay-health.probe.js';
export * from './ecpay-health-options.interface.js';
