import { describe, expect, it } from '@jest/globals';
import type { EcpayBackAuthInput } from './back-auth-input.interface.js';
import { EcpayBackAuthRequest } from './back-auth-request.js';
import { ISO_3166_1 } from './iso-3166-1.js';
import { collectBackAuthIssues, validateBackAuthInput } from './validate-back-auth-input.js';
import { EcpayValidationError } from '../errors/ecpay-validation.error.js';
import { fullInput, minimalInput, NOW } from '../../test/back-auth/support/fixtures.js';

type Loose = Record<string, Record<string, unknown>> & { CustomField?: unknown };

/** A minimal valid input with one change applied. */
function variant(change: (input: Loose) => void, base: () => EcpayBackAuthInput = minimalInput): EcpayBackAuthInput {
  const input = structuredClone(base()) as unknown as Loose;
  change(input);
  return input as unknown as EcpayBackAuthInput;
}

const rulesOf = (input: EcpayBackAuthInput, now = NOW): string[] =>
  collectBackAuthIssues(input, now).map((issue) => `${issue.field}:${issue.rule}`);

const long = (length: number, char = 'a'): string => char.repeat(length);
const url = (length: number): string => `https://shop.example.com/${long(length - 25)}`;
const PERIODIC = {
  PeriodAmount: 500,
  PeriodType: 'M',
  Frequency: 1,
  ExecTimes: 12,
  PeriodReturnURL: 'https://shop.example.com/p',
};

describe('validateBackAuthInput (docs/protocol.md §7.6 rules)', () => {
  it('never quotes the user name or password of a URL, in an issue or the error message', () => {
    const input = variant((i) => {
      i.OrderInfo!.ReturnURL = 'https://shop-admin:s3cret-pass@shop.example.com/ecpay/return';
      i.CardInfo!.OrderResultURL = 'https://shop-admin:s3cret-pass@shop example.com/result';
    });
    const issues = collectBackAuthIssues(input, NOW);
    expect(issues).toContainEqual({
      field: 'OrderInfo.ReturnURL',
      rule: 'url',
      message: 'must not contain credentials',
    });
    expect(issues.map((issue) => `${issue.field}:${issue.rule}`)).toContain('CardInfo.OrderResultURL:url');
    const shown = JSON.stringify(issues) + new EcpayValidationError(issues).message;
    expect(shown).not.toContain('s3cret-pass');
    expect(shown).not.toContain('shop-admin');
  });

  it("accepts ECPay's stage test card although it fails the Luhn check (documented exemption)", () => {
    expect(rulesOf(variant((i) => (i.CardInfo!.CardNo = '4311-9522-2222-2222')))).toEqual([]);
    // One digit off is no longer the test card: Luhn applies again.
    expect(rulesOf(variant((i) => (i.CardInfo!.CardNo = '4311-9522-2222-2221')))).toEqual(['CardInfo.CardNo:luhn']);
  });

  it('accepts the minimal input (only what docs/protocol.md §7.6 requires) and the full one', () => {
    expect(rulesOf(minimalInput())).toEqual([]);
    expect(rulesOf(fullInput())).toEqual([]);
    expect(() => validateBackAuthInput(fullInput(), NOW)).not.toThrow();
    expect(() => validateBackAuthInput(new EcpayBackAuthRequest(fullInput()), NOW)).not.toThrow();
  });

  it.each<[string, (input: Loose) => void, string]>([
    // OrderInfo
    [
      'MerchantTradeNo with "_"',
      (i) => (i.OrderInfo!.MerchantTradeNo = 'ABC_123'),
      'OrderInfo.MerchantTradeNo:pattern',
    ],
    ['empty MerchantTradeNo', (i) => (i.OrderInfo!.MerchantTradeNo = ''), 'OrderInfo.MerchantTradeNo:pattern'],
    [
      'MerchantTradeNo of 21 characters',
      (i) => (i.OrderInfo!.MerchantTradeNo = long(21, 'A')),
      'OrderInfo.MerchantTradeNo:max-length',
    ],
    ['no TotalAmount', (i) => delete i.OrderInfo!.TotalAmount, 'OrderInfo.TotalAmount:required'],
    ['TotalAmount 0', (i) => (i.OrderInfo!.TotalAmount = 0), 'OrderInfo.TotalAmount:integer'],
    ['TotalAmount with decimals', (i) => (i.OrderInfo!.TotalAmount = 10.5), 'OrderInfo.TotalAmount:integer'],
    ['TotalAmount as text', (i) => (i.OrderInfo!.TotalAmount = '500'), 'OrderInfo.TotalAmount:integer'],
    ['neither ItemName nor items', (i) => delete i.OrderInfo!.ItemName, 'OrderInfo.ItemName:required'],
    [
      'both ItemName and items',
      (i) => (i.OrderInfo!.items = [{ name: 'a', price: 500, quantity: 1 }]),
      'OrderInfo.ItemName:exclusive',
    ],
    ['empty ItemName', (i) => (i.OrderInfo!.ItemName = ''), 'OrderInfo.ItemName:required'],
    ['ItemName of 401 characters', (i) => (i.OrderInfo!.ItemName = long(401)), 'OrderInfo.ItemName:max-length'],
    ['no TradeDesc', (i) => delete i.OrderInfo!.TradeDesc, 'OrderInfo.TradeDesc:required'],
    ['TradeDesc of 201 characters', (i) => (i.OrderInfo!.TradeDesc = long(201)), 'OrderInfo.TradeDesc:max-length'],
    ['no ReturnURL', (i) => delete i.OrderInfo!.ReturnURL, 'OrderInfo.ReturnURL:required'],
    ['relative ReturnURL', (i) => (i.OrderInfo!.ReturnURL = '/ecpay/return'), 'OrderInfo.ReturnURL:url'],
    ['ftp ReturnURL', (i) => (i.OrderInfo!.ReturnURL = 'ftp://shop.example.com/r'), 'OrderInfo.ReturnURL:url'],
    ['ReturnURL of 201 characters', (i) => (i.OrderInfo!.ReturnURL = url(201)), 'OrderInfo.ReturnURL:max-length'],
    [
      'ReturnURL with a Chinese domain',
      (i) => (i.OrderInfo!.ReturnURL = 'https://中文.tw/r'),
      'OrderInfo.ReturnURL:url-ascii',
    ],
    [
      'OrderResultURL equal to ReturnURL',
      (i) => (i.CardInfo!.OrderResultURL = i.OrderInfo!.ReturnURL),
      'CardInfo.OrderResultURL:distinct',
    ],
    // CardInfo
    ['no CardNo', (i) => delete i.CardInfo!.CardNo, 'CardInfo.CardNo:required'],
    ['CardNo with letters', (i) => (i.CardInfo!.CardNo = '4311x52222222222'), 'CardInfo.CardNo:card-number'],
    ['CardNo of 12 digits', (i) => (i.CardInfo!.CardNo = '431195222222'), 'CardInfo.CardNo:card-number'],
    ['CardNo of 20 digits', (i) => (i.CardInfo!.CardNo = '43119522222222222222'), 'CardInfo.CardNo:card-number'],
    ['CardNo failing Luhn', (i) => (i.CardInfo!.CardNo = '4311952222222223'), 'CardInfo.CardNo:luhn'],
    ['CardNo as a number', (i) => (i.CardInfo!.CardNo = 4311952222222222), 'CardInfo.CardNo:type'],
    ['no CardValidMM', (i) => delete i.CardInfo!.CardValidMM, 'CardInfo.CardValidMM:required'],
    ['CardValidMM 13', (i) => (i.CardInfo!.CardValidMM = '13'), 'CardInfo.CardValidMM:format'],
    ['CardValidMM 00', (i) => (i.CardInfo!.CardValidMM = '00'), 'CardInfo.CardValidMM:format'],
    ['one-digit CardValidMM', (i) => (i.CardInfo!.CardValidMM = '7'), 'CardInfo.CardValidMM:format'],
    ['no CardValidYY', (i) => delete i.CardInfo!.CardValidYY, 'CardInfo.CardValidYY:required'],
    ['four-digit CardValidYY', (i) => (i.CardInfo!.CardValidYY = '2030'), 'CardInfo.CardValidYY:format'],
    [
      'expiry last month',
      (i) => Object.assign(i.CardInfo!, { CardValidMM: '02', CardValidYY: '25' }),
      'CardInfo.CardValidYY:expired',
    ],
    [
      'expiry last year',
      (i) => Object.assign(i.CardInfo!, { CardValidMM: '12', CardValidYY: '24' }),
      'CardInfo.CardValidYY:expired',
    ],
    ['no CardCVV2', (i) => delete i.CardInfo!.CardCVV2, 'CardInfo.CardCVV2:required'],
    ['CVV of 2 digits', (i) => (i.CardInfo!.CardCVV2 = '22'), 'CardInfo.CardCVV2:format'],
    ['CVV of 5 digits', (i) => (i.CardInfo!.CardCVV2 = '22222'), 'CardInfo.CardCVV2:format'],
    ['4-digit CVV on a Visa card', (i) => (i.CardInfo!.CardCVV2 = '2222'), 'CardInfo.CardCVV2:format'],
    ['3-digit CVV on an Amex card', (i) => (i.CardInfo!.CardNo = '378282246310005'), 'CardInfo.CardCVV2:format'],
    ['no DirectCapture', (i) => delete i.CardInfo!.DirectCapture, 'CardInfo.DirectCapture:required'],
    ['DirectCapture "Y"', (i) => (i.CardInfo!.DirectCapture = 'Y'), 'CardInfo.DirectCapture:enum'],
    ['Redeem "Y" (docs/protocol.md §7.6 says 0/1)', (i) => (i.CardInfo!.Redeem = 'Y'), 'CardInfo.Redeem:enum'],
    ['CreditInstallment 5', (i) => (i.CardInfo!.CreditInstallment = '5'), 'CardInfo.CreditInstallment:enum'],
    [
      'CreditInstallment with spaces',
      (i) => (i.CardInfo!.CreditInstallment = '3, 6'),
      'CardInfo.CreditInstallment:enum',
    ],
    [
      'CreditInstallment of 21 characters',
      (i) => (i.CardInfo!.CreditInstallment = '3,6,12,18,24,30,3,6,1'),
      'CardInfo.CreditInstallment:max-length',
    ],
    ['OrderResultURL not a URL', (i) => (i.CardInfo!.OrderResultURL = 'result'), 'CardInfo.OrderResultURL:url'],
    // periodic
    ['PeriodType alone', (i) => (i.CardInfo!.PeriodType = 'M'), 'CardInfo.PeriodAmount:required'],
    [
      'periodic without PeriodReturnURL',
      (i) => Object.assign(i.CardInfo!, { ...PERIODIC, PeriodReturnURL: undefined }),
      'CardInfo.PeriodReturnURL:required',
    ],
    ['PeriodType W', (i) => Object.assign(i.CardInfo!, { ...PERIODIC, PeriodType: 'W' }), 'CardInfo.PeriodType:enum'],
    [
      'PeriodAmount 0',
      (i) => Object.assign(i.CardInfo!, { ...PERIODIC, PeriodAmount: 0 }),
      'CardInfo.PeriodAmount:integer',
    ],
    ['Frequency 0', (i) => Object.assign(i.CardInfo!, { ...PERIODIC, Frequency: 0 }), 'CardInfo.Frequency:integer'],
    [
      'D Frequency 366',
      (i) => Object.assign(i.CardInfo!, { ...PERIODIC, PeriodType: 'D', Frequency: 366 }),
      'CardInfo.Frequency:range',
    ],
    ['M Frequency 13', (i) => Object.assign(i.CardInfo!, { ...PERIODIC, Frequency: 13 }), 'CardInfo.Frequency:range'],
    [
      'Y Frequency 2',
      (i) => Object.assign(i.CardInfo!, { ...PERIODIC, PeriodType: 'Y', Frequency: 2, ExecTimes: 9 }),
      'CardInfo.Frequency:range',
    ],
    [
      'D ExecTimes 1000',
      (i) => Object.assign(i.CardInfo!, { ...PERIODIC, PeriodType: 'D', ExecTimes: 1000 }),
      'CardInfo.ExecTimes:range',
    ],
    ['M ExecTimes 100', (i) => Object.assign(i.CardInfo!, { ...PERIODIC, ExecTimes: 100 }), 'CardInfo.ExecTimes:range'],
    [
      'Y ExecTimes 10',
      (i) => Object.assign(i.CardInfo!, { ...PERIODIC, PeriodType: 'Y', ExecTimes: 10 }),
      'CardInfo.ExecTimes:range',
    ],
    ['ExecTimes 1.5', (i) => Object.assign(i.CardInfo!, { ...PERIODIC, ExecTimes: 1.5 }), 'CardInfo.ExecTimes:integer'],
    [
      'PeriodReturnURL not http',
      (i) => Object.assign(i.CardInfo!, { ...PERIODIC, PeriodReturnURL: 'mailto:a@b.c' }),
      'CardInfo.PeriodReturnURL:url',
    ],
    // ConsumerInfo
    ['ConsumerInfo not an object', (i) => ((i as Record<string, unknown>).ConsumerInfo = 'Test'), 'ConsumerInfo:type'],
    [
      'MerchantMemberID of 31 characters',
      (i) => (i.ConsumerInfo = { MerchantMemberID: long(31) }),
      'ConsumerInfo.MerchantMemberID:max-length',
    ],
    [
      'Email of 31 characters',
      (i) => (i.ConsumerInfo = { Email: `${long(19)}@example.com` }),
      'ConsumerInfo.Email:max-length',
    ],
    ['Email without @', (i) => (i.ConsumerInfo = { Email: 'customer.email.com' }), 'ConsumerInfo.Email:format'],
    ['Phone with +', (i) => (i.ConsumerInfo = { Phone: '+886912345678' }), 'ConsumerInfo.Phone:format'],
    ['Phone with dashes', (i) => (i.ConsumerInfo = { Phone: '0912-345-678' }), 'ConsumerInfo.Phone:format'],
    ['Phone of 61 digits', (i) => (i.ConsumerInfo = { Phone: long(61, '9') }), 'ConsumerInfo.Phone:max-length'],
    ['Name with digits', (i) => (i.ConsumerInfo = { Name: 'Test 123' }), 'ConsumerInfo.Name:characters'],
    ['Name in Cyrillic', (i) => (i.ConsumerInfo = { Name: 'Иван' }), 'ConsumerInfo.Name:characters'],
    ['Name with an apostrophe', (i) => (i.ConsumerInfo = { Name: "O'Brien" }), 'ConsumerInfo.Name:characters'],
    ['Name of 51 characters', (i) => (i.ConsumerInfo = { Name: long(51) }), 'ConsumerInfo.Name:max-length'],
    ['CountryCode TW (alpha-2)', (i) => (i.ConsumerInfo = { CountryCode: 'TW' }), 'ConsumerInfo.CountryCode:iso-3166'],
    [
      'CountryCode 999 (unassigned)',
      (i) => (i.ConsumerInfo = { CountryCode: '999' }),
      'ConsumerInfo.CountryCode:iso-3166',
    ],
    ['CountryCode 1580', (i) => (i.ConsumerInfo = { CountryCode: '1580' }), 'ConsumerInfo.CountryCode:max-length'],
    [
      'Address of 51 characters',
      (i) => (i.ConsumerInfo = { Address: long(51, '路') }),
      'ConsumerInfo.Address:max-length',
    ],
    ['CustomField of 201 characters', (i) => (i.CustomField = long(201)), 'CustomField:max-length'],
    // structure and typos
    ['no OrderInfo', (i) => delete i.OrderInfo, 'OrderInfo:required'],
    ['no CardInfo', (i) => delete i.CardInfo, 'CardInfo:required'],
    ['a misspelt card field', (i) => (i.CardInfo!.CardCVV = '222'), 'CardInfo.CardCVV:unknown-field'],
    [
      'MerchantTradeDate set by hand',
      (i) => (i.OrderInfo!.MerchantTradeDate = '2025/03/12 15:30:23'),
      'OrderInfo.MerchantTradeDate:unknown-field',
    ],
    [
      'MerchantID set by hand',
      (i) => ((i as Record<string, unknown>).MerchantID = '3002607'),
      'MerchantID:unknown-field',
    ],
  ])('flags %s', (_name, change, expected) => {
    expect(rulesOf(variant(change))).toContain(expected);
  });

  it.each<[string, (input: Loose) => void]>([
    ['spaces and dashes in CardNo', (i) => (i.CardInfo!.CardNo = '4311 9522-2222 2222')],
    [
      'an Amex card with a 4-digit CVV',
      (i) => Object.assign(i.CardInfo!, { CardNo: '3782 822463 10005', CardCVV2: '1234' }),
    ],
    ['a 19-digit card number', (i) => (i.CardInfo!.CardNo = '6011000000000000001')],
    ['an expiry in the current month', (i) => Object.assign(i.CardInfo!, { CardValidMM: '03', CardValidYY: '25' })],
    [
      'the largest D plan',
      (i) => Object.assign(i.CardInfo!, { ...PERIODIC, PeriodType: 'D', Frequency: 365, ExecTimes: 999 }),
    ],
    [
      'the largest Y plan',
      (i) => Object.assign(i.CardInfo!, { ...PERIODIC, PeriodType: 'Y', Frequency: 1, ExecTimes: 9 }),
    ],
    ['installments 3,6,12 and 30N', (i) => (i.CardInfo!.CreditInstallment = '3,6,12,30N')],
    ['Redeem 1', (i) => (i.CardInfo!.Redeem = '1')],
    ['a Chinese name with allowed punctuation', (i) => (i.ConsumerInfo = { Name: '王小明 (Wang, Xiao-Ming) / Jr.' })],
    ['a phone with the country code', (i) => (i.ConsumerInfo = { Phone: '886912345678' })],
    ['CountryCode 840', (i) => (i.ConsumerInfo = { CountryCode: '840' })],
    ["an empty TradeDesc (ECPay's BackAuth example, docs/protocol.md §7.6)", (i) => (i.OrderInfo!.TradeDesc = '')],
    [
      'items adding up to TotalAmount',
      (i) => {
        delete i.OrderInfo!.ItemName;
        i.OrderInfo!.items = [
          { name: 'Tea', price: 200, quantity: 2 },
          { name: 'Cake', price: 100, quantity: 1 },
        ];
      },
    ],
    ['an explicit undefined optional field', (i) => (i.CardInfo!.Redeem = undefined)],
  ])('accepts %s', (_name, change) => {
    expect(rulesOf(variant(change))).toEqual([]);
  });

  it('checks items: names, prices, quantities, the total, the ItemName length', () => {
    const rules = rulesOf(
      variant((i) => {
        delete i.OrderInfo!.ItemName;
        i.OrderInfo!.items = [
          { name: 'A#B', price: -1, quantity: 0 },
          { name: ' ', price: 1.5, quantity: 1 },
          { name: long(398), price: 10, quantity: 1 },
        ];
      }),
    );
    expect(rules).toEqual(
      expect.arrayContaining([
        'OrderInfo.items[0].name:item-separator',
        'OrderInfo.items[0].price:integer',
        'OrderInfo.items[0].quantity:integer',
        'OrderInfo.items[1].name:required',
        'OrderInfo.items[1].price:integer',
        'OrderInfo.items:max-length',
      ]),
    );
    expect(
      rulesOf(
        variant((i) => {
          delete i.OrderInfo!.ItemName;
          i.OrderInfo!.items = [{ name: 'Tea', price: 200, quantity: 2 }];
        }),
      ),
    ).toEqual(['OrderInfo.TotalAmount:items-total']);
    expect(
      rulesOf(
        variant((i) => {
          delete i.OrderInfo!.ItemName;
          i.OrderInfo!.items = [];
        }),
      ),
    ).toEqual(['OrderInfo.items:required']);
  });

  it('judges expiry by the Asia/Taipei month, whatever the server TZ', () => {
    const card = variant((i) => Object.assign(i.CardInfo!, { CardValidMM: '03', CardValidYY: '25' }));
    // 2025-03-31T15:59:59Z is still March in Taipei; one second later it is April 1st there (still March in UTC).
    expect(rulesOf(card, new Date('2025-03-31T15:59:59Z'))).toEqual([]);
    expect(rulesOf(card, new Date('2025-03-31T16:00:00Z'))).toEqual(['CardInfo.CardValidYY:expired']);
  });

  it('points an alpha-2 or alpha-3 country code at its numeric code', () => {
    const [tw] = collectBackAuthIssues(
      variant((i) => (i.ConsumerInfo = { CountryCode: 'TW' })),
      NOW,
    );
    expect(tw?.message).toContain('"158"');
    const [usa] = collectBackAuthIssues(
      variant((i) => (i.ConsumerInfo = { CountryCode: 'usa' })),
      NOW,
    );
    expect(usa?.message).toContain('"840"');
  });

  it('ships the full ISO 3166-1 list (249 codes, numeric, unique)', () => {
    expect(ISO_3166_1).toHaveLength(249);
    expect(new Set(ISO_3166_1.map(([numeric]) => numeric)).size).toBe(249);
    for (const [numeric, alpha2, alpha3] of ISO_3166_1) {
      expect(numeric).toMatch(/^\d{3}$/);
      expect(alpha2).toMatch(/^[A-Z]{2}$/);
      expect(alpha3).toMatch(/^[A-Z]{3}$/);
    }
    expect(ISO_3166_1).toContainEqual(['158', 'TW', 'TWN']);
    expect(ISO_3166_1).toContainEqual(['392', 'JP', 'JPN']);
  });

  it('checks the MerchantID it is given', () => {
    expect(collectBackAuthIssues(minimalInput(), NOW, { merchantId: '12345678901' }).map((i) => i.rule)).toEqual([
      'format',
    ]);
    expect(collectBackAuthIssues(minimalInput(), NOW, { merchantId: '3002607' })).toEqual([]);
  });

  it('rejects what is not an input object', () => {
    expect(rulesOf(null as unknown as EcpayBackAuthInput)).toEqual(['input:type']);
    expect(rulesOf([] as unknown as EcpayBackAuthInput)).toEqual(['input:type']);
  });

  it('reports every problem at once, in one EcpayValidationError', () => {
    const broken = variant((i) => {
      i.OrderInfo!.MerchantTradeNo = 'no-dashes-allowed';
      i.OrderInfo!.TotalAmount = 0;
      i.CardInfo!.CardNo = '4311952222222223';
      i.CardInfo!.CardValidMM = '13';
      i.CardInfo!.CardCVV2 = '1';
      delete i.CardInfo!.DirectCapture;
      i.ConsumerInfo = { Phone: '+886912345678', CountryCode: 'TW' };
    });
    let thrown: unknown;
    try {
      validateBackAuthInput(broken, NOW);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EcpayValidationError);
    const error = thrown as EcpayValidationError;
    expect(error.issues.map((issue) => `${issue.field}:${issue.rule}`)).toEqual([
      'OrderInfo.MerchantTradeNo:pattern',
      'OrderInfo.TotalAmount:integer',
      'CardInfo.CardNo:luhn',
      'CardInfo.CardValidMM:format',
      'CardInfo.CardCVV2:format',
      'CardInfo.DirectCapture:required',
      'ConsumerInfo.Phone:format',
      'ConsumerInfo.CountryCode:iso-3166',
    ]);
    expect(error.message).toContain('breaks 8 rules');
    expect(error.message).toContain('the card number fails the Luhn check');
  });

  it('never quotes a card field (or personal data) in an issue', () => {
    const secrets = { CardNo: '4311952222222223', CardValidMM: '13', CardValidYY: '3', CardCVV2: '98765' };
    const issues = collectBackAuthIssues(
      variant((i) => {
        Object.assign(i.CardInfo!, secrets);
        i.ConsumerInfo = { Email: 'not-an-email', Phone: '+886987654321', Name: 'Test 123' };
      }),
      NOW,
    );
    const cardIssues = issues.filter(
      (issue) => issue.field.startsWith('CardInfo.') || issue.field.startsWith('ConsumerInfo.'),
    );
    expect(cardIssues.map((issue) => issue.field)).toEqual([
      'CardInfo.CardNo',
      'CardInfo.CardValidMM',
      'CardInfo.CardValidYY',
      'CardInfo.CardCVV2',
      'ConsumerInfo.Email',
      'ConsumerInfo.Phone',
      'ConsumerInfo.Name',
    ]);
    for (const issue of cardIssues) expect(issue.value).toBeUndefined();
    const printed = JSON.stringify(new EcpayValidationError(issues)) + new EcpayValidationError(issues).message;
    for (const secret of ['4311952222222223', '98765', 'not-an-email', '886987654321', 'Test 123'])
      expect(printed).not.toContain(secret);
  });
});
