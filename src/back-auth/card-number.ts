/**
 * Card number helpers for BackAuth. Nothing here logs, formats or returns a card number in a message.
 */

/** Spaces and dashes people type between digit groups; nothing else is tolerated. */
const GROUP_SEPARATORS = /[ -]/g;

/** The card number as ECPay wants it (CardNo String(19)): the digits only, separators removed. */
export function normalizeCardNumber(cardNo: string): string {
  return cardNo.replace(GROUP_SEPARATORS, '');
}

/** Luhn (mod 10) check of a digit string. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return false;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/**
 * ECPay's stage test cards (docs/protocol.md §4.3, developers.ecpay.com.tw/?p=16447). The main one,
 * 4311-9522-2222-2222, FAILS the Luhn check (its mod-10 sum ends in 8), yet it is the card ECPay tells every integrator
 * to test with; it is therefore exempt from that one rule. No issued card can have a number failing Luhn, so the
 * exemption cannot let a real mistyped card through: in production ECPay simply declines it.
 */
export const ECPAY_STAGE_TEST_CARDS: ReadonlySet<string> = new Set(['4311952222222222', '4938177777777777']);

/** The Luhn check, with ECPay's documented stage test cards accepted. */
export const passesCardCheck = (digits: string): boolean => ECPAY_STAGE_TEST_CARDS.has(digits) || passesLuhn(digits);

/** American Express (IIN 34, 37) is the one brand with a 4-digit security code. */
export const isAmex = (digits: string): boolean => /^3[47]/.test(digits);

/**
 * Whether a text mentions a card: the number in any grouping (separators between digits are ignored) or one of
 * ECPay's card field names next to a value. Used to refuse passing on a foreign error that may echo the request.
 */
export function mentionsCard(text: string, cardDigits: string): boolean {
  if (/Card(?:No|CVV2|ValidMM|ValidYY)\W{1,3}["']?\d/.test(text)) return true;
  if (cardDigits.length < 12) return false;
  // Drop every non-digit that sits between two digits, so "4311 9522-2222.2222" reads as one run.
  const runs = text.replace(/(?<=\d)\D{1,3}(?=\d)/g, '');
  return runs.includes(cardDigits);
}
