import { EcpayValidationError, type EcpayValidationIssue, excerpt } from '../errors/ecpay-validation.error.js';
import { formatEcpayDateTime } from '../time/ecpay-time.js';
import type { EcpayBackAuthInput } from './back-auth-input.interface.js';
import { EcpayBackAuthRequest } from './back-auth-request.js';
import { isAmex, normalizeCardNumber, passesCardCheck } from './card-number.js';
import { ISO_3166_1 } from './iso-3166-1.js';
import { checkEcpayUrl } from '../checkout/ecpay-url-rules.js';
import {
  ALPHANUMERIC,
  BACK_AUTH_MAX_LENGTH,
  CREDIT_INSTALLMENTS,
  MERCHANT_ID_PATTERN,
  MERCHANT_TRADE_NO_MAX_LENGTH,
  PERIOD_BOUNDS,
} from '../rules/index.js';

/**
 * Every rule of ECPay's BackAuth page (docs/protocol.md §7.6) checked before anything is sent, all problems reported at
 * once.
 *
 * Card fields (CardNo, CardValidMM, CardValidYY, CardCVV2) never get a `value` excerpt and their messages never
 * quote them: an EcpayValidationError ends up in logs and error trackers. Consumer fields (e-mail, phone, name,
 * address) get no excerpt either — they are personal data, and the field name says enough.
 */

/**
 * Field names per object, in the order of ECPay's BackAuth page; anything else is a typo ECPay would silently ignore.
 */
const KNOWN_FIELDS = {
  top: ['OrderInfo', 'CardInfo', 'ConsumerInfo', 'CustomField'],
  OrderInfo: ['MerchantTradeNo', 'TotalAmount', 'ItemName', 'items', 'TradeDesc', 'ReturnURL'],
  CardInfo: [
    'CardNo',
    'CardValidMM',
    'CardValidYY',
    'CardCVV2',
    'DirectCapture',
    'Redeem',
    'CreditInstallment',
    'PeriodAmount',
    'PeriodType',
    'Frequency',
    'ExecTimes',
    'PeriodReturnURL',
    'OrderResultURL',
  ],
  ConsumerInfo: ['MerchantMemberID', 'Email', 'Phone', 'Name', 'CountryCode', 'Address'],
} as const;

/** Fields the library fills in; setting them in the input is a mistake worth naming. */
const LIBRARY_FIELDS: Readonly<Record<string, string>> = {
  MerchantID: 'comes from the configured merchant',
  MerchantTradeDate: 'is taken from the clock when the request is built',
  ChoosePayment: 'is always "Credit" for BackAuth',
};

const PERIODIC_FIELDS = ['PeriodAmount', 'PeriodType', 'Frequency', 'ExecTimes', 'PeriodReturnURL'] as const;

// BackAuth's Name (docs/protocol.md §7.6): Chinese, Latin letters and , . ( ) / – (en dash as printed, and the ASCII
// hyphen it stands for).
const CONSUMER_NAME = /^[\p{Script=Han}\p{Script=Latin}\p{M} ,.()/\-–]+$/u;
const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

const NUMERIC_COUNTRIES: ReadonlySet<string> = new Set(ISO_3166_1.map(([numeric]) => numeric));
const NUMERIC_BY_LETTERS: ReadonlyMap<string, string> = new Map(
  ISO_3166_1.flatMap(
    ([numeric, alpha2, alpha3]) =>
      [
        [alpha2, numeric],
        [alpha3, numeric],
      ] as [string, string][],
  ),
);

/** Options of {@link validateBackAuthInput}. */
export interface BackAuthValidationOptions {
  /** Also check the MerchantID the Data will carry (String(10)). */
  readonly merchantId?: string;
}

/**
 * Checks a BackAuth input against ECPay's BackAuth rules (docs/protocol.md §7.6) and throws one
 * {@link EcpayValidationError} listing every problem. `now` is the instant the request is made: card expiry is judged
 * by its Asia/Taipei month.
 *
 * @publicApi
 */
export function validateBackAuthInput(
  input: EcpayBackAuthInput | EcpayBackAuthRequest,
  now: Date,
  options: BackAuthValidationOptions = {},
): void {
  const issues = collectBackAuthIssues(input, now, options);
  if (issues.length > 0) throw new EcpayValidationError(issues);
}

type Add = (field: string, rule: string, message: string, value?: unknown) => void;
type Fields = Readonly<Record<string, unknown>>;

/** The problems {@link validateBackAuthInput} would throw, in field order; empty when ECPay should accept it. */
export function collectBackAuthIssues(
  input: EcpayBackAuthInput | EcpayBackAuthRequest,
  now: Date,
  options: BackAuthValidationOptions = {},
): EcpayValidationIssue[] {
  const issues: EcpayValidationIssue[] = [];
  const add: Add = (field, rule, message, value) =>
    void issues.push(
      typeof value === 'string' ? { field, rule, message, value: excerpt(value) } : { field, rule, message },
    );

  const raw: unknown = input instanceof EcpayBackAuthRequest ? input.unwrap() : input;
  if (
    options.merchantId !== undefined &&
    (typeof options.merchantId !== 'string' || !MERCHANT_ID_PATTERN.test(options.merchantId))
  ) {
    add('MerchantID', 'format', 'must be 1–10 letters or digits (the configured MerchantID)');
  }
  if (!isObject(raw)) {
    add('input', 'type', 'must be an object with OrderInfo and CardInfo');
    return issues;
  }
  unknownFields(raw, KNOWN_FIELDS.top, '', add);
  const order = objectAt(raw, 'OrderInfo', true, add);
  const card = objectAt(raw, 'CardInfo', true, add);
  const consumer = objectAt(raw, 'ConsumerInfo', false, add);

  if (order) checkOrder(order, add);
  if (card) checkCard(card, now, add);
  if (
    order &&
    card &&
    typeof order.ReturnURL === 'string' &&
    order.ReturnURL !== '' &&
    order.ReturnURL === card.OrderResultURL
  ) {
    add(
      'CardInfo.OrderResultURL',
      'distinct',
      "must differ from ReturnURL (one is for ECPay's server, the other for the browser)",
    );
  }
  if (consumer) checkConsumer(consumer, add);
  optionalText(raw, 'CustomField', 'CustomField', add);
  return issues;
}

function checkOrder(order: Fields, add: Add): void {
  unknownFields(order, KNOWN_FIELDS.OrderInfo, 'OrderInfo.', add);
  const no = order.MerchantTradeNo;
  if (no !== undefined) {
    if (typeof no !== 'string' || !ALPHANUMERIC.test(no)) {
      add(
        'OrderInfo.MerchantTradeNo',
        'pattern',
        'must contain only letters and digits (a-zA-Z0-9); omit it to have one generated',
        no,
      );
    } else if (no.length > MERCHANT_TRADE_NO_MAX_LENGTH) {
      add(
        'OrderInfo.MerchantTradeNo',
        'max-length',
        `must be at most ${MERCHANT_TRADE_NO_MAX_LENGTH} characters (got ${no.length})`,
        no,
      );
    }
  }
  const total = order.TotalAmount;
  if (total === undefined) add('OrderInfo.TotalAmount', 'required', 'is required');
  else if (!isPositiveInteger(total))
    add('OrderInfo.TotalAmount', 'integer', 'must be a positive integer amount of TWD (no decimals)', String(total));

  const hasName = order.ItemName !== undefined;
  const hasItems = order.items !== undefined;
  if (hasName && hasItems) add('OrderInfo.ItemName', 'exclusive', 'give either ItemName or items, not both');
  else if (!hasName && !hasItems) add('OrderInfo.ItemName', 'required', 'is required (or give items)');
  else if (hasName) {
    if (requiredText(order, 'ItemName', 'OrderInfo.ItemName', add) === '')
      add('OrderInfo.ItemName', 'required', 'must not be empty');
  } else checkItems(order.items, total, add);

  // Required but may be empty: ECPay's own BackAuth example sends "TradeDesc": "". (docs/protocol.md §7.6)
  requiredText(order, 'TradeDesc', 'OrderInfo.TradeDesc', add);
  const returnUrl = requiredText(order, 'ReturnURL', 'OrderInfo.ReturnURL', add);
  if (returnUrl !== undefined) checkUrl('OrderInfo.ReturnURL', returnUrl, add);
}

function checkItems(items: unknown, total: unknown, add: Add): void {
  if (!Array.isArray(items) || items.length === 0) {
    add('OrderInfo.items', 'required', 'must be a non-empty array of { name, price, quantity }');
    return;
  }
  let sum = 0;
  const names: string[] = [];
  items.forEach((item: unknown, index) => {
    const at = `OrderInfo.items[${index}]`;
    const fields: Fields = isObject(item) ? item : {};
    const name = typeof fields.name === 'string' ? fields.name.trim() : '';
    if (name === '') add(`${at}.name`, 'required', 'an item needs a name');
    // "#" separates items in ItemName: inside a name it would split one item into two on ECPay's records.
    if (name.includes('#'))
      add(`${at}.name`, 'item-separator', '"#" separates items in ItemName; use "＃" (U+FF03) or "No."', name);
    if (!Number.isSafeInteger(fields.price) || (fields.price as number) < 0) {
      add(`${at}.price`, 'integer', 'must be a non-negative integer amount of TWD', String(fields.price));
    }
    if (!isPositiveInteger(fields.quantity))
      add(`${at}.quantity`, 'integer', 'must be a positive integer', String(fields.quantity));
    sum += (fields.price as number) * (fields.quantity as number);
    names.push(itemLine(name, fields.quantity));
  });
  if (Number.isSafeInteger(sum) && isPositiveInteger(total) && sum !== total) {
    add('OrderInfo.TotalAmount', 'items-total', `is ${total as number} but the items add up to ${sum}`);
  }
  const itemName = names.join('#');
  const max = BACK_AUTH_MAX_LENGTH['OrderInfo.ItemName'];
  if ([...itemName].length > max)
    add(
      'OrderInfo.items',
      'max-length',
      `make an ItemName of ${[...itemName].length} characters; ECPay takes at most ${max}`,
    );
}

/** How one item reads in ItemName (shared with the builder so the length check measures what is sent). */
export const itemLine = (name: string, quantity: unknown): string => `${name} x${String(quantity)}`;

function checkCard(card: Fields, now: Date, add: Add): void {
  unknownFields(card, KNOWN_FIELDS.CardInfo, 'CardInfo.', add);

  // No value excerpt and no quoting anywhere below for the four card fields.
  const cardNo = card.CardNo;
  let digits: string | undefined;
  if (cardNo === undefined || cardNo === '') add('CardInfo.CardNo', 'required', 'is required');
  else if (typeof cardNo !== 'string') add('CardInfo.CardNo', 'type', 'must be a string of digits');
  else {
    const normalized = normalizeCardNumber(cardNo);
    if (!/^\d{13,19}$/.test(normalized)) {
      add(
        'CardInfo.CardNo',
        'card-number',
        'the card number must be 13–19 digits (spaces and dashes between groups are allowed)',
      );
    } else if (!passesCardCheck(normalized)) {
      add('CardInfo.CardNo', 'luhn', 'the card number fails the Luhn check');
    } else digits = normalized;
  }

  const mm = card.CardValidMM;
  const yy = card.CardValidYY;
  const monthOk = typeof mm === 'string' && /^(?:0[1-9]|1[0-2])$/.test(mm);
  const yearOk = typeof yy === 'string' && /^\d{2}$/.test(yy);
  if (mm === undefined || mm === '') add('CardInfo.CardValidMM', 'required', 'is required');
  else if (!monthOk) add('CardInfo.CardValidMM', 'format', 'the expiry month must be two digits, 01–12');
  if (yy === undefined || yy === '') add('CardInfo.CardValidYY', 'required', 'is required');
  else if (!yearOk) add('CardInfo.CardValidYY', 'format', 'the expiry year must be two digits (YY)');
  if (monthOk && yearOk) {
    // A card is valid through the last day of its month; compare whole months in Taipei, where ECPay and the banks are.
    const [year, month] = formatEcpayDateTime(now).split(/[/ ]/).map(Number) as [number, number];
    if (2000 + Number(yy) < year || (2000 + Number(yy) === year && Number(mm) < month)) {
      add(
        'CardInfo.CardValidYY',
        'expired',
        'the card has expired (its expiry month is before the current month in Asia/Taipei)',
      );
    }
  }

  const cvv = card.CardCVV2;
  if (cvv === undefined || cvv === '') add('CardInfo.CardCVV2', 'required', 'is required');
  else if (typeof cvv !== 'string' || !/^\d{3,4}$/.test(cvv))
    add('CardInfo.CardCVV2', 'format', 'the security code must be 3 or 4 digits');
  else if (digits !== undefined && isAmex(digits) && cvv.length !== 4) {
    add('CardInfo.CardCVV2', 'format', 'the security code of an American Express card has 4 digits');
  } else if (digits !== undefined && !isAmex(digits) && cvv.length !== 3) {
    add('CardInfo.CardCVV2', 'format', 'the security code has 3 digits (4 only on American Express cards)');
  }

  if (card.DirectCapture === undefined)
    add(
      'CardInfo.DirectCapture',
      'required',
      'is required: "1" to capture right after authorizing, "0" to capture later',
    );
  else flag(card, 'DirectCapture', add);
  if (card.Redeem !== undefined) flag(card, 'Redeem', add);

  const installments = optionalText(card, 'CreditInstallment', 'CardInfo.CreditInstallment', add);
  if (installments !== undefined && installments.split(',').some((count) => !CREDIT_INSTALLMENTS.has(count))) {
    add(
      'CardInfo.CreditInstallment',
      'enum',
      'must be installment counts separated by commas (3, 6, 12, 18, 24, 30, 30N), e.g. "3,6,12"',
      installments,
    );
  }

  checkPeriodic(card, add);
  const orderResultUrl = optionalText(card, 'OrderResultURL', 'CardInfo.OrderResultURL', add);
  if (orderResultUrl !== undefined) checkUrl('CardInfo.OrderResultURL', orderResultUrl, add);
}

function checkPeriodic(card: Fields, add: Add): void {
  if (!PERIODIC_FIELDS.some((field) => card[field] !== undefined)) return;
  // ECPay's BackAuth page marks all five "required if" periodic: one without the others is a half-configured plan.
  for (const field of PERIODIC_FIELDS) {
    if (card[field] === undefined)
      add(
        `CardInfo.${field}`,
        'required',
        `is required for a periodic authorization (${PERIODIC_FIELDS.join(', ')} go together)`,
      );
  }
  if (card.PeriodAmount !== undefined && !isPositiveInteger(card.PeriodAmount)) {
    add('CardInfo.PeriodAmount', 'integer', 'must be a positive integer amount of TWD', String(card.PeriodAmount));
  }
  const type = card.PeriodType;
  const bounds = typeof type === 'string' ? PERIOD_BOUNDS[type] : undefined;
  if (type !== undefined && !bounds)
    add('CardInfo.PeriodType', 'enum', 'must be D (daily), M (monthly) or Y (yearly)', String(type));
  for (const [field, max] of [
    ['Frequency', bounds?.frequency],
    ['ExecTimes', bounds?.execTimes],
  ] as const) {
    const value = card[field];
    if (value === undefined) continue;
    if (!isPositiveInteger(value)) add(`CardInfo.${field}`, 'integer', 'must be a positive integer', String(value));
    else if (max !== undefined && value > max)
      add(`CardInfo.${field}`, 'range', `must be from 1 to ${max} for PeriodType ${String(type)}`, String(value));
  }
  const url = optionalText(card, 'PeriodReturnURL', 'CardInfo.PeriodReturnURL', add);
  if (url !== undefined) checkUrl('CardInfo.PeriodReturnURL', url, add);
}

function checkConsumer(consumer: Fields, add: Add): void {
  unknownFields(consumer, KNOWN_FIELDS.ConsumerInfo, 'ConsumerInfo.', add);
  optionalText(consumer, 'MerchantMemberID', 'ConsumerInfo.MerchantMemberID', add);
  const email = optionalText(consumer, 'Email', 'ConsumerInfo.Email', add, false);
  if (email !== undefined && !EMAIL.test(email)) add('ConsumerInfo.Email', 'format', 'must be an e-mail address');
  const phone = optionalText(consumer, 'Phone', 'ConsumerInfo.Phone', add, false);
  if (phone !== undefined && !/^\d+$/.test(phone)) {
    add(
      'ConsumerInfo.Phone',
      'format',
      phone.startsWith('+')
        ? 'must be digits only: write the country code without "+" (886912345678)'
        : 'must be digits only (e.g. 0912345678 or 886912345678)',
    );
  }
  const name = optionalText(consumer, 'Name', 'ConsumerInfo.Name', add, false);
  if (name !== undefined && !CONSUMER_NAME.test(name)) {
    add('ConsumerInfo.Name', 'characters', 'may contain only Chinese or English letters, spaces and , . ( ) / -');
  }
  const country = optionalText(consumer, 'CountryCode', 'ConsumerInfo.CountryCode', add);
  if (country !== undefined && !NUMERIC_COUNTRIES.has(country)) {
    const numeric = NUMERIC_BY_LETTERS.get(country.toUpperCase());
    add(
      'ConsumerInfo.CountryCode',
      'iso-3166',
      numeric
        ? `must be the ISO 3166-1 numeric code: "${numeric}" for ${country.toUpperCase()}`
        : 'must be an ISO 3166-1 numeric country code (3 digits, e.g. "158" for Taiwan)',
      country,
    );
  }
  optionalText(consumer, 'Address', 'ConsumerInfo.Address', add, false);
}

function checkUrl(field: string, value: string, add: Add): void {
  checkEcpayUrl(value, (rule, message, excerpt) => add(field, rule, message, excerpt));
}

function flag(fields: Fields, name: 'DirectCapture' | 'Redeem', add: Add): void {
  if (fields[name] !== '0' && fields[name] !== '1')
    add(`CardInfo.${name}`, 'enum', 'must be "0" (no) or "1" (yes)', String(fields[name]));
}

/** A required string field; returns it when it is a string of allowed length (possibly empty). */
function requiredText(fields: Fields, name: string, path: TextField, add: Add): string | undefined {
  if (fields[name] === undefined) {
    add(path, 'required', 'is required');
    return undefined;
  }
  return optionalText(fields, name, path, add);
}

/** The Data fields with a String(n) length, named by their path. */
type TextField = keyof typeof BACK_AUTH_MAX_LENGTH;

/**
 * An optional string field of at most ECPay's String(n) for its path (as ECPay counts: code points); `quote` adds a
 * value excerpt to issues.
 */
function optionalText(fields: Fields, name: string, path: TextField, add: Add, quote = true): string | undefined {
  const max = BACK_AUTH_MAX_LENGTH[path];
  const value = fields[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    add(path, 'type', 'must be a string');
    return undefined;
  }
  const length = [...value].length;
  if (length > max) {
    add(path, 'max-length', `must be at most ${max} characters (got ${length})`, quote ? value : undefined);
    return undefined;
  }
  return value;
}

function objectAt(parent: Fields, name: string, required: boolean, add: Add): Fields | undefined {
  const value = parent[name];
  if (value === undefined) {
    if (required) add(name, 'required', 'is required');
    return undefined;
  }
  if (!isObject(value)) {
    add(name, 'type', 'must be an object');
    return undefined;
  }
  return value;
}

function unknownFields(fields: Fields, known: readonly string[], prefix: string, add: Add): void {
  for (const name of Object.keys(fields)) {
    if (known.includes(name) || fields[name] === undefined) continue;
    const why = LIBRARY_FIELDS[name];
    add(
      `${prefix}${name}`,
      'unknown-field',
      why ? `must not be set: it ${why}` : `is not a BackAuth ${prefix === '' ? 'Data' : prefix.slice(0, -1)} field`,
    );
  }
}

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isPositiveInteger = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;
