import { ECPAY_SANDBOX_OTP } from '../ecpay-sandbox.constants.js';
import type { SandboxTrade } from '../sandbox-trade.interface.js';
import { html, page } from './html.js';
import { orderSummary } from './order-summary.js';

/** Where BackAuth's ThreeDURL points: the OTP page of a trade, which its form posts back to. */
export const threeDSecurePath = (prefix: string, trade: SandboxTrade): string =>
  `${prefix}/__sandbox/3ds/${trade.token}`;

/** The bank's 3-D Secure step of a BackAuth, simulated: the one-time password, or cancel (which declines). */
export function renderBackAuthOtpPage(trade: SandboxTrade, prefix: string, error?: string): string {
  return page(
    '3-D Secure 驗證',
    html`${orderSummary(trade)}
      <p>
        Card <span id="card-masked">${trade.pendingCard?.card6 ?? ''}******${trade.pendingCard?.last4 ?? ''}</span>.
        Enter the one-time password sent by your bank (sandbox: <b>${ECPAY_SANDBOX_OTP}</b>).
      </p>
      ${error ? html`<p class="error" id="error">${error}</p>` : ''}
      <form method="post" action="${threeDSecurePath(prefix, trade)}" id="otp-form" autocomplete="off">
        <label>OTP <input name="otp" id="otp" inputmode="numeric" maxlength="8" /></label>
        <button type="submit" name="action" value="confirm" id="otp-confirm">確認 Confirm</button>
        <button type="submit" name="action" value="cancel" id="otp-cancel">取消 Cancel</button>
      </form>`,
  );
}
