import { computeCheckMacValue, type EcpayKeys } from '../signing/check-mac-value.js';

/**
 * ECPay's `k=v&k=v` answer of the form APIs: values written raw, NOT URL-encoded (Chinese, spaces and `+` as they
 * are), and the CheckMacValue computed over those raw values (docs/protocol.md §2.4). A client that form-decodes this
 * breaks on `+` and `%`, exactly as it would against ECPay.
 */
export function signedKeyValues(fields: Readonly<Record<string, string>>, keys: EcpayKeys): string {
  const signed = { ...fields, CheckMacValue: computeCheckMacValue(fields, keys) };
  return Object.entries(signed)
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** An answer of a sandbox route: status, content type and body. */
export interface SandboxReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly location?: string;
}

export const TEXT = 'text/plain; charset=utf-8';
export const HTML = 'text/html; charset=utf-8';
export const JSON_TYPE = 'application/json; charset=utf-8';

export const textReply = (body: string, status = 200): SandboxReply => ({ status, contentType: TEXT, body });
export const htmlReply = (body: string, status = 200): SandboxReply => ({ status, contentType: HTML, body });
export const jsonReply = (value: unknown, status = 200): SandboxReply => ({
  status,
  contentType: JSON_TYPE,
  body: JSON.stringify(value),
});
export const redirectReply = (location: string, status = 302): SandboxReply => ({
  status,
  contentType: TEXT,
  body: `Redirecting to ${location}`,
  location,
});
