import type { SandboxTrade } from '../sandbox-trade.interface.js';
import { html, type Html } from './html.js';

/** The order as ECPay's page shows it: one line per `#`-separated item, the description and the amount. */
export function orderSummary(trade: SandboxTrade): Html {
  const items = (trade.params.ItemName ?? '').split('#');
  return html`<table class="order">
    <tr>
      <th>特店交易編號 MerchantTradeNo</th>
      <td id="merchant-trade-no">${trade.merchantTradeNo}</td>
    </tr>
    <tr>
      <th>商店 MerchantID</th>
      <td>${trade.merchantId}</td>
    </tr>
    <tr>
      <th>交易描述 TradeDesc</th>
      <td>${trade.params.TradeDesc ?? ''}</td>
    </tr>
    <tr>
      <th>商品 Items</th>
      <td>
        <ul class="items">
          ${items.map((item) => html`<li>${item}</li>`)}
        </ul>
      </td>
    </tr>
    <tr>
      <th>金額 Amount</th>
      <td id="amount">NT$ ${trade.totalAmount}</td>
    </tr>
    ${
      trade.period
        ? html`<tr>
            <th>定期定額 Periodic</th>
            <td>every ${trade.period.frequency} ${trade.period.periodType}, ${trade.period.execTimes} times</td>
          </tr>`
        : ''
    }
  </table>`;
}
