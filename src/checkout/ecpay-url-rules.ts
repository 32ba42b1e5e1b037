/**
 * The rules every URL handed to ECPay follows, whatever the API (AIO checkout, BackAuth, binding): absolute http(s),
 * no credentials, ASCII only — a Chinese domain in punycode (docs/protocol.md §5.6). Returns the parsed URL for
 * API-specific rules, or undefined when it does not parse or carries credentials: a URL with a user name or password
 * is refused outright, and no later rule gets to quote it (the excerpts callers attach drop the userinfo too).
 */
export function checkEcpayUrl(
  value: string,
  add: (rule: string, message: string, value?: string) => void,
): URL | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    add('url', 'must be an absolute http(s) URL', value);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') add('url', 'must use http or https', value);
  if (url.username || url.password) {
    add('url', 'must not contain credentials');
    return undefined;
  }
  if (/[^\x21-\x7e]/.test(value)) add('url-ascii', `must be ASCII: use ${url.href} (the host in punycode)`, value);
  return url;
}
