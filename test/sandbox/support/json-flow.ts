import { expect } from '@jest/globals';
import { absolute, formById, get, postForm } from './sandbox-http.js';

/** Follows a 303 of a page step and returns the page it leads to. */
async function follow(base: string, response: Response): Promise<string> {
  expect(response.status).toBe(303);
  return (await get(absolute(base, response.headers.get('location')!))).text();
}

/**
 * The cardholder on BackAuth's ThreeDURL: optionally a wrong OTP first (the page asks again), then `otp`. Returns
 * the final page (the auto-submitting OrderResultURL form, or the result).
 */
export async function completeThreeDSecure(
  threeDUrl: string,
  otp = '1234',
  action: 'confirm' | 'cancel' = 'confirm',
): Promise<string> {
  const page = await (await get(threeDUrl)).text();
  expect(page).toContain('3-D Secure');
  const form = formById(page, 'otp-form');
  const result = await postForm(absolute(threeDUrl, form.action), { otp, action });
  expect(result.status).toBe(200);
  return result.text();
}

/**
 * The customer on the binding page (the JS SDK's stand-in): the card, then the OTP. Returns the BindCardPayToken
 * the page hands the shop's front end.
 */
export async function bindOnPage(
  pageUrl: string,
  cardNo: string,
  expiry: { mm: string; yy: string } = { mm: '12', yy: '39' },
): Promise<string> {
  const page = await (await get(pageUrl)).text();
  const cardForm = formById(page, 'bind-card-form');
  const otpPage = await follow(
    pageUrl,
    await postForm(absolute(pageUrl, cardForm.action), {
      CardNo: cardNo,
      CardValidMM: expiry.mm,
      CardValidYY: expiry.yy,
      CardCVV2: '222',
    }),
  );
  const otpForm = formById(otpPage, 'otp-form');
  const done = await follow(
    pageUrl,
    await postForm(absolute(pageUrl, otpForm.action), { otp: '1234', action: 'confirm' }),
  );
  const token = /id="bind-card-pay-token" data-token="([0-9a-f]+)"/.exec(done)?.[1];
  if (!token) throw new Error(`no BindCardPayToken on the page:\n${done.slice(0, 1500)}`);
  return token;
}

/** The JSON envelope the OrderResultURL form carries in its `ResultData` field. */
export function resultDataOf(page: string): { action: string; envelope: Record<string, unknown> } {
  const form = formById(page, 'order-result-form');
  expect(Object.keys(form.fields)).toEqual(['ResultData']);
  return { action: form.action, envelope: JSON.parse(form.fields.ResultData!) as Record<string, unknown> };
}
