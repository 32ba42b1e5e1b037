import { describe, expect, it } from '@jest/globals';
import { extendedVectors, type ExtendedCheckMacVector } from '../../test/support/vectors.js';
import { EcpayError } from '../errors/ecpay.error.js';
import {
  EcpayNotificationValidationError,
  type EcpayNotificationIssue,
} from '../errors/ecpay-notification-validation.error.js';
import { AioReturnNotificationDto } from './dto/aio-return-notification.dto.js';
import { normalizeNotification } from './normalize-notification.js';

const vectorInput = (name: string): Record<string, string> => {
  const vector = extendedVectors().find((v) => v.name === name) as ExtendedCheckMacVector;
  return Object.fromEntries(Object.entries(vector.input).map(([k, v]) => [k, String(v)]));
};

const RETURN: Record<string, string> = {
  MerchantID: '3002607',
  MerchantTradeNo: 'EC20240304163654AB',
  StoreID: '',
  RtnCode: '1',
  RtnMsg: '交易成功',
  TradeNo: '2403041636548291',
  TradeAmt: '590',
  PaymentDate: '2024/03/04 16:37:10',
  PaymentType: 'Credit_CreditCard',
  PaymentTypeChargeFee: '0.0000',
  TradeDate: '2024/03/04 16:36:54',
  SimulatePaid: '0',
  CustomField1: '',
  CustomField2: 'order-42',
  CustomField3: '',
  CustomField4: '',
  gwsr: '13118888',
  auth_code: '777777',
  CheckMacValue: 'F'.repeat(64),
};

const PAYMENT_INFO_ATM: Record<string, string> = {
  MerchantID: '3002607',
  MerchantTradeNo: 'EC20240304163654AC',
  StoreID: '',
  RtnCode: '2',
  RtnMsg: 'Get VirtualAccount Succeeded',
  TradeNo: '2403041636548292',
  TradeAmt: '1200',
  PaymentType: 'ATM_TAISHIN',
  TradeDate: '2024/03/04 16:36:54',
  ExpireDate: '2024/03/07',
  BankCode: '812',
  vAccount: '9103522175887271',
  CustomField1: '',
  CustomField2: '',
  CustomField3: '',
  CustomField4: '',
};

function issuesOf(
  kind: Parameters<typeof normalizeNotification>[0],
  fields: Record<string, string>,
): EcpayNotificationIssue[] {
  try {
    normalizeNotification(kind, fields);
  } catch (error) {
    expect(error).toBeInstanceOf(EcpayNotificationValidationError);
    expect(error).toBeInstanceOf(EcpayError);
    expect((error as EcpayNotificationValidationError).code).toBe('ECPAY_NOTIFICATION_INVALID');
    return [...(error as EcpayNotificationValidationError).issues];
  }
  throw new Error('expected the notification to be refused');
}

const fieldsWithIssues = (kind: Parameters<typeof normalizeNotification>[0], fields: Record<string, string>) =>
  issuesOf(kind, fields).map((issue) => issue.field);

describe('normalizeNotification("aio-return")', () => {
  it('types every field: numbers, booleans, Asia/Taipei instants, and raw untouched', () => {
    const paid = normalizeNotification('aio-return', RETURN);
    expect(paid).toEqual({
      kind: 'aio-return',
      succeeded: true,
      MerchantID: '3002607',
      MerchantTradeNo: 'EC20240304163654AB',
      StoreID: '',
      RtnCode: 1,
      RtnMsg: '交易成功',
      TradeNo: '2403041636548291',
      TradeAmt: 590,
      PaymentDate: new Date('2024-03-04T08:37:10.000Z'),
      PaymentType: 'Credit_CreditCard',
      PaymentTypeChargeFee: 0,
      TradeDate: new Date('2024-03-04T08:36:54.000Z'),
      SimulatePaid: false,
      CustomField1: '',
      CustomField2: 'order-42',
      CustomField3: '',
      CustomField4: '',
      raw: RETURN,
    });
    expect(paid.raw).not.toBe(RETURN);
    expect(Object.isFrozen(paid.raw)).toBe(true);
    expect(paid.raw.gwsr).toBe('13118888'); // NeedExtraPaidInfo extras and the MAC stay in raw
  });

  // Jest sandboxes process.env, so the zone cannot be switched inside a test: npm test runs this file under TZ=UTC
  // and again under TZ=Asia/Taipei (and it passes under any other TZ), and the instants below are absolute.
  it(`reads ECPay dates as Asia/Taipei whatever the process TZ (here UTC${-new Date(0).getTimezoneOffset() / 60 >= 0 ? '+' : ''}${-new Date(0).getTimezoneOffset() / 60})`, () => {
    const paid = normalizeNotification('aio-return', {
      ...RETURN,
      PaymentDate: '2024/01/01 00:00:00',
      TradeDate: '2023-12-31 23:59:59',
    });
    expect(paid.PaymentDate!.toISOString()).toBe('2023-12-31T16:00:00.000Z');
    expect(paid.TradeDate.toISOString()).toBe('2023-12-31T15:59:59.000Z');
    const info = normalizeNotification('payment-info', { ...PAYMENT_INFO_ATM, ExpireDate: '2024/12/31' });
    expect(info.ExpireDate!.toISOString()).toBe('2024-12-31T15:59:59.000Z');
  });

  it('normalises the ECPay PHP SDK example callback (no StoreID, no CustomFields)', () => {
    const paid = normalizeNotification('aio-return', vectorInput('sdkphp-callback-example'));
    expect(paid).toMatchObject({
      RtnCode: 1,
      TradeAmt: 500,
      PaymentTypeChargeFee: 1,
      SimulatePaid: false,
      StoreID: '',
      CustomField4: '',
    });
    expect(paid.TradeDate.toISOString()).toBe('2019-05-08T16:00:18.000Z');
  });

  it('keeps decimals of PaymentTypeChargeFee, flags simulated payments and failures, and a blank PaymentDate as null', () => {
    expect(normalizeNotification('aio-return', { ...RETURN, PaymentTypeChargeFee: '2.5' }).PaymentTypeChargeFee).toBe(
      2.5,
    );
    expect(normalizeNotification('aio-return', { ...RETURN, SimulatePaid: '1' }).SimulatePaid).toBe(true);
    const failed = normalizeNotification('aio-return', { ...RETURN, RtnCode: '10100058', PaymentDate: '' });
    expect(failed).toMatchObject({ succeeded: false, RtnCode: 10100058, PaymentDate: null });
  });

  it.each([
    ['TradeAmt', 'abc'],
    ['TradeAmt', '12.5'],
    ['TradeAmt', ''],
    ['TradeAmt', ' 12'],
    ['TradeAmt', '-1'],
    ['TradeAmt', '1e3'],
    ['TradeAmt', '0x10'],
    ['RtnCode', 'one'],
    ['RtnCode', ''],
    ['PaymentTypeChargeFee', '1,000'],
    ['PaymentDate', '2024/02/30 10:00:00'],
    ['PaymentDate', 'yesterday'],
    ['TradeDate', ''],
    ['SimulatePaid', '2'],
    ['SimulatePaid', 'true'],
    ['MerchantID', '3002607!'],
    ['MerchantID', ''],
    ['MerchantTradeNo', 'X'.repeat(21)],
    ['TradeNo', ''],
  ])('refuses %s=%j, naming the field', (field, value) => {
    expect(fieldsWithIssues('aio-return', { ...RETURN, [field]: value })).toEqual([field]);
  });

  it('names every missing required field at once, and never echoes values', () => {
    const { TradeAmt: _a, TradeDate: _d, SimulatePaid: _s, ...rest } = RETURN;
    const issues = issuesOf('aio-return', { ...rest, RtnCode: 'zq9secret' });
    expect(issues.map((issue) => issue.field).sort()).toEqual(['RtnCode', 'SimulatePaid', 'TradeAmt', 'TradeDate']);
    for (const issue of issues) expect(issue.messages.length).toBeGreaterThan(0);
    try {
      normalizeNotification('aio-return', { ...rest, RtnCode: 'zq9secret' });
    } catch (error) {
      expect((error as Error).message).toMatch(/^ECPay aio-return notification does not fit its schema: /);
      expect((error as Error).message).toContain('TradeAmt (TradeAmt must be a non-negative integer)');
      expect((error as Error).message).not.toContain('zq9secret');
    }
  });

  it('is not fooled by posted fields named constructor or __proto__', () => {
    const fields = Object.fromEntries([
      ...Object.entries(RETURN),
      ['constructor', 'x'],
      ['__proto__', 'y'],
      ['TradeAmt', 'abc'],
    ]);
    expect(fieldsWithIssues('aio-return', fields)).toEqual(['TradeAmt']);
    const valid = Object.fromEntries([...Object.entries(RETURN), ['constructor', 'x'], ['__proto__', 'y']]);
    const paid = normalizeNotification('aio-return', valid);
    expect(paid.TradeAmt).toBe(590);
    expect(Object.hasOwn(paid.raw, '__proto__')).toBe(true);
    expect(paid.raw.constructor).toBe('x');
  });

  it('exports the DTO for class-validator users (all values are the strings ECPay posts)', () => {
    const dto = Object.assign(new AioReturnNotificationDto(), { TradeAmt: '590' });
    expect(dto).toBeInstanceOf(AioReturnNotificationDto);
  });

  it('refuses an unknown kind', () => {
    expect(() => normalizeNotification('nope' as 'aio-return', RETURN)).toThrow(TypeError);
    expect(() => normalizeNotification('toString' as 'aio-return', RETURN)).toThrow(TypeError);
  });
});

describe('normalizeNotification("period-return")', () => {
  it('normalises the period-callback vector (SimulatePaid absent → false)', () => {
    const charged = normalizeNotification('period-return', vectorInput('period-callback'));
    expect(charged).toMatchObject({
      kind: 'period-return',
      succeeded: true,
      RtnCode: 1,
      PeriodType: 'M',
      Frequency: 1,
      ExecTimes: 6,
      Amount: 100,
      Gwsr: '13118888',
      AuthCode: '777777',
      FirstAuthAmount: 100,
      TotalSuccessTimes: 2,
      SimulatePaid: false,
    });
    expect(charged.ProcessDate!.toISOString()).toBe('2024-02-01T02:00:00.000Z');
  });

  it('accepts a failed authorization with blank Gwsr, AuthCode and ProcessDate', () => {
    const failed = normalizeNotification('period-return', {
      ...vectorInput('period-callback'),
      RtnCode: '10100248',
      Gwsr: '',
      AuthCode: '',
      ProcessDate: '',
    });
    expect(failed).toMatchObject({ succeeded: false, RtnCode: 10100248, Gwsr: '', AuthCode: '', ProcessDate: null });
  });

  it('reads Gwsr posted as gwsr (documented and observed spellings), keeping raw as posted', () => {
    const { Gwsr, ...rest } = vectorInput('period-callback');
    const charged = normalizeNotification('period-return', { ...rest, gwsr: Gwsr! });
    expect(charged).toMatchObject({ Gwsr: '13118888', TotalSuccessTimes: 2 });
    expect(charged.raw).toEqual({ ...rest, gwsr: Gwsr });
    expect(normalizeNotification('period-return', { ...rest, Gwsr: Gwsr!, gwsr: Gwsr! }).Gwsr).toBe('13118888');
  });

  it('refuses Gwsr and gwsr posted with different values, naming the field', () => {
    const fields = { ...vectorInput('period-callback'), gwsr: '99999999' };
    expect(issuesOf('period-return', fields)).toEqual([
      { field: 'Gwsr', messages: ['Gwsr and gwsr are one field spelled 2 ways, posted with different values'] },
    ]);
  });

  it('refuses a bad PeriodType, amounts and counts, naming them', () => {
    const fields = {
      ...vectorInput('period-callback'),
      PeriodType: 'W',
      Amount: '1.5',
      ExecTimes: 'x',
      SimulatePaid: 'yes',
    };
    expect(fieldsWithIssues('period-return', fields).sort()).toEqual([
      'Amount',
      'ExecTimes',
      'PeriodType',
      'SimulatePaid',
    ]);
  });
});

describe('normalizeNotification("payment-info")', () => {
  it('normalises an ATM account: ExpireDate is payable through that Taipei day', () => {
    const issued = normalizeNotification('payment-info', PAYMENT_INFO_ATM);
    expect(issued).toMatchObject({
      kind: 'payment-info',
      succeeded: true,
      RtnCode: 2,
      TradeAmt: 1200,
      BankCode: '812',
      vAccount: '9103522175887271',
    });
    expect(issued.ExpireDate!.toISOString()).toBe('2024-03-07T15:59:59.000Z'); // 2024/03/07 23:59:59 Asia/Taipei
    expect(issued.TradeDate.toISOString()).toBe('2024-03-04T08:36:54.000Z');
    expect('PaymentNo' in issued).toBe(false);
  });

  it('normalises a CVS code and a BARCODE with their own fields', () => {
    const { BankCode: _b, vAccount: _v, ...base } = PAYMENT_INFO_ATM;
    const cvs = normalizeNotification('payment-info', {
      ...base,
      RtnCode: '10100073',
      PaymentType: 'CVS_CVS',
      ExpireDate: '2024/03/10 23:59:59',
      PaymentNo: 'LLL22251222',
    });
    expect(cvs).toMatchObject({ succeeded: true, RtnCode: 10100073, PaymentNo: 'LLL22251222' });
    expect(cvs.ExpireDate!.toISOString()).toBe('2024-03-10T15:59:59.000Z');
    expect('BankCode' in cvs).toBe(false);
    const barcode = normalizeNotification('payment-info', {
      ...base,
      RtnCode: '10100073',
      PaymentType: 'BARCODE_BARCODE',
      ExpireDate: '2024/03/11',
      Barcode1: '130311655',
      Barcode2: '9180000000000000',
      Barcode3: '031132000000590',
    });
    expect(barcode).toMatchObject({ Barcode1: '130311655', Barcode2: '9180000000000000', Barcode3: '031132000000590' });
  });

  it('accepts a failed issue with a blank ExpireDate (null) and refuses garbage', () => {
    expect(
      normalizeNotification('payment-info', {
        ...PAYMENT_INFO_ATM,
        RtnCode: '10100050',
        ExpireDate: '',
        BankCode: '',
        vAccount: '',
      }),
    ).toMatchObject({
      succeeded: false,
      ExpireDate: null,
      BankCode: '',
    });
    expect(
      fieldsWithIssues('payment-info', { ...PAYMENT_INFO_ATM, ExpireDate: '07/03/2024', TradeAmt: '' }).sort(),
    ).toEqual(['ExpireDate', 'TradeAmt']);
  });
});
