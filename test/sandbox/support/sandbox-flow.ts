import { expect } from '@jest/globals';
import { absolute, formById, get, postForm, signed } from './sandbox-http.js';

/** The fields of an AioCheckOut/V5 order, signed with the stage keys; `extra` overrides or adds fields. */
export function order(
  merchantTradeNo: string,
  returnUrl: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return signed({
    MerchantID: '3002607',
    MerchantTradeNo: merchantTradeNo,
    MerchantTradeDate: '2025/01/02 03:04:05',
    PaymentType: 'aio',
    TotalAmount: '590',
    TradeDesc: 'Tea order',
    ItemName: 'Oolong tea x2#Cup x1',
    ReturnURL: returnUrl,
    ChoosePayment: 'Credit',
    EncryptType: '1',
    ...extra,
  });
}

/** Posts an order to the sandbox and returns the payment page's URL (the 302's Location). */
export async function checkout(sandboxUrl: string, fields: Record<string, string>): Promise<string> {
  const response = await postForm(`${sandboxUrl}/Cashier/AioCheckOut/V5`, fields);
  const body = await response.text();
  expect({ status: response.status, error: response.status === 302 ? '' : body.slice(0, 500) }).toEqual({
    status: 302,
    error: '',
  });
  return absolute(sandboxUrl, response.headers.get('location')!);
}

/**
 * Pays on the payment page as a customer would with plain form posts: the card form, then the 3-D Secure step.
 * Returns the final page (result page, or the auto-submitting OrderResultURL form).
 */
export async function payByCard(pageUrl: string, cardNo: string, extra: Record<string, string> = {}): Promise<string> {
  const page = await (await get(pageUrl)).text();
  const card = formById(page, 'card-form');
  const afterCard = await postForm(absolute(pageUrl, card.action), {
    CardNo: cardNo,
    CardExpiry: '12/39',
    CardCVV: '222',
    ...extra,
  });
  if (afterCard.status === 200) return afterCard.text(); // declined (result) or an invalid entry (the form again)
  expect(afterCard.status).toBe(303);
  const otpPage = await (await get(absolute(pageUrl, afterCard.headers.get('location')!))).text();
  expect(otpPage).toContain('3-D Secure');
  const otp = formById(otpPage, 'otp-form');
  const result = await postForm(absolute(pageUrl, otp.action), { otp: '1234', action: 'confirm' });
  expect(result.status).toBe(200);
  return result.text();
}
