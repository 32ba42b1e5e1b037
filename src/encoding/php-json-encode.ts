/**
 * PHP's `json_encode` with default flags, as ECPay's official SDK serialises the JSON APIs' `Data`: `/` is written
 * `\/` and every non-ASCII UTF-16 unit as a lower-case `\uxxxx` (so astral characters become two escapes).
 * Everything else is `JSON.stringify`. Encrypting this text makes our ciphertext byte-identical to the SDK's.
 *
 * Throws a `TypeError` for values JSON cannot represent (undefined, functions, BigInt, cycles).
 *
 * @publicApi
 */
export function phpJsonEncode(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) {
    throw new TypeError(`Cannot JSON-encode ${typeof value} for ECPay.`);
  }
  // JSON.stringify never emits "\/" itself and "/" only occurs inside strings, so a blanket replace is exact.
  const slashed = json.includes('/') ? json.replaceAll('/', '\\/') : json;
  return HAS_NON_ASCII.test(slashed) ? slashed.replace(NON_ASCII, escapeUnit) : slashed;
}

const HAS_NON_ASCII = /[\u0080-\uffff]/;
const NON_ASCII = /[\u0080-\uffff]/g;
const escapeUnit = (unit: string): string => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;
