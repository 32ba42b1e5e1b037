/** Escapes text for an HTML attribute value or text node. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * A page that posts the signed fields to ECPay at once, as AioCheckOut requires a browser form POST. Every name and
 * value is HTML-escaped (the official Node SDK's form is not, so an ItemName of `"><script>` runs there); a CSP
 * nonce can be given for the one inline script, and a button covers browsers without JavaScript.
 *
 * @publicApi
 */
export function renderCheckoutForm(
  action: string,
  fields: Readonly<Record<string, string>>,
  options: { cspNonce?: string } = {},
): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
  const nonce = options.cspNonce === undefined ? '' : ` nonce="${escapeHtml(options.cspNonce)}"`;
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Redirecting to ECPay…</title></head>
<body>
<form id="ecpay-checkout" method="post" action="${escapeHtml(action)}" accept-charset="UTF-8">
${inputs}
<noscript><button type="submit">Continue to ECPay</button></noscript>
</form>
<script${nonce}>document.getElementById('ecpay-checkout').submit();</script>
</body></html>`;
}
