import { inspect } from 'node:util';
import type { EcpayBackAuthCardInfo, EcpayBackAuthInput } from './back-auth-input.interface.js';

/** What replaces a card value in every printable view. */
export const REDACTED = '[REDACTED]';

/** The CardInfo fields that must never be printed. */
export const SECRET_CARD_FIELDS = [
  'CardNo',
  'CardValidMM',
  'CardValidYY',
  'CardCVV2',
] as const satisfies readonly (keyof EcpayBackAuthCardInfo)[];

/**
 * A copy of the input with the card number, expiry and CVV replaced by `[REDACTED]` (present fields only).
 *
 * @publicApi
 */
export function redactBackAuthInput(input: EcpayBackAuthInput): EcpayBackAuthInput {
  if (typeof input !== 'object' || input === null) return input;
  const card = input.CardInfo;
  if (typeof card !== 'object' || card === null) return { ...input };
  return { ...input, CardInfo: redactCard(card) };
}

/** A copy of a CardInfo-shaped object with its secret fields replaced. */
export function redactCard<T extends object>(card: T): T {
  const copy = { ...card } as Record<string, unknown>;
  for (const field of SECRET_CARD_FIELDS) if (field in copy) copy[field] = REDACTED;
  return copy as T;
}

/**
 * Holds a BackAuth input so that printing it cannot leak the card: `util.inspect` (what `console.log` and Nest's
 * Logger use), `JSON.stringify` and `String()` all show the card number, expiry and CVV as `[REDACTED]`. The input
 * sits in an ECMAScript private field, which no serialiser, inspector or spread can reach; only {@link unwrap}
 * hands it back, for the one call that sends it.
 *
 * Wrap card input as soon as it enters your app and pass the wrapper to `EcpayBackAuthService.backAuth()`.
 *
 * @publicApi
 */
export class EcpayBackAuthRequest {
  readonly #input: EcpayBackAuthInput;

  constructor(input: EcpayBackAuthInput) {
    this.#input = input;
  }

  /** Wraps an input unless it is wrapped already. */
  static from(input: EcpayBackAuthInput | EcpayBackAuthRequest): EcpayBackAuthRequest {
    return input instanceof EcpayBackAuthRequest ? input : new EcpayBackAuthRequest(input);
  }

  /** The input itself, card data included. Only for building the request; never print the result. */
  unwrap(): EcpayBackAuthInput {
    return this.#input;
  }

  toJSON(): EcpayBackAuthInput {
    return redactBackAuthInput(this.#input);
  }

  toString(): string {
    return `EcpayBackAuthRequest ${JSON.stringify(this.toJSON())}`;
  }

  [inspect.custom](_depth: number, options: Parameters<typeof inspect>[1]): string {
    return `EcpayBackAuthRequest ${inspect(this.toJSON(), options)}`;
  }
}
