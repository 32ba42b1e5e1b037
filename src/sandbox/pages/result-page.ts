import type { SandboxTrade } from '../sandbox-trade.interface.js';
import { hiddenInputs, html, page } from './html.js';
import { orderSummary } from './order-summary.js';

/**
 * The end of the payment. With an OrderResultURL the browser is posted the signed result there at once (an
 * auto-submitting form that also has a button, for browsers without JavaScript); otherwise the result is shown,
 * with a "back to the shop" link when the order gave a ClientBackURL (docs/protocol.md §5.6).
 */
export function renderResultPage(trade: SandboxTrade, orderResult?: Readonly<Record<string, string>>): string {
  const paid = trade.status === 'paid';
  const outcome = paid
    ? html`<p id="result" data-status="paid">付款成功 Payment succeeded</p>`
    : html`<p id="result" data-status="failed" class="error">
        付款失敗 Payment failed: ${trade.failure?.message ?? ''} (${trade.failure?.code ?? ''})
      </p>`;
  const orderResultUrl = trade.params.OrderResultURL;
  if (orderResult && orderResultUrl) {
    return page(
      paid ? '付款成功 Payment succeeded' : '付款失敗 Payment failed',
      html`${outcome}
        <form method="post" action="${orderResultUrl}" id="order-result-form">
          ${hiddenInputs(orderResult)} <button type="submit">回到商店 Back to the shop</button>
        </form>
        <script>
          document.getElementById('order-result-form').submit();
        </script>`,
    );
  }
  const back = trade.params.ClientBackURL;
  return page(
    paid ? '付款成功 Payment succeeded' : '付款失敗 Payment failed',
    html`${outcome}${orderSummary(trade)}${back ? html`<p><a href="${back}" id="client-back">回到商店 Back to the shop</a></p>` : ''}`,
  );
}
