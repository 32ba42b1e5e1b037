import { formatEcpayDateTime, type EcpayNotification } from 'nestjs-ecpay';
import { CSRF_FIELD } from '../security/demo-csrf.js';
import { escapeHtml, layout } from '../shop/shop-pages.js';
import { perMinuteChart } from './ops-chart.js';
import type { OpsView } from './ops-view.service.js';

/** How the page offers re-drives, like the order page offers refunds (see RefundForm). */
export interface OpsForms {
  readonly redrives: 'open' | 'admin' | 'disabled';
  readonly csrfToken: string;
  /** The sandbox-only switch that makes the payment handler fail; undefined outside the sandbox. */
  readonly handlerFails?: boolean;
  readonly notice?: string;
}

const taipei = (date: Date | null): string => (date ? formatEcpayDateTime(date) : '–');
const csrf = (token: string): string => `<input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(token)}">`;

function redriveForm(event: EcpayNotification, forms: OpsForms): string {
  if (forms.redrives === 'disabled') return '<small>re-drive needs ECPAY_DEMO_ADMIN_TOKEN</small>';
  const admin =
    forms.redrives === 'admin'
      ? '<input type="password" name="adminToken" autocomplete="off" required placeholder="admin token" aria-label="Admin token"> '
      : '';
  return `<form method="post" action="/ops/events/${escapeHtml(event.id)}/redrive">${csrf(forms.csrfToken)}${admin}<button type="submit" class="redrive">Re-drive</button></form>`;
}

function eventRow(event: EcpayNotification, action: string): string {
  return `<tr id="event-${escapeHtml(event.id)}"><td><small>${escapeHtml(event.id)}</small><br>${escapeHtml(event.eventName ?? '–')}</td>
<td><a href="/orders/${escapeHtml(event.merchantTradeNo)}">${escapeHtml(event.merchantTradeNo)}</a></td>
<td class="${escapeHtml(event.dispatchStatus)} dispatch">${escapeHtml(event.dispatchStatus)}</td><td>${event.attempts}</td>
<td>${escapeHtml(event.lastError ?? '–')}</td><td>${escapeHtml(taipei(event.receivedAt))}</td><td>${action}</td></tr>`;
}

const EVENT_HEADER =
  '<tr><th>Event</th><th>Order</th><th>Dispatch</th><th>Attempts</th><th>Last error</th><th>Received (Asia/Taipei)</th><th></th></tr>';

export function opsPage(view: OpsView, forms: OpsForms): string {
  const statuses = (['failed', 'pending', 'done', 'none'] as const)
    .map(
      (status) => `<tr><td class="${status}">${status}</td><td id="count-${status}">${view.byStatus[status]}</td></tr>`,
    )
    .join('');
  const parked = view.parked.map((event) => eventRow(event, redriveForm(event, forms))).join('\n');
  const recent = view.recent.map((event) => eventRow(event, '')).join('\n');
  const breakers = view.breakers
    .map(
      (b) =>
        `<tr><td>${escapeHtml(b.name)} (${escapeHtml(b.merchantId)})</td><td class="breaker">${
          b.openUntil === 'unreadable'
            ? 'store unreachable'
            : b.openUntil
              ? `<span class="failed">open</span> until ${escapeHtml(taipei(b.openUntil))} (HTTP 403: calls paused)`
              : '<span class="paid">closed</span>'
        }</td></tr>`,
    )
    .join('');
  const unresolved = view.unresolved
    .map(
      (a) =>
        `<tr><td><small>${escapeHtml(a.id)}</small></td><td>${escapeHtml(a.operation)} ${escapeHtml(a.action)}${a.amount === null ? '' : ` NT$${a.amount}`}</td>
<td><a href="/orders/${escapeHtml(a.merchantTradeNo)}">${escapeHtml(a.merchantTradeNo)}</a></td><td>${escapeHtml(a.status)}</td><td>${escapeHtml(taipei(a.requestedAt))}</td></tr>`,
    )
    .join('\n');
  const faults =
    forms.handlerFails === undefined
      ? ''
      : `<h2>Sandbox: break the payment handler</h2><form method="post" action="/ops/handler-failure">${csrf(forms.csrfToken)}
<input type="hidden" name="fail" value="${forms.handlerFails ? 'off' : 'on'}">
<p>The payment handler is <b id="handler-state">${forms.handlerFails ? 'failing' : 'working'}</b>. <button type="submit" id="handler-switch">${forms.handlerFails ? 'Mend it' : 'Make it fail'}</button>
<small>Its events are then retried with backoff and parked as failed.</small></p></form>`;
  return layout(
    'Operations',
    `${forms.notice ? `<p id="notice">${escapeHtml(forms.notice)}</p>` : ''}<p><small>${forms.redrives === 'admin' ? 'Reload for fresh figures' : 'Refreshes every 5 seconds'}. From a terminal: <code>ecpay events list --status failed</code>, <code>ecpay events redrive &lt;id&gt;</code> (with <code>ECPAY_DATABASE_URL</code>).</small></p>
<h2>Notifications, last hour</h2>${perMinuteChart(view.perMinute)}
<h2>Events by dispatch status</h2><table id="by-status">${statuses}</table>
<h2>Parked events</h2><table id="parked">${EVENT_HEADER}
${parked || '<tr><td colspan="7">None: every event reached its handlers (or is still being retried).</td></tr>'}</table>
<h2>Latest events</h2><table id="recent">${EVENT_HEADER}
${recent || '<tr><td colspan="7">No notifications yet.</td></tr>'}</table>
<h2>ECPay 403 breaker</h2><table id="breakers">${breakers}</table>
<h2>Actions of unknown outcome</h2><table id="unresolved"><tr><th>Action</th><th>What</th><th>Order</th><th>Status</th><th>Requested</th></tr>
${unresolved || '<tr><td colspan="5">None.</td></tr>'}</table>
<p><small>Ask ECPay (back office, or a query) how each went, then <code>ecpay actions resolve &lt;id&gt; --outcome succeeded|failed</code>.</small></p>
${faults}`,
    // Not while an admin may be typing the token into a re-drive form.
    forms.redrives === 'admin' ? '' : '<meta http-equiv="refresh" content="5">',
  );
}
