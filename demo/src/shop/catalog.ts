/** What the demo shop sells: integer TWD prices, names with the characters ECPay's forms must carry safely. */
export interface Product {
  readonly id: string;
  readonly name: string;
  readonly price: number;
}

export const CATALOG: readonly Product[] = [
  { id: 'oolong', name: '阿里山高山烏龍茶 150g', price: 680 },
  { id: 'pineapple', name: '鳳梨酥禮盒 (12入)', price: 450 },
  { id: 'nougat', name: "Grandma's peanut nougat", price: 220 },
];

/** How the customer pays: each maps to one All-in-One payment option of the library. */
export const PLANS = {
  credit: 'Credit card, one payment',
  installments: 'Credit card, 3 / 6 / 12 installments',
  periodic: 'Subscription: charged monthly, 12 times',
  'bind-card': 'Credit card, and remember it for next time',
  atm: 'ATM transfer',
  cvs: 'Convenience store code',
  barcode: 'Convenience store barcode',
  all: "Let me choose on ECPay's page",
} as const;

export type Plan = keyof typeof PLANS;
export const isPlan = (value: unknown): value is Plan => typeof value === 'string' && Object.hasOwn(PLANS, value);
