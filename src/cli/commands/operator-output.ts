import type { EcpayNotification } from '../../persistence/ecpay-notification.entity.js';
import type { EcpayTradeAction } from '../../persistence/ecpay-trade-action.entity.js';
import { formatEcpayDateTime } from '../../time/ecpay-time.js';

/** Times as an operator compares them with ECPay's back office: Asia/Taipei, whatever the machine's TZ. */
export const taipei = (date: Date | null | undefined): string => (date ? `${formatEcpayDateTime(date)} +08:00` : '-');

/** Columns padded to their widest cell; the last one is left ragged. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

const oneLine = (text: string | null, max = 60): string => {
  if (!text) return '-';
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

export function eventsTable(events: readonly EcpayNotification[]): string {
  return table(
    ['ID', 'STATUS', 'ATTEMPTS', 'EVENT', 'MERCHANT', 'TRADE NO', 'RECEIVED (Asia/Taipei)', 'LAST ERROR'],
    events.map((event) => [
      event.id,
      event.dispatchStatus,
      String(event.attempts),
      event.eventName ?? '-',
      event.merchantId,
      event.merchantTradeNo,
      taipei(event.receivedAt),
      oneLine(event.lastError),
    ]),
  );
}

/**
 * One event in full. The payload is printed as ECPay posted it, CheckMacValue included: that value is a one-way
 * digest which reveals neither key (ECPay sends it over the internet in every notification), and with it an operator
 * can re-check the notification with `ecpay verify`. Card fields in ECPay's notifications are masked digits
 * (card4no/card6no); card numbers and CVV never reach the inbox.
 */
export function eventDetail(event: EcpayNotification): string {
  const fields: [string, string][] = [
    ['id', event.id],
    ['event', event.eventName ?? '- (this notification raises no event)'],
    ['status', event.dispatchStatus],
    ['attempts', String(event.attempts)],
    ['last error', event.lastError ?? '-'],
    ['handlers done', event.completedHandlers?.length ? event.completedHandlers.join(', ') : '-'],
    ['next attempt', taipei(event.nextAttemptAt)],
    ['leased until', event.lockedUntil ? `${taipei(event.lockedUntil)} by ${event.lockedBy ?? '?'}` : '-'],
    ['kind', event.kind],
    ['outcome', event.outcome],
    ['merchant', event.merchantId],
    ['trade no', event.merchantTradeNo],
    ['trade id', event.tradeId ?? '- (orphan)'],
    ['received', taipei(event.receivedAt)],
  ];
  const width = Math.max(...fields.map(([name]) => name.length));
  return (
    fields.map(([name, value]) => `${`${name}:`.padEnd(width + 1)} ${value}`).join('\n') +
    `\npayload:\n${JSON.stringify(event.payload, null, 2)}\n`
  );
}

export function actionsTable(actions: readonly EcpayTradeAction[]): string {
  return table(
    ['ID', 'STATUS', 'OPERATION', 'ACTION', 'AMOUNT', 'MERCHANT', 'TRADE NO', 'REQUESTED (Asia/Taipei)', 'ERROR'],
    actions.map((action) => [
      action.id,
      action.status,
      action.operation,
      action.action,
      action.amount === null ? '-' : String(action.amount),
      action.merchantId,
      action.merchantTradeNo,
      taipei(action.requestedAt),
      oneLine(action.error),
    ]),
  );
}

/** JSON for scripts: one array, dates as ISO instants. */
export const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
