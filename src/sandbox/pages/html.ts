/**
 * Escapes text for an HTML text node or a quoted attribute value. Every dynamic value of every page goes through it.
 */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** A trusted fragment of HTML: built only by these renderers, from escaped values. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/**
 * Tagged template that escapes every interpolated value unless it is already {@link Html} (or a list of them), so a
 * page cannot forget to escape: `html\`<p>${name}</p>\``.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((value, index) => {
    out += render(value) + strings[index + 1]!;
  });
  return new Html(out);
}

function render(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

/** Hidden inputs for a set of fields. */
export const hiddenInputs = (fields: Readonly<Record<string, string>>): Html[] =>
  Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`);

/**
 * The page frame: no external asset (the sandbox runs offline), a little inline CSS, and a marker that says this
 * is not ECPay. Scripts are inline and optional: every step also works as a plain form.
 */
export function page(title: string, body: Html): string {
  return html`<!doctype html>
    <html lang="zh-Hant">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · ECPay sandbox</title>
        <style>
          body {
            font-family: system-ui, sans-serif;
            max-width: 40rem;
            margin: 2rem auto;
            padding: 0 1rem;
            color: #222;
          }
          header {
            border-bottom: 3px solid #2a9d8f;
            margin-bottom: 1rem;
          }
          header small {
            color: #666;
          }
          table {
            border-collapse: collapse;
            width: 100%;
          }
          td,
          th {
            border-bottom: 1px solid #ddd;
            padding: 0.3rem;
            text-align: left;
          }
          label {
            display: block;
            margin: 0.5rem 0;
          }
          input,
          select {
            font-size: 1rem;
            padding: 0.3rem;
          }
          button {
            font-size: 1rem;
            padding: 0.4rem 1rem;
            margin: 0.5rem 0.5rem 0 0;
          }
          .error {
            color: #b00020;
            font-weight: bold;
          }
          .code {
            font-family: monospace;
            font-size: 1.3rem;
          }
        </style>
      </head>
      <body>
        <header>
          <h1>ECPay sandbox</h1>
          <small>A local stand-in for ECPay (綠界科技). No money moves here.</small>
        </header>
        <main>
          <h2>${title}</h2>
          ${body}
        </main>
      </body>
    </html>`.text;
}
