export * from './ecpay-notification-base.dto.js';
export * from './aio-return-notification.dto.js';
export * from './period-return-notification.dto.js';
export * from './payment-info-notification.dto.js';
