import type { SandboxResponseEnvelope } from '../json/sandbox-json-envelope.js';
import type { SandboxTrade } from '../sandbox-trade.interface.js';
import { html, page } from './html.js';
import { orderSummary } from './order-summary.js';

/**
 * The end of a JSON-API 3-D Secure step. With an OrderResultURL the browser posts the JSON envelope there as the
 * form field `ResultData` (docs/protocol.md §3.3: how ECPay's ecpg OrderResultURL arrives), through an auto-submitting
 * form that also has a button for browsers without JavaScript; otherwise the outcome is shown.
 */
export function renderEnvelopeResultPage(trade: SandboxTrade, envelope: SandboxResponseEnvelope): string {
  const paid = trade.status === 'paid';
  const title = paid ? '付款成功 Payment succeeded' : '付款失敗 Payment failed';
  const outcome = paid
    ? html`<p id="result" data-status="paid">付款成功 Payment succeeded</p>`
    : html`<p id="result" data-status="failed" class="error">
        付款失敗 Payment failed: ${trade.failure?.message ?? ''} (${trade.failure?.code ?? ''})
      </p>`;
  const resultUrl = trade.params.OrderResultURL;
  if (!resultUrl) return page(title, html`${outcome}${orderSummary(trade)}`);
  return page(
    title,
    html`${outcome}
      <form method="post" action="${resultUrl}" id="order-result-form">
        <input type="hidden" name="ResultData" value="${JSON.stringify(envelope)}" />
        <button type="submit">回到商店 Back to the shop</button>
      </form>
      <script>
        document.getElementById('order-result-form').submit();
      </script>`,
  );
}
