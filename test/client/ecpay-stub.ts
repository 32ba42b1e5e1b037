import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A loopback stand-in for ECPay's servers, for the client's tests. It signs and encrypts with its OWN small
 * implementation of ECPay's rules (node:crypto + a hand-written .NET URL encoder), never the library's, so a bug
 * shared by signer and verifier cannot hide: the library must agree with an independent reading of docs/protocol.md.
 */

export interface StubKeys {
  readonly hashKey: string;
  readonly hashIv: string;
}

/**
 * .NET `HttpUtility.UrlEncode` (docs/protocol.md §2.1): keep A-Z a-z 0-9 and `-_.!*()`, space → `+`, else `%xx` per
 * UTF-8 byte.
 */
export function dotNetUrlEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/^[A-Za-z0-9\-_.!*()]$/.test(c)) out += c;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/**
 * CheckMacValue (docs/protocol.md §1.1, SHA256): sorted case-insensitively, `HashKey=…&k=v…&HashIV=…`, encode, lower,
 * hash, upper.
 */
export function stubCheckMac(fields: Readonly<Record<string, string>>, keys: StubKeys): string {
  const names = Object.keys(fields)
    .filter((name) => name !== 'CheckMacValue')
    .sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0));
  const raw = `HashKey=${keys.hashKey}&${names.map((name) => `${name}=${fields[name]}`).join('&')}&HashIV=${keys.hashIv}`;
  return createHash('sha256').update(dotNetUrlEncode(raw).toLowerCase(), 'latin1').digest('hex').toUpperCase();
}

/** Adds a CheckMacValue. */
export const stubSign = (fields: Record<string, string>, keys: StubKeys): Record<string, string> => ({
  ...fields,
  CheckMacValue: stubCheckMac(fields, keys),
});

/** ECPay's raw `k=v&k=v` answer: values written as they are, NOT URL-encoded (docs/protocol.md §2.4). */
export const rawKeyValue = (fields: Record<string, string>): string =>
  Object.entries(fields)
    .map(([name, value]) => `${name}=${value}`)
    .join('&');

/**
 * AES-128-CBC of the URL-encoded JSON (docs/protocol.md §3.1), with JavaScript's own encoder (not the library's PHP
 * one).
 */
export function stubEncrypt(value: unknown, keys: StubKeys): string {
  const cipher = createCipheriv('aes-128-cbc', Buffer.from(keys.hashKey, 'latin1'), Buffer.from(keys.hashIv, 'latin1'));
  return Buffer.concat([cipher.update(encodeURIComponent(JSON.stringify(value)), 'latin1'), cipher.final()]).toString(
    'base64',
  );
}

export function stubDecrypt(data: string, keys: StubKeys): unknown {
  const decipher = createDecipheriv(
    'aes-128-cbc',
    Buffer.from(keys.hashKey, 'latin1'),
    Buffer.from(keys.hashIv, 'latin1'),
  );
  const plain = Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('latin1');
  return JSON.parse(decodeURIComponent(plain.replaceAll('+', ' ')));
}

/** One request as the stub received it. */
export interface StubRequest {
  readonly path: string;
  readonly contentType: string;
  readonly body: string;
  /** Form-decoded fields of a form POST (requests ARE form-encoded; only ECPay's answers are raw). */
  readonly form?: Record<string, string>;
  /** The parsed JSON body of a JSON POST. */
  readonly json?: Record<string, unknown>;
}

/** What a route answers: a body (status 200 unless given), or a misbehaviour. */
export type StubReply =
  | { status?: number; body: string | Buffer; contentType?: string }
  /** Never answers (the client's timeout must fire). */
  | 'hang'
  /** Destroys the connection after reading the request. */
  | 'reset';

export type StubRoute = (request: StubRequest) => StubReply;

export class EcpayStub {
  readonly requests: StubRequest[] = [];
  private readonly routes = new Map<string, StubRoute>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<EcpayStub> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const stub = new EcpayStub(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req, res) => void stub.handle(req, res));
    server.on('connection', (socket) => {
      stub.sockets.add(socket);
      socket.on('close', () => stub.sockets.delete(socket));
    });
    return stub;
  }

  on(path: string, route: StubRoute): this {
    this.routes.set(path, route);
    return this;
  }

  /** Requests received on a path. */
  count(path?: string): number {
    return path === undefined ? this.requests.length : this.requests.filter((request) => request.path === path).length;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', 'http://stub').pathname;
    const contentType = req.headers['content-type'] ?? '';
    const request: StubRequest = {
      path,
      contentType,
      body,
      ...(contentType.startsWith('application/x-www-form-urlencoded')
        ? { form: Object.fromEntries(new URLSearchParams(body)) }
        : {}),
      ...(contentType.startsWith('application/json') ? { json: JSON.parse(body) as Record<string, unknown> } : {}),
    };
    this.requests.push(request);
    const route = this.routes.get(path);
    const reply: StubReply = route ? route(request) : { status: 404, body: 'no such path' };
    if (reply === 'hang') return;
    if (reply === 'reset') {
      req.socket.destroy();
      return;
    }
    res.writeHead(reply.status ?? 200, { 'content-type': reply.contentType ?? 'text/html; charset=utf-8' });
    res.end(reply.body);
  }
}

/** A clock the test moves by hand. */
export class MovableClock {
  constructor(private time: number) {}
  now = (): Date => new Date(this.time);
  advance(ms: number): void {
    this.time += ms;
  }
}
