import type { OrderView } from '../orders/order-view.js';
import { CSRF_FIELD } from '../security/demo-csrf.js';
import { CATALOG, PLANS } from './catalog.js';

/** HTML-escapes text for element content and attribute values. */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `body{font-family:system-ui,sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}
.paid{color:#0a7d32;font-weight:bold}.failed{color:#b3261e;font-weight:bold}.pending,.code-issued{color:#8a6d00}
nav a{margin-right:1rem}small{color:#666}button{padding:.5rem 1rem}`;

/** The page around every shop and operations page: the nav, the title, the one inline stylesheet. */
export function layout(title: string, body: string, head = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>${head}<style>${STYLE}</style></head>
<body><nav><a href="/">Shop</a><a href="/orders">Orders</a><a href="/ops">Operations</a></nav><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

export function shopPage(info: {
  environment: string;
  merchantId: string;
  sandbox: boolean;
  savedCards: readonly { bindCardId: string; card6No: string; card4No: string }[];
  notice?: string;
}): string {
  const rows = CATALOG.map(
    (p) => `<tr><td>${escapeHtml(p.name)}</td><td>NT$${p.price}</td>
<td><input name="qty_${p.id}" id="qty-${p.id}" type="number" min="0" max="99" value="0" aria-label="Quantity of ${escapeHtml(p.name)}"></td></tr>`,
  ).join('\n');
  const plans = Object.entries(PLANS)
    .map(
      ([value, label], i) =>
        `<label><input type="radio" name="plan" value="${value}"${i === 0 ? ' checked' : ''}> ${escapeHtml(label)}</label><br>`,
    )
    .join('\n');
  const where = info.sandbox
    ? 'the local ECPay sandbox mounted in this app (test card 4311-9522-2222-2222, any future expiry, CVV 222, OTP 1234)'
    : `ECPay ${escapeHtml(info.environment)}`;
  const saved = info.savedCards
    .map(
      (card) =>
        `<label><input type="radio" name="plan" value="saved-card:${escapeHtml(card.bindCardId)}" class="saved-card"> Saved card ${escapeHtml(card.card6No)}••••••${escapeHtml(card.card4No)} (charged at once, no card form)</label><br>`,
    )
    .join('\n');
  return layout(
    'nestjs-ecpay demo shop',
    `${info.notice ? `<p id="notice">${escapeHtml(info.notice)}</p>` : ''}<p>Merchant <b>${escapeHtml(info.merchantId)}</b>; payments go to ${where}.</p>
<form method="post" action="/checkout" id="cart">
<table><tr><th>Product</th><th>Price</th><th>Quantity</th></tr>
${rows}</table>
<h2>Payment</h2>${plans}${saved}
<p><button type="submit" id="buy">Check out</button></p></form>
<h2>Saved cards</h2>
<form method="post" action="/cards/bind"><button type="submit" id="save-card">Save a card with ECPay</button>
<small>ECPay's card form takes the number; the shop only ever sees the first six and last four digits.</small></form>`,
  );
}

export function ordersPage(orders: readonly OrderView[]): string {
  const rows = orders
    .map(
      (
        o,
      ) => `<tr id="order-${escapeHtml(o.merchantTradeNo)}"><td><a href="/orders/${escapeHtml(o.merchantTradeNo)}">${escapeHtml(o.merchantTradeNo)}</a><br><small>${escapeHtml(o.createdAt)}</small></td>
<td>NT$${o.totalAmount}</td><td>${escapeHtml(o.choosePayment)}${o.paymentType ? `<br><small>${escapeHtml(o.paymentType)}</small>` : ''}</td>
<td class="${escapeHtml(o.status)} status">${escapeHtml(o.status)}${o.simulated ? ' (simulated)' : ''}</td>
<td>${o.notifications.map((n) => `${escapeHtml(n.kind)}: ${escapeHtml(n.outcome)}, event ${escapeHtml(n.event ?? '–')} ${escapeHtml(n.dispatch)}`).join('<br>') || '<small>none yet</small>'}</td></tr>`,
    )
    .join('\n');
  return layout(
    'Orders',
    `<p><small>Refreshes every 3 seconds: notifications arrive from ECPay's servers, not from your browser.</small></p>
<table><tr><th>Order</th><th>Amount</th><th>Method</th><th>Status</th><th>Notifications (outcome, event, dispatch)</th></tr>
${rows || '<tr><td colspan="5">No orders yet.</td></tr>'}</table>`,
    '<meta http-equiv="refresh" content="3">',
  );
}

/**
 * How the order page offers refunds: `open` (the sandbox, no admin token set), `admin` (the form asks for the admin
 * token) or `disabled` (outside the sandbox without ECPAY_DEMO_ADMIN_TOKEN). The form always carries `csrfToken`.
 */
export interface RefundForm {
  readonly refunds: 'open' | 'admin' | 'disabled';
  readonly csrfToken: string;
}

export function orderPage(
  order: OrderView,
  rtnCode: string | undefined,
  refund: string | undefined,
  form: RefundForm,
): string {
  const notifications = order.notifications
    .map(
      (n) =>
        `<li>${escapeHtml(n.receivedAt)} ${escapeHtml(n.kind)}: ${escapeHtml(n.outcome)} → ${escapeHtml(n.event ?? '–')} (${escapeHtml(n.dispatch)}, ${n.attempts} attempts${n.lastError ? `, last error ${escapeHtml(n.lastError)}` : ''})</li>`,
    )
    .join('');
  const browser =
    rtnCode === undefined
      ? ''
      : `<p>ECPay told your browser: RtnCode ${escapeHtml(rtnCode)}${rtnCode === '1' ? ' (paid)' : ''}. The order's status below comes from the server-to-server notification.</p>`;
  const refunded =
    refund === undefined
      ? ''
      : refund === 'done'
        ? '<p id="refund-result">Refunded.</p>'
        : `<p id="refund-result" class="failed">Refund refused: ${escapeHtml(refund)}</p>`;
  const adminField =
    form.refunds === 'admin'
      ? '<label>Admin token <input type="password" name="adminToken" id="admin-token" autocomplete="off" required></label> '
      : '';
  const refundButton =
    order.status !== 'paid' && order.status !== 'partially-refunded'
      ? ''
      : form.refunds === 'disabled'
        ? '<p id="refund-disabled"><small>Refunds are disabled: outside the sandbox they need ECPAY_DEMO_ADMIN_TOKEN.</small></p>'
        : `<form method="post" action="/orders/${escapeHtml(order.merchantTradeNo)}/refund"><input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(form.csrfToken)}">${adminField}<button id="refund" type="submit">Refund in full</button></form>`;
  return layout(
    `Order ${order.merchantTradeNo}`,
    `${browser}${refunded}${refundButton}<p>Status: <span id="status" class="${escapeHtml(order.status)}">${escapeHtml(order.status)}</span> — NT$${order.totalAmount}, ${escapeHtml(order.choosePayment)}</p>
<h2>Notifications</h2><ul>${notifications || '<li>none yet (this page refreshes every 3 seconds)</li>'}</ul>`,
    order.status === 'paid' ? '' : '<meta http-equiv="refresh" content="3">',
  );
}
