import { formatEcpayDateTime } from '../time/ecpay-time.js';
import { ECPAY_SANDBOX_TEST_CARD } from './ecpay-sandbox.constants.js';

/** What the card form told the sandbox, reduced to what it may keep: the last four digits. */
export type CardCheck =
  | { readonly ok: true; readonly last4: string; readonly testCard: boolean }
  | { readonly ok: false; readonly error: string };

/**
 * Checks a card form. The number is used here and dropped: only its last four digits leave this function, so no
 * card number can reach the store, a log or an error message. `4311-9522-2222-2222` (ECPay's stage card, with or
 * without dashes or spaces) is authorized; it fails the Luhn check, so it is recognised before that check.
 */
export function checkCard(number: unknown, expiry: unknown, cvv: unknown, now: Date): CardCheck {
  const digits = typeof number === 'string' ? number.replace(/[\s-]/g, '') : '';
  if (!/^\d{13,19}$/.test(digits)) return { ok: false, error: '卡號格式錯誤 The card number must be 13 to 19 digits.' };
  const testCard = digits === ECPAY_SANDBOX_TEST_CARD;
  if (!testCard && !luhn(digits)) return { ok: false, error: '卡號錯誤 The card number is not valid.' };
  const expiryMatch = typeof expiry === 'string' ? /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(expiry) : null;
  if (!expiryMatch) return { ok: false, error: '有效期限格式錯誤 Enter the expiry as MM/YY.' };
  const month = Number(expiryMatch[1]);
  const year = expiryMatch[2]!.length === 2 ? 2000 + Number(expiryMatch[2]) : Number(expiryMatch[2]);
  // A card is valid through the end of its expiry month, in Taipei, whatever the server's zone.
  const [thisYear, thisMonth] = formatEcpayDateTime(now).split('/').map(Number) as [number, number];
  if (month < 1 || month > 12 || year * 12 + month < thisYear * 12 + thisMonth)
    return { ok: false, error: '卡片已過期 The card has expired.' };
  if (typeof cvv !== 'string' || !/^\d{3,4}$/.test(cvv.trim()))
    return { ok: false, error: '安全碼錯誤 The CVV must be 3 or 4 digits.' };
  return { ok: true, last4: digits.slice(-4), testCard };
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}
