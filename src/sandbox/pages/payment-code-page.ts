import type { SandboxTrade } from '../sandbox-trade.interface.js';
import { hiddenInputs, html, page } from './html.js';
import { orderSummary } from './order-summary.js';
import { payPath } from './payment-page.js';

/**
 * The issued ATM account / store code, a button that simulates the customer paying it (which makes the sandbox post
 * ReturnURL), and, when the order gave a ClientRedirectURL, a form that posts the code details there as ECPay does.
 */
export function renderPaymentCodePage(
  trade: SandboxTrade,
  prefix: string,
  clientRedirect?: Readonly<Record<string, string>>,
): string {
  const info = trade.paymentInfo ?? {};
  const details =
    trade.method === 'ATM'
      ? html`<p>銀行代碼 Bank code <span class="code" id="bank-code">${info.BankCode ?? ''}</span></p>
          <p>繳費帳號 Account <span class="code" id="v-account">${info.vAccount ?? ''}</span></p>`
      : trade.method === 'BARCODE'
        ? html`<p>
            條碼 Barcodes
            <span class="code" id="barcodes">${info.Barcode1 ?? ''} ${info.Barcode2 ?? ''} ${info.Barcode3 ?? ''}</span>
          </p>`
        : html`<p>繳費代碼 Payment code <span class="code" id="payment-no">${info.PaymentNo ?? ''}</span></p>`;
  return page(
    '繳費資訊 Payment code',
    html`${orderSummary(trade)}${details}
      <p>繳費期限 Pay before <span id="expire-date">${info.ExpireDate ?? ''}</span></p>
      <form method="post" action="${payPath(prefix, trade, 'code/pay')}" id="pay-code-form">
        <button type="submit" id="pay-now">模擬付款 Pay now (simulates the customer paying at the ATM / store)</button>
      </form>
      ${
        clientRedirect && trade.params.ClientRedirectURL
          ? html`<form method="post" action="${trade.params.ClientRedirectURL}" id="client-redirect-form">
              ${hiddenInputs(clientRedirect)}<button type="submit">回到商店 Back to the shop</button>
            </form>`
          : ''
      }`,
  );
}
