export { ECPAY_EVENT_HANDLER_METADATA } from '../tokens/ecpay.tokens.js';

export { ECPAY_EVENT_BUS_OPTIONS } from '../tokens/ecpay.tokens.js';

/** How long one handler may run for one event before it counts as failed (30 s). */
export const DEFAULT_HANDLER_TIMEOUT_MS = 30_000;

/** The longest `setTimeout` delay Node honours; a larger one fires at once. */
export const MAX_HANDLER_TIMEOUT_MS = 2_147_483_647;

/** Longest error text kept in a dispatch report or a log line. */
export const MAX_HANDLER_ERROR_LENGTH = 500;
