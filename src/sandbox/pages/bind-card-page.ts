import { ECPAY_SANDBOX_OTP } from '../ecpay-sandbox.constants.js';
import type { SandboxBindingSession } from '../json/sandbox-json-records.interface.js';
import type { SandboxTrade } from '../sandbox-trade.interface.js';
import { html, page, type Html } from './html.js';
import { orderSummary } from './order-summary.js';

/** The binding page of a GetTokenbyBindingCard Token, and its steps. */
export const bindPath = (prefix: string, session: SandboxBindingSession, step = ''): string =>
  `${prefix}/__sandbox/bind/${session.token}${step ? `/${step}` : ''}`;

/**
 * The sandbox's stand-in for ECPay's JS SDK binding form: the card (ECPay's CardInfo field names), then 3-D Secure,
 * then the BindCardPayToken the shop's front end would receive from the SDK and pass to its server for
 * CreateBindCard. The token is in `#bind-card-pay-token` (text and `data-token`) for scripts and tests.
 */
export function renderBindCardPage(
  session: SandboxBindingSession,
  trade: SandboxTrade | undefined,
  prefix: string,
  error?: string,
): string {
  return page(
    '綁定信用卡 Bind a card',
    html`<p>會員 Member <span id="member-id">${session.merchantMemberId}</span></p>
      ${trade ? orderSummary(trade) : ''} ${error ? html`<p class="error" id="error">${error}</p>` : ''}
      ${step(session, prefix)}`,
  );
}

function step(session: SandboxBindingSession, prefix: string): Html {
  switch (session.status) {
    case 'awaiting-card':
      return html`<form
        method="post"
        action="${bindPath(prefix, session, 'card')}"
        id="bind-card-form"
        autocomplete="off"
      >
        <p>Test cards: 4311-9522-2222-2222 and 4938-1777-7777-7777 can be bound; any other number is declined.</p>
        <label>卡號 Card number <input name="CardNo" id="card-no" inputmode="numeric" maxlength="23" required /></label>
        <label
          >有效月 Month (MM) <input name="CardValidMM" id="card-valid-mm" maxlength="2" placeholder="12" required
        /></label>
        <label
          >有效年 Year (YY) <input name="CardValidYY" id="card-valid-yy" maxlength="2" placeholder="30" required
        /></label>
        <label>安全碼 CVV <input name="CardCVV2" id="card-cvv" inputmode="numeric" maxlength="4" required /></label>
        <button type="submit" id="bind-button">綁定 Bind</button>
      </form>`;
    case 'awaiting-3ds':
      return html`<p>
          Card <span id="card-masked">${session.card?.card6 ?? ''}******${session.card?.last4 ?? ''}</span>. Enter the
          one-time password sent by your bank (sandbox: <b>${ECPAY_SANDBOX_OTP}</b>).
        </p>
        <form method="post" action="${bindPath(prefix, session, '3ds')}" id="otp-form" autocomplete="off">
          <label>OTP <input name="otp" id="otp" inputmode="numeric" maxlength="8" /></label>
          <button type="submit" name="action" value="confirm" id="otp-confirm">確認 Confirm</button>
          <button type="submit" name="action" value="cancel" id="otp-cancel">取消 Cancel</button>
        </form>`;
    case 'card-verified': {
      const token = html`<p id="bind-status" data-status="card-verified">
          卡片驗證完成 Card verified. The shop's server now calls CreateBindCard with this BindCardPayToken:
        </p>
        <p>
          <code id="bind-card-pay-token" data-token="${session.bindCardPayToken ?? ''}"
            >${session.bindCardPayToken ?? ''}</code
          >
        </p>`;
      if (!session.returnUrl) return token;
      // What the shop's front end does with the SDK's token: send it to the shop's server.
      return html`${token}
        <form method="post" action="${session.returnUrl}" id="bind-return-form">
          <input type="hidden" name="BindCardPayToken" value="${session.bindCardPayToken ?? ''}" />
          <input type="hidden" name="MerchantMemberID" value="${session.merchantMemberId}" />
          <button type="submit">回到商店 Back to the shop</button>
        </form>
        <script>
          document.getElementById('bind-return-form').submit();
        </script>`;
    }
    case 'bound':
      return html`<p id="bind-status" data-status="bound">綁定完成 The card is bound.</p>`;
  }
}
