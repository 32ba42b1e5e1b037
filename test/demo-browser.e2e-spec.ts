import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import type { Browser, Page } from 'playwright-core';
import { describeWithChromium, launchChromium, screenshotsIn } from './support/chromium.js';
import { listenSandboxDemo } from './support/demo-app.js';

// A customer in Chromium buys in the demo shop: the cart, the library's auto-submitting form, the sandbox's card
// page and 3-D Secure, back through the verified OrderResultURL to the order page — which must say `paid` from the
// server-to-server notification. Screenshots of each step go to test-artifacts/ (kept by CI as artifacts).
const describeIfChromium = describeWithChromium('demo browser test');
const ARTIFACTS = 'test-artifacts/demo-browser';

describeIfChromium('demo shop in Chromium, paying on the embedded sandbox', () => {
  let app: INestApplication;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    ({ app, base } = await listenSandboxDemo());
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const shot = screenshotsIn(ARTIFACTS);

  /** Puts two teas in the cart, checks out with a one-time card payment and fills the card form. */
  async function checkoutWithCard(page: Page, cardNo: string): Promise<void> {
    await page.goto(base);
    await page.fill('#qty-oolong', '2');
    await shot(page, `${cardNo.slice(-4)}-1-cart`);
    await page.click('#buy');
    // The library's auto-submitting form carries the browser to the sandbox's card page.
    await page.waitForSelector('#card-form');
    expect(await page.textContent('#amount')).toContain('1360');
    await page.fill('#card-no', cardNo);
    await page.fill('#card-expiry', '12/39');
    await page.fill('#card-cvv', '222');
    await shot(page, `${cardNo.slice(-4)}-2-card`);
    await page.click('#pay-button');
  }

  it('buys a product with the test card, through 3-D Secure, and sees the order paid', async () => {
    const page = await browser.newPage();
    await checkoutWithCard(page, '4311-9522-2222-2222');
    await page.waitForSelector('#otp-form');
    await page.fill('#otp', '1234');
    await shot(page, '2222-3-otp');
    await page.click('#otp-confirm');
    // OrderResultURL → the library verifies it → 303 to /orders/done, which refreshes until the ReturnURL has landed.
    await page.waitForURL(/\/orders\/done\?merchantTradeNo=/, { timeout: 15_000 });
    await page.waitForSelector('#status.paid', { timeout: 15_000 });
    await shot(page, '2222-4-paid');
    expect(await page.textContent('#status')).toBe('paid');
    await page.close();
  }, 60_000);

  it('a declined card shows the failure and the order is not paid', async () => {
    const page = await browser.newPage();
    await checkoutWithCard(page, '4000-0000-0000-0002');
    // The sandbox's result goes back through OrderResultURL too; the order page shows the notification's verdict.
    await page.waitForURL(/\/orders\/done\?merchantTradeNo=.*&rtnCode=(?!1\b)/, { timeout: 15_000 });
    await page.waitForSelector('#status.failed', { timeout: 15_000 });
    await shot(page, '0002-3-declined');
    await page.goto(`${base}/orders`);
    const firstStatus = await page.textContent('tr[id^="order-"] .status');
    expect(firstStatus).toBe('failed');
    await shot(page, '0002-4-orders');
    await page.close();
  }, 60_000);
});
