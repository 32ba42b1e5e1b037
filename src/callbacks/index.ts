// The callbacks concern: guards that verify ECPay's notifications, the `0|reason` failure reply, the verified
// payload as param decorators, the ECTicket acknowledgement. (The notification DTOs live in notifications/.)
export * from './ecpay-callback.exception.js';
export * from './ecpay-callback-exception.filter.js';
export * from './ecpay-check-mac.guard.js';
export * from './ecpay-envelope.guard.js';
export * from './ecpay-callback.decorators.js';
export { getVerifiedEcpayEnvelope, getVerifiedEcpayForm } from './ecpay-callback-request.js';
export type {
  EcpayCallbackRequest,
  EcpayOpenedEnvelope,
  VerifiedEcpayEnvelope,
  VerifiedEcpayForm,
} from './ecpay-callback-request.js';
export { DEFAULT_CALLBACK_BODY_LIMIT } from './ecpay-form-body.js';
export {
  EcpayTicketGuard,
  getVerifiedEcpayTicket,
  type VerifiedEcpayTicketNotification,
} from './ecpay-ticket.guard.js';
export { ecpayTicketAck, type EcpayTicketAck } from './ecpay-ticket-ack.js';
export type { EcpayCallbacksConfig } from './ecpay-callbacks.controller.js';
