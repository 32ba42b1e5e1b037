import type { ValueTransformer } from 'typeorm';

/**
 * How an event's `data` is kept in `ecpay_notification.event_data`: JSON, except for the values JSON cannot carry
 * back. Dates (PaymentDate, TradeDate, …) would come back as strings and NaN (a reconciliation answer's RtnCode) as
 * null, so each is stored as a one-key tag — `{"$date": "2026-12-01T02:00:00.000Z"}`, `{"$number": "NaN"}` — and
 * revived on read. Any other object value is wrapped as `{"$json": …}`, so a stored object is always a tag and a
 * value can never be mistaken for one.
 */
export type StoredEventData = Record<string, StoredEventValue>;
type StoredEventValue =
  | string
  | number
  | boolean
  | null
  | { readonly $date: string | null }
  | { readonly $number: string }
  | { readonly $json: unknown };

/** The data as stored; keys whose value is `undefined` are left out, as JSON would. */
export function storeEventData(data: Readonly<Record<string, unknown>>): StoredEventData {
  const stored: StoredEventData = {};
  for (const [name, value] of Object.entries(data)) {
    if (value !== undefined) stored[name] = storeValue(value);
  }
  return stored;
}

/** The data as it was before {@link storeEventData}: Dates as Dates, NaN and ±Infinity as numbers. */
export function reviveEventData(stored: Readonly<StoredEventData>): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(stored)) data[name] = reviveValue(value);
  return data;
}

function storeValue(value: unknown): StoredEventValue {
  if (value instanceof Date) return { $date: Number.isNaN(value.getTime()) ? null : value.toISOString() };
  if (typeof value === 'number') return Number.isFinite(value) ? value : { $number: String(value) };
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  return { $json: value };
}

function reviveValue(value: StoredEventValue): unknown {
  if (value === null || typeof value !== 'object') return value;
  if ('$date' in value) return new Date(value.$date ?? Number.NaN);
  if ('$number' in value) return Number(value.$number);
  return value.$json;
}

/** The column's transformer: the entity holds the live data, the database its tagged JSON (a `simple-json` column). */
export const STORED_EVENT_DATA: ValueTransformer = {
  to: (data: Record<string, unknown> | null | undefined) => (data == null ? data : storeEventData(data)),
  from: (stored: StoredEventData | null | undefined) => (stored == null ? null : reviveEventData(stored)),
};
