import type { EcpayNotification } from '../persistence/ecpay-notification.entity.js';
import { eventDataOf, eventFieldsOf } from './notification-event-data.js';

/**
 * LEGACY: the event data of an inbox row stored before migration 1795700000000 added `event_data` (the column is
 * null). Such a row was never normalised when it was received, so its data is built here from the raw `payload`,
 * exactly as the dispatcher built every event before — the same fields, values and types handlers got then. Rows
 * stored since carry their data and never come here. Remove once no supported version leaves such rows pending.
 */
export function legacyEventData(row: EcpayNotification): Record<string, unknown> {
  return eventDataOf(row.kind, row.outcome, eventFieldsOf(row.kind, row.payload ?? {}));
}
