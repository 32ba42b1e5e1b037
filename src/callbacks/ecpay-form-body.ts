import { EcpayCallbackException } from './ecpay-callback.exception.js';
import { logSafe, type EcpayCallbackRequest } from './ecpay-callback-request.js';

/** The largest callback body the guards read by default: ECPay's notifications are a few hundred bytes. */
export const DEFAULT_CALLBACK_BODY_LIMIT = 64 * 1024;

export const FORM_URLENCODED = 'application/x-www-form-urlencoded';
export const APPLICATION_JSON = 'application/json';

/** The media type (lower-case) and charset of a Content-Type header; `undefined` when there is none. */
export function parseContentType(header: unknown): { mediaType: string; charset: string | undefined } | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const [type, ...parameters] = value.split(';');
  let charset: string | undefined;
  for (const parameter of parameters) {
    const equals = parameter.indexOf('=');
    if (equals < 0 || parameter.slice(0, equals).trim().toLowerCase() !== 'charset') continue;
    charset = parameter
      .slice(equals + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
  }
  return { mediaType: type!.trim().toLowerCase(), charset };
}

/** Whether the request says it carries a UTF-8 `application/x-www-form-urlencoded` body. */
export function isFormRequest(request: EcpayCallbackRequest): boolean {
  const type = parseContentType(request.headers['content-type']);
  return type?.mediaType === FORM_URLENCODED && (type.charset === undefined || type.charset === 'utf-8');
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// A `%` that does not start a two-digit hex escape. URLSearchParams would keep it literally and qs would leave the
// whole value undecoded; a conforming encoder (ECPay's) never emits one, so it is refused rather than guessed at.
const STRAY_PERCENT = /%(?![0-9A-Fa-f]{2})/;

/**
 * Parses a raw `application/x-www-form-urlencoded` body with form semantics (`+` is a space, `%XX` are UTF-8
 * bytes), exactly as `URLSearchParams` does, into a flat record of every field, empty values kept. Stricter than
 * `URLSearchParams` where it would otherwise have to guess: throws {@link EcpayCallbackException} for a body over
 * `maxBytes` (`Body too large`), and for a repeated field name, an empty field name, bytes that are not UTF-8, a
 * stray `%` or a percent escape that does not decode to UTF-8 (`Malformed body`).
 */
export function parseFormBody(
  raw: Buffer | Uint8Array | string,
  maxBytes = DEFAULT_CALLBACK_BODY_LIMIT,
): Record<string, string> {
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength;
  if (size > maxBytes) throw new EcpayCallbackException('Body too large', `${size} bytes, limit ${maxBytes}`);
  let text: string;
  try {
    text = typeof raw === 'string' ? raw : utf8.decode(raw);
  } catch {
    throw new EcpayCallbackException('Malformed body', 'body is not UTF-8');
  }
  for (const pair of text.split('&')) {
    if (pair === '') continue; // `a=1&&b=2`: URLSearchParams skips empty pairs too
    if (pair.startsWith('=')) throw new EcpayCallbackException('Malformed body', 'a field without a name');
    if (STRAY_PERCENT.test(pair))
      throw new EcpayCallbackException('Malformed body', 'a % that is not a percent escape');
    try {
      decodeURIComponent(pair.replace(/\+/g, ' '));
    } catch {
      throw new EcpayCallbackException('Malformed body', 'a percent escape that is not UTF-8');
    }
  }
  const names = new Set<string>();
  const entries: [string, string][] = [];
  for (const [name, value] of new URLSearchParams(text)) {
    if (names.has(name)) throw new EcpayCallbackException('Malformed body', `field ${logSafe(name) ?? '?'} repeated`);
    names.add(name);
    entries.push([name, value]);
  }
  // fromEntries defines own properties, so a field named `__proto__` stays a field (assignment would not).
  return Object.fromEntries(entries);
}

/**
 * Whether a parsed body is a bag of fields rather than an instance of some class: its prototypes are Object.prototype
 * or objects without members. Express's qs gives plain objects; Fastify's parser gives objects whose prototype is an
 * empty object without a prototype (so no `toString` or `__proto__` can be posted into them).
 */
function isDictionary(body: object): boolean {
  for (let prototype = Object.getPrototypeOf(body); prototype !== null; prototype = Object.getPrototypeOf(prototype)) {
    if (prototype !== Object.prototype && Reflect.ownKeys(prototype).length > 0) return false;
  }
  return true;
}

/**
 * Accepts a body the platform's urlencoded parser already produced only when it is a flat record of strings. Express's
 * parser runs `qs` in extended mode, which turns `a[b]=c` into objects and repeated names into arrays; verifying a
 * re-serialisation of those would not be verifying what was posted, so they are refused as malformed.
 */
export function flatFormFields(body: unknown, maxBytes = DEFAULT_CALLBACK_BODY_LIMIT): Record<string, string> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw new EcpayCallbackException('Malformed body', 'the parsed body is not a record');
  if (!isDictionary(body)) throw new EcpayCallbackException('Malformed body', 'the parsed body is not a plain record');
  const entries = Object.entries(body);
  let size = 0;
  for (const [name, value] of entries) {
    if (typeof value !== 'string') {
      throw new EcpayCallbackException(
        'Malformed body',
        `field ${logSafe(name) ?? '?'} is ${Array.isArray(value) ? 'repeated' : 'nested'}`,
      );
    }
    size += Buffer.byteLength(name) + Buffer.byteLength(value) + 2;
  }
  if (size > maxBytes) throw new EcpayCallbackException('Body too large', `about ${size} bytes, limit ${maxBytes}`);
  return Object.fromEntries(entries as [string, string][]);
}

/**
 * The fields of a form callback: from `request.rawBody` when the app keeps it (the exact bytes, parsed here),
 * otherwise from the parsed body if it is flat. Requires a UTF-8 form Content-Type. Throws
 * {@link EcpayCallbackException}.
 */
export function readFormFields(
  request: EcpayCallbackRequest,
  maxBytes = DEFAULT_CALLBACK_BODY_LIMIT,
): Record<string, string> {
  if (!isFormRequest(request)) {
    const type = parseContentType(request.headers['content-type']);
    throw new EcpayCallbackException(
      'Unsupported Content-Type',
      `expected ${FORM_URLENCODED}, got ${(type && logSafe(type.mediaType, 60)) ?? 'none'}`,
    );
  }
  const raw = request.rawBody;
  return raw instanceof Uint8Array ? parseFormBody(raw, maxBytes) : flatFormFields(request.body, maxBytes);
}
