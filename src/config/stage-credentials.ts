/**
 * ECPay's public test credentials (docs/protocol.md §4.3). Anyone can sign with them, so production refuses them; they
 * are listed here only for that check and are never used as defaults.
 */
export const PUBLIC_STAGE_MERCHANT_IDS: ReadonlySet<string> = new Set([
  '3002607',
  '3002599',
  '2000132',
  '2000214',
  '2000933',
  '3085676',
]);

export const PUBLIC_STAGE_SECRETS: ReadonlySet<string> = new Set([
  'pwFHCqoQZGmho4w6',
  'EkRm7iFT261dpevs',
  'spPjZn66i0OhqJsQ',
  'hT5OJckN45isQTTs',
  '5294y06JbISpM5x9',
  'v77hoKGq4kWxNNIS',
  'ejCk326UnaZWKisg',
  'q9jcZX8Ib9LM8wYk',
  'XBERn1YOvpM9nfZc',
  'h1ONHk4P4yqbl5LK',
  '7b53896b742849d3',
  '37a0ad3c6ffa428b',
]);
