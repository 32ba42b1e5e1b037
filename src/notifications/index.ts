// The notifications concern: what ECPay's notifications contain (DTOs and their normalisation), the inbox that
// stores each once with its trade's state change, and the dispatcher that hands its event to the handlers.
export * from './normalize-notification.js';
export * from './dto/index.js';
export * from './ecpay-notification.service.js';
export { EcpayNotificationDispatcher, type EcpayDispatchOptions } from './ecpay-notification.dispatcher.js';
