import { ECPAY_SANDBOX_OTP } from '../ecpay-sandbox.constants.js';
import type { SandboxTrade } from '../sandbox-trade.interface.js';
import { html, page } from './html.js';
import { orderSummary } from './order-summary.js';
import { payPath } from './payment-page.js';

/** The bank's 3-D Secure step, simulated: enter the one-time password, or cancel (which fails the payment). */
export function renderThreeDSecurePage(trade: SandboxTrade, prefix: string, error?: string): string {
  return page(
    '3-D Secure 驗證',
    html`${orderSummary(trade)}
      <p>
        Card ending in <span id="card-last4">${trade.pendingCard?.last4 ?? ''}</span>. Enter the one-time password sent
        by your bank (sandbox: <b>${ECPAY_SANDBOX_OTP}</b>).
      </p>
      ${error ? html`<p class="error" id="error">${error}</p>` : ''}
      <form method="post" action="${payPath(prefix, trade, '3ds')}" id="otp-form" autocomplete="off">
        <label>OTP <input name="otp" id="otp" inputmode="numeric" maxlength="8" /></label>
        <button type="submit" name="action" value="confirm" id="otp-confirm">確認 Confirm</button>
        <button type="submit" name="action" value="cancel" id="otp-cancel">取消 Cancel</button>
      </form>`,
  );
}
