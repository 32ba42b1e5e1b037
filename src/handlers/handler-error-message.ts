import type { EcpayEvent } from './ecpay-event.interface.js';
import { MAX_HANDLER_ERROR_LENGTH } from './ecpay-handlers.constants.js';

const REDACTED = '[redacted]';
/** Shorter payload values ('1', 'aio', 'TWD') are too common to mask without garbling every message. */
const MIN_REDACTED_LENGTH = 4;
const MAX_DEPTH = 4;
const MAX_VALUES = 1_000;

/**
 * The text a dispatch report and a log line keep of a handler's failure: the error's message only (never its stack,
 * cause or extra properties), with every string value of the event's payload and data masked — a handler that wrote
 * `new Error(\`no order for ${event.raw.CustomField1}\`)` must not leak personal data into logs — and truncated to
 * 500 characters.
 */
export function handlerErrorMessage(error: unknown, event: EcpayEvent<object>): string {
  let message: string;
  if (error instanceof Error)
    message =
      typeof error.message === 'string' && error.message !== '' ? error.message : `${error.name} without a message`;
  else if (typeof error === 'string') message = error;
  // Not String(error): a thrown object's toString may print exactly the data we must not log.
  else message = `A non-Error value was thrown (${error === null ? 'null' : typeof error})`;
  return truncate(redact(message, payloadStrings(event)), MAX_HANDLER_ERROR_LENGTH);
}

function payloadStrings(event: EcpayEvent<object>): string[] {
  const found = new Set<string>();
  const visit = (value: unknown, depth: number): void => {
    if (found.size >= MAX_VALUES) return;
    if (typeof value === 'string') {
      if (value.trim().length >= MIN_REDACTED_LENGTH) found.add(value);
    } else if (value !== null && typeof value === 'object' && !(value instanceof Date) && depth < MAX_DEPTH) {
      for (const item of Array.isArray(value) ? value : Object.values(value)) visit(item, depth + 1);
    }
  };
  visit(event.raw, 0);
  visit(event.data, 0);
  // Longest first, so a value containing another is masked whole.
  return [...found].sort((a, b) => b.length - a.length);
}

function redact(message: string, secrets: readonly string[]): string {
  let result = message;
  for (const secret of secrets) if (result.includes(secret)) result = result.split(secret).join(REDACTED);
  return result;
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  // Never leave half a surrogate pair (an emoji, a rare CJK character) at the end.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}
