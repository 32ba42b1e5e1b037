import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import type { Browser, Page } from 'playwright-core';
import { describeWithChromium, launchChromium, screenshotsIn } from './support/chromium.js';
import { listenSandboxDemo } from './support/demo-app.js';

// An operator in Chromium on the demo's operations page: the payment handler is made to fail (the sandbox-only
// switch), a customer pays, the event is retried and parked — the page lists it with its error — and the operator
// mends the handler and re-drives the event from the page, which then shows it done. Screenshots go to
// test-artifacts/ like the shop's browser test.
const describeIfChromium = describeWithChromium('demo operations browser test');
const ARTIFACTS = 'test-artifacts/demo-ops-browser';

describeIfChromium('demo operations page in Chromium, on the embedded sandbox', () => {
  let app: INestApplication;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    // Two quick attempts instead of eight spread over minutes: the event parks while the test watches.
    ({ app, base } = await listenSandboxDemo((settings) => ({
      ...settings,
      ecpay: { ...settings.ecpay, dispatch: { maxAttempts: 2, backoffMs: 50, pollIntervalMs: 100 } },
    })));
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const shot = screenshotsIn(ARTIFACTS);

  async function payWithTestCard(page: Page): Promise<string> {
    await page.goto(base);
    await page.fill('#qty-oolong', '1');
    await page.click('#buy');
    await page.waitForSelector('#card-form');
    await page.fill('#card-no', '4311-9522-2222-2222');
    await page.fill('#card-expiry', '12/39');
    await page.fill('#card-cvv', '222');
    await page.click('#pay-button');
    await page.waitForSelector('#otp-form');
    await page.fill('#otp', '1234');
    await page.click('#otp-confirm');
    await page.waitForURL(/\/orders\/done\?merchantTradeNo=/, { timeout: 15_000 });
    await page.waitForSelector('#status.paid', { timeout: 15_000 });
    return new URL(page.url()).searchParams.get('merchantTradeNo')!;
  }

  it('a failing handler parks the event; mended, it is re-driven from the page and done', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/ops`);
    expect(await page.textContent('#parked')).toContain('None');
    expect(await page.textContent('#breakers')).toContain('closed');
    await page.click('#handler-switch');
    await page.waitForSelector('#handler-state:text("failing")');
    await shot(page, '1-handler-failing');

    const merchantTradeNo = await payWithTestCard(page);

    await page.goto(`${base}/ops`);
    // The page refreshes itself every 5 seconds until the dispatcher has given up on the event.
    const parkedRow = page.locator('#parked tr[id^="event-"]', { hasText: merchantTradeNo });
    await parkedRow.waitFor({ timeout: 30_000 });
    expect(await parkedRow.textContent()).toContain('warehouse API unreachable');
    expect(await parkedRow.locator('.dispatch').textContent()).toBe('failed');
    expect(Number(await page.textContent('#count-failed'))).toBeGreaterThanOrEqual(1);
    expect(await page.getAttribute('#notifications-chart', 'aria-label')).toMatch(/^[1-9]\d* notifications/);
    await shot(page, '2-parked');

    const eventId = (await parkedRow.getAttribute('id'))!.slice('event-'.length);
    await page.click('#handler-switch');
    await page.waitForSelector('#handler-state:text("working")');
    await page.locator(`#event-${eventId} .redrive`).click();
    await page.waitForSelector('#notice');
    expect(await page.textContent('#notice')).toContain(`Event ${eventId} re-driven`);
    // Delivered at once by the app's dispatcher: no longer parked, done in the latest events.
    expect(await page.locator(`#parked #event-${eventId}`).count()).toBe(0);
    await page.waitForSelector(`#recent #event-${eventId} .dispatch:text("done")`, { timeout: 15_000 });
    await shot(page, '3-redriven');
    await page.close();
  }, 90_000);
});
