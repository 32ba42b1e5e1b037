import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** ECPay's public stage merchant (docs/protocol.md §4.3), the sandbox's default. */
export const STAGE = { merchantId: '3002607', hashKey: 'pwFHCqoQZGmho4w6', hashIv: 'EkRm7iFT261dpevs' } as const;

/**
 * CheckMacValue written from docs/protocol.md §1.1 and §2.1 alone (not the library's code): if the sandbox's answers
 * verify with this, they verify with what ECPay's clients compute.
 */
export function independentMac(
  fields: Record<string, string>,
  keys: { hashKey: string; hashIv: string } = STAGE,
): string {
  const names = Object.keys(fields)
    .filter((name) => name !== 'CheckMacValue')
    .sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0));
  const raw = `HashKey=${keys.hashKey}&${names.map((name) => `${name}=${fields[name]}`).join('&')}&HashIV=${keys.hashIv}`;
  const encoded = encodeURIComponent(raw).replace(/%20/g, '+').replace(/'/g, '%27').replace(/~/g, '%7e').toLowerCase();
  return createHash('sha256').update(encoded).digest('hex').toUpperCase();
}

export const signed = (
  fields: Record<string, string>,
  keys: { hashKey: string; hashIv: string } = STAGE,
): Record<string, string> => {
  const { CheckMacValue: _old, ...rest } = fields;
  return { ...rest, CheckMacValue: independentMac(rest, keys) };
};

/** Splits ECPay's `k=v&k=v` answer on `&` and the first `=`, without decoding (docs/protocol.md §2.4). */
export function parseKeyValues(text: string): Record<string, string> {
  return Object.fromEntries(
    text.split('&').map((pair) => {
      const at = pair.indexOf('=');
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}

/** A form of an HTML page: where it posts and every named input (values unescaped). */
export interface PageForm {
  action: string;
  fields: Record<string, string>;
}

const unescape = (text: string): string =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** Finds a form by id in a page, as a browser would see it. */
export function formById(html: string, id: string): PageForm {
  const match = new RegExp(`<form[^>]*id="${id}"[^>]*>([\\s\\S]*?)</form>`).exec(html);
  if (!match) throw new Error(`no form #${id} in the page:\n${html.slice(0, 2000)}`);
  const action = /action="([^"]*)"/.exec(match[0])![1]!;
  const fields: Record<string, string> = {};
  for (const input of match[1]!.matchAll(/<input[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1];
    const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
    if (name !== undefined) fields[unescape(name)] = unescape(value);
  }
  return { action: unescape(action), fields };
}

/** A plain-HTTP browser: form posts, no automatic redirects (tests follow them to see each step). */
export async function postForm(
  url: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual', headers });
}

export async function get(url: string): Promise<Response> {
  return fetch(url, { redirect: 'manual' });
}

/** Absolute URL of a path the sandbox answered with (Location, form action). */
export const absolute = (base: string, path: string): string => new URL(path, base).href;

/** One notification the receiver got. */
export interface Received {
  path: string;
  /** The body read as a form (meaningless for a JSON post: read `body`). */
  fields: Record<string, string>;
  /** The body as text. */
  body: string;
  contentType: string | undefined;
}

/**
 * The merchant's server: records every post (form or JSON) and answers what `respond` says (default `1|OK`). Runs on
 * 127.0.0.1 at a free port.
 */
export class Receiver {
  readonly received: Received[] = [];
  respond: (request: Received, index: number) => { status?: number; body: string; delayMs?: number } = () => ({
    body: '1|OK',
  });
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  on(path: string): Received[] {
    return this.received.filter((request) => request.path === path);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const request: Received = {
      path: req.url ?? '',
      fields: Object.fromEntries(new URLSearchParams(body)),
      body,
      contentType: req.headers['content-type'],
    };
    const index = this.received.length;
    this.received.push(request);
    const answer = this.respond(request, index);
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    res.statusCode = answer.status ?? 200;
    res.setHeader('Content-Type', 'text/plain');
    res.end(answer.body);
  }
}

/** Polls until `check` holds (notifications arrive asynchronously). */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('waitFor: timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
