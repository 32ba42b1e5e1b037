import { EcpayResponseVerificationError } from '../errors/ecpay-response-verification.error.js';
import { parseEcpayDateTime } from '../time/ecpay-time.js';

/**
 * Splits a `k=v&k=v` answer (QueryTradeInfo, QueryPaymentInfo, DoAction, CreditCardPeriodAction) on `&` and the
 * FIRST `=`, WITHOUT form-decoding: ECPay writes the values raw (Chinese, spaces, a literal `+` or `%`) and its
 * CheckMacValue covers those raw values, so `+`→space or `%xx` decoding would break verification (docs/protocol.md
 * §2.4). `undefined` when the text is not of that form: empty, a piece without `=`, an empty or repeated name.
 */
export function splitRawKeyValue(text: string): Record<string, string> | undefined {
  if (text.length === 0) return undefined;
  // A null prototype: a field named "__proto__" or "constructor" is data, never the object's machinery.
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const piece of text.replace(/\r?\n$/, '').split('&')) {
    const eq = piece.indexOf('=');
    if (eq <= 0) return undefined;
    const name = piece.slice(0, eq);
    if (Object.prototype.hasOwnProperty.call(fields, name) || !/^[A-Za-z0-9_]+$/.test(name)) return undefined;
    fields[name] = piece.slice(eq + 1);
  }
  return fields;
}

/**
 * `code|message`: how ECPay's form APIs answer a request they reject before looking at it (e.g.
 * `0|CheckMacValue Error`).
 */
export function splitCodeMessage(text: string): { code: number; message: string } | undefined {
  const match = /^(-?\d{1,10})\|([^\r\n]*)\r?\n?$/.exec(text);
  return match ? { code: Number(match[1]), message: match[2]! } : undefined;
}

/**
 * Reads the fields of a verified answer into numbers and dates. A field that is present but not of its form is a
 * malformed answer: the error names the field, never its value.
 */
export class EcpayResponseFields {
  constructor(
    private readonly api: string,
    readonly values: Readonly<Record<string, unknown>>,
  ) {}

  /** The text of a field; '' when absent. Numbers (JSON answers) are written in decimal. */
  text(name: string): string {
    const value = this.values[name];
    if (value === undefined || value === null) return '';
    if (typeof value === 'string') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    throw this.malformed(name);
  }

  /** An integer field; null when absent or empty. */
  int(name: string): number | null {
    const value = this.values[name];
    if (value === undefined || value === null || value === '') return null;
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    if (typeof value === 'string' && /^-?\d{1,15}$/.test(value.trim())) return Number(value.trim());
    throw this.malformed(name);
  }

  requiredInt(name: string): number {
    const value = this.int(name);
    if (value === null) throw this.malformed(name, 'missing');
    return value;
  }

  /** A decimal field (`PaymentTypeChargeFee=0.0000`); null when absent or empty. */
  decimal(name: string): number | null {
    const value = this.values[name];
    if (value === undefined || value === null || value === '') return null;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'string' && /^-?\d{1,15}(?:\.\d{1,10})?$/.test(value.trim())) return Number(value.trim());
    throw this.malformed(name);
  }

  /** A date ECPay wrote in Taipei time (`2024/03/04 16:36:54`); null when absent or empty. */
  date(name: string): Date | null {
    const value = this.text(name);
    if (value.trim() === '') return null;
    try {
      return parseEcpayDateTime(value);
    } catch {
      throw this.malformed(name);
    }
  }

  /** A nested object of a JSON answer (`OrderInfo`); an empty reader when absent. */
  object(name: string): EcpayResponseFields {
    const value = this.values[name];
    if (value === undefined || value === null || value === '') return new EcpayResponseFields(this.api, {});
    if (typeof value !== 'object' || Array.isArray(value)) throw this.malformed(name);
    return new EcpayResponseFields(this.api, value as Record<string, unknown>);
  }

  /** A list of objects of a JSON answer (`ExecLog`, `close_data`); empty when absent. */
  list(name: string): EcpayResponseFields[] {
    const value = this.values[name];
    if (value === undefined || value === null || value === '') return [];
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'object' || item === null || Array.isArray(item)))
      throw this.malformed(name);
    return value.map((item) => new EcpayResponseFields(this.api, item as Record<string, unknown>));
  }

  private malformed(name: string, what = 'not of its documented form'): EcpayResponseVerificationError {
    return new EcpayResponseVerificationError(this.api, 'malformed', `field ${name} ${what}`);
  }
}
