import type { ServerResponse } from 'node:http';
import type { EcpayCallbackRequest } from '../callbacks/ecpay-callback-request.js';
import { readFormFields } from '../callbacks/ecpay-form-body.js';
import type { SandboxReply } from './sandbox-response.js';

/** The request parts the sandbox reads: the library's callback request shape (headers, parsed and raw body). */
export type SandboxRequest = EcpayCallbackRequest;

/** Express's response is a Node `ServerResponse`; Fastify's reply carries one as `raw`. */
export type SandboxResponse = ServerResponse | { readonly raw: ServerResponse };

const FORM_LIMIT = 256 * 1024;

/**
 * The form fields of a request, decoded exactly as ECPay decodes them (from the raw bytes when the app keeps them,
 * else from a flat parsed body); `undefined` for anything that is not a well-formed UTF-8 form.
 */
export function readForm(request: SandboxRequest): Record<string, string> | undefined {
  try {
    return readFormFields(request, FORM_LIMIT);
  } catch {
    return undefined;
  }
}

/** A JSON or form body of the control API as a flat record (values of any type). */
export function readControlBody(request: SandboxRequest): Record<string, unknown> {
  const body = request.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/**
 * Writes a reply on the Node response itself. The sandbox decides status, Content-Type and Location per answer
 * (an error page, a 302, a 403 fault), which Nest's return-value path would overwrite with the route's default.
 */
export function send(response: SandboxResponse, reply: SandboxReply): void {
  const raw = 'raw' in response ? response.raw : response;
  raw.statusCode = reply.status;
  raw.setHeader('Content-Type', reply.contentType);
  raw.setHeader('Cache-Control', 'no-store');
  if (reply.location) raw.setHeader('Location', reply.location);
  raw.end(reply.body);
}

/** Whether the client asked for text rather than a page (`Accept: text/plain` without text/html). */
export function wantsText(request: SandboxRequest): boolean {
  const accept = String(request.headers.accept ?? '');
  return accept.includes('text/plain') && !accept.includes('text/html');
}

/**
 * The JSON body of an API request: what Nest's JSON parser made of it, else the raw bytes parsed here (a client that
 * sent JSON under another Content-Type); `undefined` when it is not JSON.
 */
export function readJsonBody(request: SandboxRequest): unknown {
  const body = request.body;
  if (typeof body === 'object' && body !== null && Object.keys(body).length > 0) return body;
  if (request.rawBody && request.rawBody.length > 0) {
    try {
      return JSON.parse(request.rawBody.toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  }
  return body;
}

/**
 * `http://host:port` as the client reached the sandbox (X-Forwarded-Proto / -Host first, as behind a proxy), for the
 * absolute URLs ECPay answers with (BackAuth's ThreeDURL).
 */
export function requestOrigin(request: SandboxRequest): string {
  const first = (value: string | string[] | undefined): string | undefined =>
    (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim() || undefined;
  const proto = first(request.headers['x-forwarded-proto']) === 'https' ? 'https' : 'http';
  const host = first(request.headers['x-forwarded-host']) ?? first(request.headers.host) ?? '127.0.0.1';
  return `${proto}://${host}`;
}
