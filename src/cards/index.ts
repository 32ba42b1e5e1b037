// The cards concern: EcpayCardsService (bind a card, pay with it) and its inputs and results.
export { EcpayCardsService } from './ecpay-cards.service.js';
export type * from './ecpay-cards.interface.js';
