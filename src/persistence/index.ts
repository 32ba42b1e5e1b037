export * from './ecpay-trade-status.js';
export * from './ecpay-trade.entity.js';
export * from './ecpay-bound-card.entity.js';
export * from './ecpay-rate-limit.entity.js';
export * from './ecpay.entities.js';
export * from './migrations/index.js';
export * from './ecpay-duplicate-trade.error.js';
export * from './ecpay-trade.store.js';
