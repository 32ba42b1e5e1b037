import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { chromium, type Browser } from 'playwright-core';
import { renderCheckoutForm } from '../../src/index.js';
import { CHROMIUM, CHROMIUM_ARGS, describeWithChromium } from '../support/chromium.js';
import { startEcpaySandbox, type EcpaySandboxServer } from '../../src/sandbox/index.js';
import { order } from './support/sandbox-flow.js';
import { independentMac, Receiver, waitFor } from './support/sandbox-http.js';

// The payment pages in a real browser: the library's auto-submitting checkout form, the card form, 3-D Secure,
// and the auto-submitting OrderResultURL form.
const describeIfChromium = describeWithChromium('sandbox browser test');

describeIfChromium('sandbox payment pages in Chromium', () => {
  let sandbox: EcpaySandboxServer;
  let browser: Browser;
  const shop = new Receiver();

  beforeAll(async () => {
    await shop.start();
    sandbox = await startEcpaySandbox({ retrySchedule: [] });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await sandbox?.close();
    await shop.close();
  });

  it('pays with the test card from the checkout form to OrderResultURL', async () => {
    const fields = order('SbxBrowser1', `${shop.url}/ecpay/return`, {
      OrderResultURL: `${shop.url}/ecpay/order-result`,
    });
    const page = await browser.newPage();
    await page.setContent(renderCheckoutForm(`${sandbox.url}/Cashier/AioCheckOut/V5`, fields));
    await page.waitForSelector('#card-form');
    expect(await page.textContent('#amount')).toContain('590');
    await page.fill('#card-no', '4311-9522-2222-2222');
    await page.fill('#card-expiry', '12/39');
    await page.fill('#card-cvv', '222');
    await page.click('#pay-button');
    await page.waitForSelector('#otp-form');
    await page.fill('#otp', '1234');
    await page.click('#otp-confirm');
    await waitFor(() => shop.on('/ecpay/order-result').length === 1, 10_000);
    const result = shop.on('/ecpay/order-result')[0]!.fields;
    expect(result).toMatchObject({ MerchantTradeNo: 'SbxBrowser1', RtnCode: '1', RtnMsg: 'Succeeded' });
    expect(result.CheckMacValue).toBe(independentMac(result));
    expect(shop.on('/ecpay/return')).toHaveLength(1);
    await page.close();
  }, 30_000);
});
