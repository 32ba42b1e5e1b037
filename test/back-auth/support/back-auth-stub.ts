import { createCipheriv, createDecipheriv } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';

/**
 * A loopback stand-in for ECPay's BackAuth and QueryTrade (docs/protocol.md §3, §7.6, §7.7). Its AES envelope is an
 * INDEPENDENT implementation — node:crypto plus a hand-written PHP `urlencode` — and never the library's, so a bug
 * shared by the library's encrypt and decrypt cannot hide behind a round trip.
 */

export interface StubKeys {
  readonly merchantId: string;
  readonly hashKey: string;
  readonly hashIv: string;
}

/** ECPay's public stage merchant (docs/protocol.md §4.3). */
export const STAGE_KEYS: StubKeys = { merchantId: '3002607', hashKey: 'pwFHCqoQZGmho4w6', hashIv: 'EkRm7iFT261dpevs' };

/**
 * PHP `urlencode` (docs/protocol.md §2.2): keep `A-Z a-z 0-9 _ . -`, space → `+`, every other UTF-8 byte → `%XX`
 * upper-case.
 */
export function phpUrlEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    if (
      (byte >= 0x30 && byte <= 0x39) ||
      (byte >= 0x41 && byte <= 0x5a) ||
      (byte >= 0x61 && byte <= 0x7a) ||
      byte === 0x5f ||
      byte === 0x2e ||
      byte === 0x2d
    ) {
      out += String.fromCharCode(byte);
    } else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** PHP `urldecode`: `+` is a space, `%XX` a byte (either hex case), then the bytes are UTF-8. */
export function phpUrlDecode(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '+') bytes.push(0x20);
    else if (c === '%' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** base64(AES-128-CBC/PKCS7(urlencode(jsonText))) with the 16 ASCII bytes of HashKey/HashIV. */
export function stubEncryptText(jsonText: string, keys: Pick<StubKeys, 'hashKey' | 'hashIv'>): string {
  const cipher = createCipheriv('aes-128-cbc', Buffer.from(keys.hashKey, 'latin1'), Buffer.from(keys.hashIv, 'latin1'));
  return Buffer.concat([cipher.update(phpUrlEncode(jsonText), 'latin1'), cipher.final()]).toString('base64');
}

/** The URL-encoded plaintext inside `Data` (before URL-decoding). */
export function stubDecryptRaw(data: string, keys: Pick<StubKeys, 'hashKey' | 'hashIv'>): string {
  const decipher = createDecipheriv(
    'aes-128-cbc',
    Buffer.from(keys.hashKey, 'latin1'),
    Buffer.from(keys.hashIv, 'latin1'),
  );
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('latin1');
}

export const stubDecryptText = (data: string, keys: Pick<StubKeys, 'hashKey' | 'hashIv'>): string =>
  phpUrlDecode(stubDecryptRaw(data, keys));

/** One request as the stub received it, decrypted. */
export interface StubCall {
  readonly path: string;
  readonly envelope: Record<string, unknown>;
  readonly data: Record<string, unknown>;
}

/** How the stub answers BackAuth. */
export type BackAuthBehaviour =
  | 'authorize'
  | 'three-d-secure'
  | 'decline'
  /** TransCode ≠ 1: "ECPay" could not read the envelope. */
  | 'trans-code-error'
  /** Authorizes, then never answers (the client's timeout fires). */
  | 'authorize-then-hang'
  /** Authorizes, then destroys the connection. */
  | 'authorize-then-reset';

export const BACK_AUTH_PATH = '/1.0.0/Cashier/BackAuth';
export const QUERY_TRADE_PATH = '/1.0.0/Cashier/QueryTrade';

/** The stub's own "order not found" code (the real one is not documented in our sources). */
export const STUB_NOT_FOUND = 10200047;
export const STUB_DECLINED = 10100248;

export class BackAuthStub {
  readonly calls: StubCall[] = [];
  /** Authorized trades by MerchantTradeNo, with the CardInfo to report. */
  readonly trades = new Map<string, { amount: number; card6: string; card4: string; tradeNo: string }>();
  backAuth: BackAuthBehaviour = 'authorize';
  /** `not-found`: QueryTrade answers "no such order" even for a trade it authorized (ECPay not caught up yet). */
  queryTrade: 'answer' | 'not-found' = 'answer';
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private tradeCounter = 0;

  constructor(readonly keys: StubKeys = STAGE_KEYS) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => void this.handle(request, response));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  count(path: string): number {
    return this.calls.filter((call) => call.path === path).length;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let envelope: Record<string, unknown>;
    let data: Record<string, unknown>;
    try {
      envelope = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      data = JSON.parse(stubDecryptText(String(envelope.Data), this.keys)) as Record<string, unknown>;
    } catch {
      // Not a JSON API call (e.g. an AIO form post): this stub only serves BackAuth and QueryTrade.
      response.writeHead(404).end();
      return;
    }
    const path = request.url ?? '';
    this.calls.push({ path, envelope, data });
    if (path === BACK_AUTH_PATH) return this.answerBackAuth(data, response);
    if (path === QUERY_TRADE_PATH) return this.reply(response, this.answerQuery(data));
    response.writeHead(404).end();
  }

  private answerBackAuth(data: Record<string, unknown>, response: ServerResponse): void {
    const order = data.OrderInfo as Record<string, unknown>;
    const card = data.CardInfo as Record<string, unknown>;
    const merchantTradeNo = String(order.MerchantTradeNo);
    const cardNo = String(card.CardNo);
    switch (this.backAuth) {
      case 'decline':
        return this.reply(response, {
          RtnCode: STUB_DECLINED,
          RtnMsg: '授權失敗 (stub)',
          PlatformID: '',
          MerchantID: this.keys.merchantId,
          MerchantTradeNo: merchantTradeNo,
        });
      case 'three-d-secure':
        return this.reply(response, {
          RtnCode: 1,
          RtnMsg: 'Success',
          PlatformID: '',
          MerchantID: this.keys.merchantId,
          MerchantTradeNo: merchantTradeNo,
          ThreeDURL: `https://3d.stub.test/acs?order=${merchantTradeNo}`,
        });
      case 'trans-code-error':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            MerchantID: this.keys.merchantId,
            RpHeader: { Timestamp: 1741764623 },
            TransCode: 999,
            TransMsg: 'Fail (stub)',
          }),
        );
        return;
      default:
    }
    const trade = {
      amount: Number(order.TotalAmount),
      card6: cardNo.slice(0, 6),
      card4: cardNo.slice(-4),
      tradeNo: `2503121530${String(++this.tradeCounter).padStart(6, '0')}`,
    };
    this.trades.set(merchantTradeNo, trade);
    if (this.backAuth === 'authorize-then-hang') return; // the socket is destroyed by stop()
    if (this.backAuth === 'authorize-then-reset') {
      destroySocket(response);
      return;
    }
    this.reply(response, this.authorizedData(merchantTradeNo));
  }

  private answerQuery(data: Record<string, unknown>): Record<string, unknown> {
    const merchantTradeNo = String(data.MerchantTradeNo);
    if (!this.trades.has(merchantTradeNo) || this.queryTrade === 'not-found') {
      return { RtnCode: STUB_NOT_FOUND, RtnMsg: '查無此筆交易 (stub)', MerchantID: this.keys.merchantId };
    }
    return this.authorizedData(merchantTradeNo);
  }

  /**
   * ECPay's BackAuth "not using 3DS" Data example, as valid JSON (the page's has a missing comma and trailing commas).
   */
  authorizedData(merchantTradeNo: string): Record<string, unknown> {
    const trade = this.trades.get(merchantTradeNo)!;
    return {
      RtnCode: 1,
      RtnMsg: 'Success',
      MerchantID: this.keys.merchantId,
      CardInfo: {
        Card6No: trade.card6,
        Card4No: trade.card4,
        IssuingBank: '中國信託商業銀行',
        'IssuingBankCode ': '822',
        AuthCode: '654123',
        Gwsr: 125,
        ProcessDate: '2025/03/12 15:30:25',
        Amount: trade.amount,
        Eci: 1,
      },
      OrderInfo: {
        MerchantTradeNo: merchantTradeNo,
        TradeNo: trade.tradeNo,
        PaymentDate: '2025/03/12 15:30:25',
        TradeAmt: trade.amount,
        PaymentType: 'Credit',
        TradeDate: '2025/03/12 15:30:23',
        ChargeFee: 0,
        TradeStatus: '1',
      },
    };
  }

  private reply(response: ServerResponse, data: Record<string, unknown>): void {
    const body = {
      MerchantID: this.keys.merchantId,
      RpHeader: { Timestamp: 1741764623 },
      TransCode: 1,
      TransMsg: 'Success',
      Data: stubEncryptText(JSON.stringify(data), this.keys),
    };
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  }
}

function destroySocket(response: ServerResponse): void {
  response.socket?.destroy();
}

/** A TCP port on 127.0.0.1 with nothing listening (bound, then released): connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
