export * from '../errors/ecpay-operation.error.js';
export * from './ecpay-operations.interface.js';
export * from './ecpay-operations.service.js';
export * from './ecpay-reconciliation.service.js';
export { cardStageOf, isInClosingWindow, type EcpayCardStage } from './card-stage.js';
export { reconcileDueAt, RECONCILE_DELAYS_MS } from './reconcile-schedule.js';
export * from './ecpay-events.service.js';
