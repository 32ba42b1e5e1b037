import type { SandboxPaymentMethod, SandboxTrade } from '../sandbox-trade.interface.js';
import { html, page, type Html } from './html.js';
import { orderSummary } from './order-summary.js';

const METHOD_NAMES: Record<SandboxPaymentMethod, string> = {
  Credit: '信用卡 Credit card',
  ATM: 'ATM 櫃員機',
  CVS: '超商代碼 Convenience store code',
  BARCODE: '超商條碼 Convenience store barcode',
  WebATM: '網路 ATM WebATM',
  ApplePay: 'Apple Pay',
  TWQR: 'TWQR',
  BNPL: '無卡分期 BNPL',
};

/** Form actions of a trade's payment page. */
export const payPath = (prefix: string, trade: SandboxTrade, step = ''): string =>
  `${prefix}/__sandbox/pay/${trade.token}${step ? `/${step}` : ''}`;

/**
 * The payment page: a choice of method (ChoosePayment ALL), the card form, a button to get an ATM / store code, or
 * a button that completes the other methods. `methods` are those offered (ALL minus IgnorePayment).
 */
export function renderPaymentPage(
  trade: SandboxTrade,
  prefix: string,
  methods: readonly SandboxPaymentMethod[],
  error?: string,
): string {
  const body =
    trade.method === undefined ? methodChoice(trade, prefix, methods) : methodForm(trade, prefix, trade.method);
  return page(
    '付款 Payment',
    html`${orderSummary(trade)}${error ? html`<p class="error" id="error">${error}</p>` : ''}${body}`,
  );
}

function methodChoice(trade: SandboxTrade, prefix: string, methods: readonly SandboxPaymentMethod[]): Html {
  return html`<form method="post" action="${payPath(prefix, trade, 'method')}" id="method-form">
    <p>請選擇付款方式 Choose how to pay:</p>
    ${methods.map((method) => html`<button type="submit" name="method" value="${method}">${METHOD_NAMES[method]}</button>`)}
  </form>`;
}

function methodForm(trade: SandboxTrade, prefix: string, method: SandboxPaymentMethod): Html {
  switch (method) {
    case 'Credit':
      return cardForm(trade, prefix);
    case 'ATM':
    case 'CVS':
    case 'BARCODE':
      return html`<form method="post" action="${payPath(prefix, trade, 'code')}" id="code-form">
        <p>${METHOD_NAMES[method]}</p>
        <button type="submit">取得繳費代碼 Get the payment code</button>
      </form>`;
    default:
      return html`<form method="post" action="${payPath(prefix, trade, 'pay')}" id="pay-form">
        <p>${METHOD_NAMES[method]} (simulated)</p>
        <button type="submit">付款 Pay</button>
      </form>`;
  }
}

function cardForm(trade: SandboxTrade, prefix: string): Html {
  const installments = (trade.params.CreditInstallment ?? '').split(',').filter((count) => count !== '');
  return html`<form method="post" action="${payPath(prefix, trade, 'card')}" id="card-form" autocomplete="off">
    <p>${METHOD_NAMES.Credit} — test card 4311-9522-2222-2222 is authorized; any other valid number is declined.</p>
    <label>卡號 Card number <input name="CardNo" id="card-no" inputmode="numeric" maxlength="23" required /></label>
    <label
      >有效期限 Expiry (MM/YY) <input name="CardExpiry" id="card-expiry" placeholder="12/30" maxlength="7" required
    /></label>
    <label>安全碼 CVV <input name="CardCVV" id="card-cvv" inputmode="numeric" maxlength="4" required /></label>
    ${
      installments.length > 0
        ? html`<label
            >分期 Installments
            <select name="Installments" id="installments">
              <option value="0">一次付清 Pay in full</option>
              ${installments.map((count) => html`<option value="${count.replace('N', '')}">${count} 期</option>`)}
            </select></label
          >`
        : ''
    }
    <button type="submit" id="pay-button">付款 Pay NT$ ${trade.totalAmount}</button>
  </form>`;
}
