/**
 * ECPay's CheckMacValue encoding: .NET Framework `HttpUtility.UrlEncode` (UTF-8) followed by lower-casing the
 * whole string (PROTOCOL.md §1.2). ECPay's server is .NET, so this — not PHP's `urlencode` and not
 * `encodeURIComponent` — is the definition.
 *
 * `encodeURIComponent` is native and already agrees with .NET on every character but three: it leaves `'` and `~`
 * alone where .NET writes `%27` and `%7e`, and writes space as `%20` where .NET writes `+`. Fixing those three
 * keeps the hot path in native code (see docs/BENCHMARKS.md).
 *
 * @example ecpayUrlEncode("Items (Special)~Test") === "items+(special)%7etest"
 * @publicApi
 */
export function ecpayUrlEncode(value: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch {
    // A lone UTF-16 surrogate: .NET encodes it as U+FFFD (%ef%bf%bd); toWellFormed() does the same substitution.
    encoded = encodeURIComponent(value.toWellFormed());
  }
  if (NEEDS_DOTNET_FIX.test(encoded)) {
    encoded = encoded.replace(DOTNET_FIX, dotnetReplacement);
  }
  return encoded.toLowerCase();
}

const NEEDS_DOTNET_FIX = /%20|['~]/;
const DOTNET_FIX = /%20|['~]/g;
const dotnetReplacement = (match: string): string => (match === '%20' ? '+' : match === "'" ? '%27' : '%7e');
