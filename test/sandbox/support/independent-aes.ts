import { createCipheriv, createDecipheriv } from 'node:crypto';
import { STAGE } from './sandbox-http.js';

/**
 * ECPay's AES envelope (docs/protocol.md §3) written from the protocol text alone — node:crypto and a hand-written PHP
 * urlencode / urldecode, never the library's code — so a bug shared by the library's encrypt and decrypt (which the
 * sandbox uses) cannot hide behind a round trip.
 */

export interface Keys {
  readonly merchantId: string;
  readonly hashKey: string;
  readonly hashIv: string;
}

/** PHP `urlencode`: keep `A-Z a-z 0-9 _ . -`, space → `+`, every other UTF-8 byte → `%XX`. */
function urlencode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9_.-]/.test(c)) out += c;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** PHP `urldecode`: `+` is a space, `%XX` a byte in either hex case; the bytes are UTF-8. */
function urldecode(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '+') bytes.push(0x20);
    else if (text[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(text[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

export function aesEncrypt(value: unknown, keys: Pick<Keys, 'hashKey' | 'hashIv'> = STAGE): string {
  const cipher = createCipheriv('aes-128-cbc', Buffer.from(keys.hashKey, 'latin1'), Buffer.from(keys.hashIv, 'latin1'));
  return Buffer.concat([cipher.update(urlencode(JSON.stringify(value)), 'latin1'), cipher.final()]).toString('base64');
}

export function aesDecrypt<T = Record<string, unknown>>(
  data: string,
  keys: Pick<Keys, 'hashKey' | 'hashIv'> = STAGE,
): T {
  const decipher = createDecipheriv(
    'aes-128-cbc',
    Buffer.from(keys.hashKey, 'latin1'),
    Buffer.from(keys.hashIv, 'latin1'),
  );
  return JSON.parse(
    urldecode(Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('latin1')),
  ) as T;
}

/** A request envelope around `data`; `timestamp` defaults to now. */
export function requestEnvelope(
  data: unknown,
  keys: Keys = STAGE,
  timestamp = Math.floor(Date.now() / 1000),
): Record<string, unknown> {
  return { MerchantID: keys.merchantId, RqHeader: { Timestamp: timestamp }, Data: aesEncrypt(data, keys) };
}

/** An answer or notification envelope as posted. */
export interface ResponseEnvelope {
  MerchantID: string;
  RpHeader: { Timestamp: number };
  TransCode: number;
  TransMsg: string;
  Data: string;
}

/** POSTs an envelope as JSON and returns the HTTP status and the answer envelope (when the answer is JSON). */
export async function postEnvelope(
  url: string,
  body: unknown,
  contentType = 'application/json',
): Promise<{ status: number; envelope?: ResponseEnvelope; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let envelope: ResponseEnvelope | undefined;
  try {
    envelope = JSON.parse(text) as ResponseEnvelope;
  } catch {
    envelope = undefined;
  }
  return { status: response.status, envelope, text };
}
