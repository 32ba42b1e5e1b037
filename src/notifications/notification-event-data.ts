import type { EcpayNotificationKind, EcpayNotificationOutcome } from '../persistence/ecpay-notification.entity.js';
import {
  normalizeNotification,
  type EcpayFormNotification,
  type EcpayFormNotificationKind,
} from './normalize-notification.js';

const FORM_KINDS: ReadonlySet<string> = new Set<EcpayFormNotificationKind>([
  'aio-return',
  'period-return',
  'payment-info',
]);

/** The fields of a notification normalised at the edge, as its event carries them: everything but `raw`. */
export function normalizedEventFields(notification: EcpayFormNotification): Record<string, unknown> {
  const { raw: _raw, ...fields } = notification;
  return fields;
}

/**
 * The normalised fields of a notification handed over as raw verified fields (`EcpayNotificationService.receive`),
 * built once where it is received. A form notification gets what its DTO validates (numbers, booleans, Asia/Taipei
 * dates); fields that do not fit its schema, and everything that never had a DTO (JSON envelopes, reconciliation
 * answers, operations, bindings, BackAuth, ticket refunds), get RtnCode and their amounts as numbers at least.
 */
export function eventFieldsOf(
  kind: EcpayNotificationKind,
  payload: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  if (FORM_KINDS.has(kind)) {
    try {
      return normalizedEventFields(
        normalizeNotification(kind as EcpayFormNotificationKind, payload as Record<string, string>),
      );
    } catch {
      // Written by code other than the callback routes: the minimal form below.
    }
  }
  return { RtnCode: Number(payload.RtnCode), ...amounts(payload) };
}

/** An event's `data`: which notification it was, what it did, and its normalised fields. */
export function eventDataOf(
  kind: EcpayNotificationKind,
  outcome: EcpayNotificationOutcome,
  fields: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  return { kind, outcome, ...fields };
}

/** Amounts as numbers, under ECPay's own names like the DTOs use. */
function amounts(payload: Readonly<Record<string, unknown>>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const name of ['TradeAmt', 'Amount', 'PaymentTypeChargeFee', 'TotalSuccessTimes']) {
    if (payload[name] !== undefined && payload[name] !== '' && Number.isFinite(Number(payload[name])))
      result[name] = Number(payload[name]);
  }
  return result;
}
