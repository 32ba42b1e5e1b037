import { describe, expect, it } from '@jest/globals';
import { EcpayMerchant } from '../config/ecpay-merchant.js';
import type { EcpayEnvironment } from '../config/ecpay-options.interface.js';
import { EcpayValidationError, type EcpayValidationIssue } from '../errors/ecpay-validation.error.js';
import { type AioParams, buildAioParams } from './build-aio-params.js';
import type { EcpayCheckoutOrder } from './checkout-order.interface.js';
import { validateAioParams } from './validate-aio-params.js';

const merchant = new EcpayMerchant('default', '3002607', undefined, {
  hashKey: 'pwFHCqoQZGmho4w6',
  hashIv: 'EkRm7iFT261dpevs',
});
const context = {
  merchant,
  now: new Date('2024-01-01T04:00:00Z'),
  merchantTradeNo: 'Test20240101',
  publicUrl: 'https://shop.example.com',
};
const order: EcpayCheckoutOrder = {
  items: [{ name: 'Oolong tea', price: 250, quantity: 2 }],
  description: 'Tea order',
  payment: { method: 'Credit' },
};

/** The fields of a valid credit order, with some fields replaced or (with `undefined`) removed. */
function fields(patch: Record<string, string | undefined> = {}, base: EcpayCheckoutOrder = order): AioParams {
  const { params, issues } = buildAioParams(base, context);
  expect(issues).toEqual([]);
  const result: Record<string, string | undefined> = { ...params, ...patch };
  for (const key of Object.keys(result)) if (result[key] === undefined) delete result[key];
  return result as AioParams;
}

const check = (
  params: AioParams,
  environment: EcpayEnvironment = 'stage',
): Pick<EcpayValidationIssue, 'field' | 'rule' | 'message'>[] =>
  validateAioParams(params, { environment }).map(({ field, rule, message }) => ({ field, rule, message }));

describe('validateAioParams', () => {
  it('accepts a valid order of every method', () => {
    const payments: EcpayCheckoutOrder['payment'][] = [
      { method: 'Credit' },
      { method: 'Credit', installments: [3, 6, 12] },
      { method: 'Credit', periodic: { periodType: 'M', frequency: 1, execTimes: 12 } },
      { method: 'Credit', bindCard: { memberId: 'member42' }, unionPay: 'hide', redeem: true },
      { method: 'ATM', expireDays: 7 },
      { method: 'CVS', expireMinutes: 4320, descriptions: ['Pay at the counter'] },
      { method: 'BARCODE', expireDays: 7 },
      { method: 'WebATM' },
      { method: 'ApplePay' },
      { method: 'TWQR' },
      { method: 'BNPL' },
      { method: 'ALL', ignore: ['ATM', 'CVS'], credit: { installments: [3] }, atm: { expireDays: 3 } },
    ];
    for (const payment of payments) expect(check(fields({}, { ...order, payment }))).toEqual([]);
    expect(check(fields(), 'production')).toEqual([]);
  });

  // One row per rule: the patch that breaks it and the exact issue expected (and the environment, if not stage).
  type Row = [
    string,
    Record<string, string | undefined>,
    { field: string; rule: string; message: string }[],
    EcpayEnvironment?,
  ];
  const rows: Row[] = [
    ['a required field', { TradeDesc: undefined }, [{ field: 'TradeDesc', rule: 'required', message: 'is required' }]],
    ['an empty required field', { ReturnURL: '' }, [{ field: 'ReturnURL', rule: 'required', message: 'is required' }]],
    [
      'an unknown field, with a suggestion',
      { BidingCard: '1' },
      [
        {
          field: 'BidingCard',
          rule: 'unknown-field',
          message: 'is not an AioCheckOut/V5 parameter; did you mean "BindingCard"?',
        },
      ],
    ],
    [
      'an unknown field',
      { Foo: '1' },
      [{ field: 'Foo', rule: 'unknown-field', message: 'is not an AioCheckOut/V5 parameter' }],
    ],
    [
      'MerchantTradeNo too long',
      { MerchantTradeNo: 'A'.repeat(21) },
      [{ field: 'MerchantTradeNo', rule: 'max-length', message: 'must be at most 20 characters (got 21)' }],
    ],
    [
      'MerchantTradeNo with an underscore',
      { MerchantTradeNo: 'Order_1' },
      [{ field: 'MerchantTradeNo', rule: 'pattern', message: 'must contain only letters and digits' }],
    ],
    [
      'MerchantTradeDate format',
      { MerchantTradeDate: '2024-01-01 12:00:00' },
      [{ field: 'MerchantTradeDate', rule: 'format', message: 'must be a date formatted yyyy/MM/dd HH:mm:ss' }],
    ],
    [
      'MerchantTradeDate impossible',
      { MerchantTradeDate: '2024/02/30 12:00:00' },
      [{ field: 'MerchantTradeDate', rule: 'format', message: 'must be a date formatted yyyy/MM/dd HH:mm:ss' }],
    ],
    ['PaymentType', { PaymentType: 'AIO' }, [{ field: 'PaymentType', rule: 'fixed', message: 'must be "aio"' }]],
    ['EncryptType', { EncryptType: '0' }, [{ field: 'EncryptType', rule: 'fixed', message: 'must be 1 (SHA256)' }]],
    [
      'ChoosePayment',
      { ChoosePayment: 'Cash' },
      [
        {
          field: 'ChoosePayment',
          rule: 'enum',
          message: 'must be one of ALL, Credit, WebATM, ATM, CVS, BARCODE, ApplePay, TWQR, BNPL',
        },
      ],
    ],
    [
      'TotalAmount with decimals',
      { TotalAmount: '100.5' },
      [{ field: 'TotalAmount', rule: 'integer', message: 'must be a positive integer amount of TWD (no decimals)' }],
    ],
    [
      'TotalAmount zero',
      { TotalAmount: '0' },
      [{ field: 'TotalAmount', rule: 'integer', message: 'must be a positive integer amount of TWD (no decimals)' }],
    ],
    [
      'TotalAmount under the Credit minimum',
      { TotalAmount: '4' },
      [{ field: 'TotalAmount', rule: 'amount-range', message: 'must be between 5 and 199999 TWD for Credit' }],
    ],
    [
      'TotalAmount over the Credit maximum',
      { TotalAmount: '200000' },
      [{ field: 'TotalAmount', rule: 'amount-range', message: 'must be between 5 and 199999 TWD for Credit' }],
    ],
    [
      'TotalAmount over the ATM maximum',
      { ChoosePayment: 'ATM', TotalAmount: '50000' },
      [{ field: 'TotalAmount', rule: 'amount-range', message: 'must be between 11 and 49999 TWD for ATM' }],
    ],
    [
      'TotalAmount under the CVS minimum',
      { ChoosePayment: 'CVS', TotalAmount: '32' },
      [{ field: 'TotalAmount', rule: 'amount-range', message: 'must be between 33 and 6000 TWD for CVS' }],
    ],
    [
      'TotalAmount over the BARCODE maximum',
      { ChoosePayment: 'BARCODE', TotalAmount: '20001' },
      [{ field: 'TotalAmount', rule: 'amount-range', message: 'must be between 17 and 20000 TWD for BARCODE' }],
    ],
    [
      'ItemName over 400 characters',
      { ItemName: '茶'.repeat(401) },
      [{ field: 'ItemName', rule: 'max-length', message: 'must be at most 400 characters (got 401)' }],
    ],
    [
      'an HTML tag',
      { ItemName: 'Tea <br> x1' },
      [{ field: 'ItemName', rule: 'html', message: 'must not contain HTML tags (ECPay rejects them)' }],
    ],
    [
      'an unclosed tag',
      { Remark: 'see <script src=x' },
      [{ field: 'Remark', rule: 'html', message: 'must not contain HTML tags (ECPay rejects them)' }],
    ],
    [
      'an HTML entity',
      { Remark: 'Tea &#60; cake' },
      [{ field: 'Remark', rule: 'html', message: 'must not contain HTML tags (ECPay rejects them)' }],
    ],
    ['a comparison that is not markup', { Remark: 'a < b > c, I <3 tea' }, []],
    [
      'TradeDesc special characters',
      { TradeDesc: 'Tea & cakes!' },
      [
        {
          field: 'TradeDesc',
          rule: 'special-characters',
          message: 'must not contain special characters (found "&" "!")',
        },
      ],
    ],
    [
      'TradeDesc over 200',
      { TradeDesc: 'a'.repeat(201) },
      [{ field: 'TradeDesc', rule: 'max-length', message: 'must be at most 200 characters (got 201)' }],
    ],
    [
      'a WAF command word',
      { ItemName: 'Echo Dot x1' },
      [
        {
          field: 'ItemName',
          rule: 'waf-command',
          message: 'contains "Echo", which ECPay\'s CDN blocks as a system command (error 10400011)',
        },
      ],
    ],
    [
      'a WAF "cd/"',
      { ItemName: 'CD/DVD drive x1' },
      [
        {
          field: 'ItemName',
          rule: 'waf-command',
          message: 'contains "CD/", which ECPay\'s CDN blocks as a system command (error 10400011)',
        },
      ],
    ],
    [
      'a WAF shell separator',
      { Remark: 'gift; ls' },
      [
        {
          field: 'Remark',
          rule: 'waf-command',
          message: 'contains "; ls", which ECPay\'s CDN blocks as a system command (error 10400011)',
        },
      ],
    ],
    [
      'a URL too long',
      { ReturnURL: `https://shop.example.com/${'a'.repeat(180)}` },
      [{ field: 'ReturnURL', rule: 'max-length', message: 'must be at most 200 characters (got 205)' }],
    ],
    [
      'a URL that is not one',
      { ClientBackURL: 'shop.example.com' },
      [{ field: 'ClientBackURL', rule: 'url', message: 'must be an absolute http(s) URL' }],
    ],
    [
      'a URL with another scheme',
      { ItemURL: 'ftp://shop.example.com/x' },
      [{ field: 'ItemURL', rule: 'url', message: 'must use http or https' }],
    ],
    [
      'a URL with a port',
      { ReturnURL: 'https://shop.example.com:8443/ecpay/return' },
      [{ field: 'ReturnURL', rule: 'url-port', message: 'must not name port 8443: ECPay only uses 80 and 443' }],
    ],
    [
      'a URL with credentials',
      { ClientBackURL: 'https://user:pw@shop.example.com/' },
      [{ field: 'ClientBackURL', rule: 'url', message: 'must not contain credentials' }],
    ],
    [
      "a non-ASCII URL set raw (ECPay's own example, docs/protocol.md §5.6)",
      { ClientBackURL: 'https://中文.tw/' },
      [
        {
          field: 'ClientBackURL',
          rule: 'url-ascii',
          message: 'must be ASCII: use https://xn--fiq228c.tw/ (the host in punycode)',
        },
      ],
    ],
    [
      'a server URL on localhost in production',
      { ReturnURL: 'https://localhost/ecpay/return' },
      [
        {
          field: 'ReturnURL',
          rule: 'url-unreachable',
          message: "points at localhost, which ECPay's servers cannot reach",
        },
      ],
      'production',
    ],
    [
      'ReturnURL = OrderResultURL',
      { OrderResultURL: 'https://shop.example.com/ecpay/return' },
      [
        {
          field: 'OrderResultURL',
          rule: 'distinct',
          message: "must differ from ReturnURL (one is for ECPay's server, the other for the browser)",
        },
      ],
    ],
    [
      'installments with periodic',
      { CreditInstallment: '3', PeriodAmount: '500', PeriodType: 'M', Frequency: '1', ExecTimes: '12' },
      [
        {
          field: 'CreditInstallment',
          rule: 'exclusive',
          message: 'installments and periodic billing cannot be combined (docs/protocol.md §5.5)',
        },
      ],
    ],
    [
      'an unknown installment count',
      { CreditInstallment: '3,5' },
      [
        {
          field: 'CreditInstallment',
          rule: 'enum',
          message: 'must be a comma-separated list of 3, 6, 12, 18, 24, 30 or 30N',
        },
      ],
    ],
    [
      'installments with Redeem',
      { CreditInstallment: '3', Redeem: 'Y' },
      [{ field: 'Redeem', rule: 'exclusive', message: 'bonus-point redemption cannot be combined with installments' }],
    ],
    [
      'UnionPay with installments',
      { UnionPay: '1', CreditInstallment: '3' },
      [{ field: 'UnionPay', rule: 'exclusive', message: 'UnionPay cannot be combined with installments' }],
    ],
    [
      'UnionPay with periodic',
      { UnionPay: '0', PeriodAmount: '500', PeriodType: 'M', Frequency: '1', ExecTimes: '12' },
      [{ field: 'UnionPay', rule: 'exclusive', message: 'UnionPay cannot be combined with periodic billing' }],
    ],
    [
      'UnionPay with Redeem',
      { UnionPay: '1', Redeem: 'Y' },
      [{ field: 'UnionPay', rule: 'exclusive', message: 'UnionPay cannot be combined with bonus-point redemption' }],
    ],
    [
      'periodic fields incomplete',
      { PeriodAmount: '500', PeriodType: 'M', Frequency: '1' },
      [
        {
          field: 'ExecTimes',
          rule: 'required',
          message: 'is required for periodic billing (PeriodAmount, PeriodType, Frequency, ExecTimes go together)',
        },
      ],
    ],
    [
      'PeriodAmount ≠ TotalAmount',
      { PeriodAmount: '100', PeriodType: 'M', Frequency: '1', ExecTimes: '12' },
      [
        {
          field: 'PeriodAmount',
          rule: 'equal',
          message: 'must equal TotalAmount (ECPay charges this amount every period)',
        },
      ],
    ],
    [
      'PeriodType',
      { PeriodAmount: '500', PeriodType: 'W', Frequency: '1', ExecTimes: '12' },
      [{ field: 'PeriodType', rule: 'enum', message: 'must be D, M or Y' }],
    ],
    [
      'Frequency over 365 days',
      { PeriodAmount: '500', PeriodType: 'D', Frequency: '366', ExecTimes: '12' },
      [{ field: 'Frequency', rule: 'range', message: 'must be an integer from 1 to 365 for PeriodType D' }],
    ],
    [
      'Frequency over 12 months',
      { PeriodAmount: '500', PeriodType: 'M', Frequency: '13', ExecTimes: '12' },
      [{ field: 'Frequency', rule: 'range', message: 'must be an integer from 1 to 12 for PeriodType M' }],
    ],
    [
      'ExecTimes over 99 months',
      { PeriodAmount: '500', PeriodType: 'M', Frequency: '1', ExecTimes: '100' },
      [{ field: 'ExecTimes', rule: 'range', message: 'must be an integer from 1 to 99 for PeriodType M' }],
    ],
    [
      'ExecTimes over 9 years',
      { PeriodAmount: '500', PeriodType: 'Y', Frequency: '1', ExecTimes: '10' },
      [{ field: 'ExecTimes', rule: 'range', message: 'must be an integer from 1 to 9 for PeriodType Y' }],
    ],
    [
      'BindingCard without MerchantMemberID',
      { BindingCard: '1' },
      [{ field: 'MerchantMemberID', rule: 'required', message: 'is required when BindingCard is 1' }],
    ],
    [
      'MerchantMemberID over 30',
      { BindingCard: '1', MerchantMemberID: 'm'.repeat(31) },
      [{ field: 'MerchantMemberID', rule: 'max-length', message: 'must be at most 30 characters (got 31)' }],
    ],
    [
      'a credit option on ATM',
      { ChoosePayment: 'ATM', CreditInstallment: '3', TotalAmount: '500' },
      [
        {
          field: 'CreditInstallment',
          rule: 'not-applicable',
          message: 'applies only to ChoosePayment Credit or ALL, not ATM',
        },
      ],
    ],
    [
      'ExpireDate over 60 days',
      { ChoosePayment: 'ATM', ExpireDate: '61' },
      [{ field: 'ExpireDate', rule: 'range', message: 'must be an integer from 1 to 60 days' }],
    ],
    [
      'StoreExpireDate for CVS in minutes',
      { ChoosePayment: 'CVS', StoreExpireDate: '43201' },
      [{ field: 'StoreExpireDate', rule: 'range', message: 'must be an integer from 1 to 43200 minutes for CVS' }],
    ],
    [
      'StoreExpireDate for BARCODE in days',
      { ChoosePayment: 'BARCODE', StoreExpireDate: '8' },
      [{ field: 'StoreExpireDate', rule: 'range', message: 'must be an integer from 1 to 7 days for BARCODE' }],
    ],
    [
      'Desc_1 over 20',
      { ChoosePayment: 'CVS', Desc_1: 'd'.repeat(21) },
      [{ field: 'Desc_1', rule: 'max-length', message: 'must be at most 20 characters (got 21)' }],
    ],
    [
      'IgnorePayment outside ALL',
      { IgnorePayment: 'ATM' },
      [{ field: 'IgnorePayment', rule: 'not-applicable', message: 'applies only to ChoosePayment ALL, not Credit' }],
    ],
    [
      'IgnorePayment unknown method',
      { ChoosePayment: 'ALL', IgnorePayment: 'ATM#Cash' },
      [{ field: 'IgnorePayment', rule: 'enum', message: 'must be "#"-separated payment methods (unknown: Cash)' }],
    ],
    [
      'NeedExtraPaidInfo',
      { NeedExtraPaidInfo: 'y' },
      [{ field: 'NeedExtraPaidInfo', rule: 'enum', message: 'must be one of Y, N' }],
    ],
    [
      'Language',
      { Language: 'FR' },
      [{ field: 'Language', rule: 'enum', message: 'must be one of ENG, KOR, JPN, CHI' }],
    ],
    ['UnionPay value', { UnionPay: '3' }, [{ field: 'UnionPay', rule: 'enum', message: 'must be one of 0, 1, 2' }]],
    [
      'StoreID',
      { StoreID: 'shop-1' },
      [{ field: 'StoreID', rule: 'pattern', message: 'must contain only letters and digits' }],
    ],
    [
      'CustomField over 50',
      { CustomField1: 'c'.repeat(51) },
      [{ field: 'CustomField1', rule: 'max-length', message: 'must be at most 50 characters (got 51)' }],
    ],
    [
      'Remark over 100',
      { Remark: 'r'.repeat(101) },
      [{ field: 'Remark', rule: 'max-length', message: 'must be at most 100 characters (got 101)' }],
    ],
  ];
  it.each(rows.map(([name, patch, expected, environment = 'stage']) => [name, patch, expected, environment] as const))(
    '%s',
    (_rule, patch, expected, environment) => {
      // Every row has four arguments: Jest would take a missing fourth for a done callback and wait for it.
      expect(check(fields(patch), environment)).toEqual(expected);
    },
  );

  it('lets the local sandbox take URLs with ports, which ECPay itself refuses', () => {
    expect(check(fields({ ReturnURL: 'http://127.0.0.1:3000/ecpay/return' }), 'sandbox')).toEqual([]);
    expect(
      check(fields({ ReturnURL: 'http://127.0.0.1:3000/ecpay/return' }), 'stage').map((issue) => issue.rule),
    ).toEqual(['url-port']);
  });

  it.each([
    ['credentials and a port', 'https://shop-admin:s3cret-pass@shop.example.com:8443/ecpay/return'],
    ['credentials and another scheme', 'ftp://shop-admin:s3cret-pass@shop.example.com/ecpay/return'],
    ['credentials and a host that does not parse', 'https://shop-admin:s3cret-pass@shop example.com/ecpay/return'],
    ['credentials and a Chinese domain', 'https://shop-admin:s3cret-pass@中文.tw/ecpay/return'],
    ['credentials and too many characters', `https://shop-admin:s3cret-pass@shop.example.com/${'a'.repeat(200)}`],
  ])(
    'never quotes the user name or password of a URL with %s, in an issue or the error message',
    (_label, ReturnURL) => {
      const issues = validateAioParams(fields({ ReturnURL }), { environment: 'stage' });
      expect(issues.map((issue) => issue.field)).toContain('ReturnURL');
      if (!ReturnURL.includes(' '))
        expect(issues).toContainEqual({ field: 'ReturnURL', rule: 'url', message: 'must not contain credentials' });
      const shown = JSON.stringify(issues) + new EcpayValidationError(issues).message;
      expect(shown).not.toContain('s3cret-pass');
      expect(shown).not.toContain('shop-admin');
    },
  );

  it('reports every problem at once, each with an excerpt of the value', () => {
    const issues = validateAioParams(
      fields({ MerchantTradeNo: 'bad_no', TotalAmount: '1.5', ItemName: `${'x'.repeat(50)}<script>` }),
      { environment: 'stage' },
    );
    expect(issues.map((issue) => `${issue.field}:${issue.rule}`)).toEqual([
      'ItemName:html',
      'MerchantTradeNo:pattern',
      'TotalAmount:integer',
    ]);
    expect(issues[0]!.value).toBe('<script>');
    expect(issues.every((issue) => issue.value === undefined || issue.value.length <= 40)).toBe(true);
  });
});

describe('buildAioParams', () => {
  it('derives ItemName and TotalAmount from the items and defaults the callback URLs', () => {
    const { params } = buildAioParams(
      {
        ...order,
        items: [
          { name: 'Oolong tea', price: 250, quantity: 2 },
          { name: 'Cake', price: 90, quantity: 1 },
        ],
        payment: { method: 'ATM' },
      },
      context,
    );
    expect(params).toEqual({
      MerchantID: '3002607',
      MerchantTradeNo: 'Test20240101',
      MerchantTradeDate: '2024/01/01 12:00:00',
      PaymentType: 'aio',
      TotalAmount: '590',
      TradeDesc: 'Tea order',
      ItemName: 'Oolong tea x2#Cake x1',
      ReturnURL: 'https://shop.example.com/ecpay/return',
      ChoosePayment: 'ATM',
      EncryptType: '1',
      PaymentInfoURL: 'https://shop.example.com/ecpay/payment-info',
    });
  });

  it('maps every typed option to its ECPay parameter', () => {
    const { params } = buildAioParams(
      {
        ...order,
        payment: {
          method: 'Credit',
          periodic: { periodType: 'M', frequency: 1, execTimes: 12 },
          bindCard: { memberId: 'm42' },
          unionPay: 'hide',
          redeem: false,
        },
        orderResultUrl: 'https://shop.example.com/done',
        clientBackUrl: 'https://shop.example.com/',
        itemUrl: 'https://shop.example.com/tea',
        remark: 'gift',
        storeId: 'Taipei1',
        language: 'ENG',
        needExtraPaidInfo: true,
        customFields: ['a', undefined, 'c'],
      },
      context,
    );
    expect(params).toMatchObject({
      PeriodAmount: '500',
      PeriodType: 'M',
      Frequency: '1',
      ExecTimes: '12',
      PeriodReturnURL: 'https://shop.example.com/ecpay/period-return',
      BindingCard: '1',
      MerchantMemberID: '3002607m42',
      UnionPay: '2',
      Redeem: 'N',
      OrderResultURL: 'https://shop.example.com/done',
      ClientBackURL: 'https://shop.example.com/',
      ItemURL: 'https://shop.example.com/tea',
      Remark: 'gift',
      StoreID: 'Taipei1',
      Language: 'ENG',
      NeedExtraPaidInfo: 'Y',
      CustomField1: 'a',
      CustomField3: 'c',
    });
    expect(params).not.toHaveProperty('CustomField2');
  });

  it("carries a platform member's PlatformID", () => {
    const member = new EcpayMerchant('member', '1234567', '3002607', merchant);
    expect(buildAioParams(order, { ...context, merchant: member }).params).toMatchObject({
      MerchantID: '1234567',
      PlatformID: '3002607',
    });
  });

  it('decodes %26 and %3C as ECPay asks (docs/protocol.md §2.5), and writes IDN hosts in punycode', () => {
    const { params } = buildAioParams(
      { ...order, remark: 'Tea %26 cake', returnUrl: 'https://中文.tw/ecpay/return' },
      context,
    );
    expect(params.Remark).toBe('Tea & cake');
    expect(params.ReturnURL).toBe('https://xn--fiq228c.tw/ecpay/return');
    const tag = buildAioParams({ ...order, remark: '%3Cb>bold' }, context).params;
    expect(check(tag as AioParams)).toEqual([
      { field: 'Remark', rule: 'html', message: 'must not contain HTML tags (ECPay rejects them)' },
    ]);
  });

  it('lets order.aio set any parameter, checked like the rest', () => {
    const { params } = buildAioParams(
      { ...order, aio: { ChooseSubPayment: 'ESUN', TotalAmount: 500, BidingCard: '1' } as never },
      context,
    );
    expect(params.ChooseSubPayment).toBe('ESUN');
    expect(check(params).map((issue) => issue.rule)).toEqual(['unknown-field']);
  });

  it.each<[string, EcpayCheckoutOrder, { field: string; rule: string; message: string }[]]>([
    [
      'no items',
      { ...order, items: [] },
      [{ field: 'items', rule: 'required', message: 'an order needs at least one item' }],
    ],
    [
      'a "#" in a name',
      { ...order, items: [{ name: 'Tea #1', price: 10, quantity: 1 }] },
      [
        {
          field: 'items[0].name',
          rule: 'item-separator',
          message: '"#" separates items in ItemName and would split this one in two; use "＃" (U+FF03) or "No."',
        },
      ],
    ],
    [
      'an empty name',
      { ...order, items: [{ name: ' ', price: 10, quantity: 1 }] },
      [{ field: 'items[0].name', rule: 'required', message: 'an item needs a name' }],
    ],
    [
      'a decimal price',
      { ...order, items: [{ name: 'Tea', price: 9.99, quantity: 1 }] },
      [
        {
          field: 'items[0].price',
          rule: 'integer',
          message: 'must be a non-negative integer amount of TWD (ECPay takes no decimals)',
        },
      ],
    ],
    [
      'a zero quantity',
      { ...order, items: [{ name: 'Tea', price: 10, quantity: 0 }] },
      [{ field: 'items[0].quantity', rule: 'integer', message: 'must be a positive integer' }],
    ],
    [
      'a stale total',
      { ...order, totalAmount: 400 },
      [{ field: 'totalAmount', rule: 'total-mismatch', message: 'is 400 but the items add up to 500' }],
    ],
    [
      'a fifth custom field',
      { ...order, customFields: ['a', 'b', 'c', 'd', 'e'] },
      [{ field: 'customFields[4]', rule: 'max-items', message: 'ECPay has four custom fields (CustomField1..4)' }],
    ],
  ])('input rule: %s', (_rule, input, expected) => {
    expect(buildAioParams(input, context).issues.map(({ field, rule, message }) => ({ field, rule, message }))).toEqual(
      expected,
    );
  });
});
