import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';
import { parseEcpayDateTime } from '../time/ecpay-time.js';
import { AioReturnNotificationDto } from './dto/aio-return-notification.dto.js';
import type { EcpayFormNotificationDto } from './dto/ecpay-notification-base.dto.js';
import { PaymentInfoNotificationDto } from './dto/payment-info-notification.dto.js';
import { PeriodReturnNotificationDto } from './dto/period-return-notification.dto.js';
import {
  EcpayNotificationValidationError,
  type EcpayNotificationIssue,
} from '../errors/ecpay-notification-validation.error.js';
import { withDocumentedSpellings } from './notification-field-spellings.js';

/** The fields every normalised form notification has. Field names are ECPay's. @publicApi */
export interface EcpayFormNotificationBase {
  readonly MerchantID: string;
  readonly MerchantTradeNo: string;
  /** `''` when ECPay sent none. */
  readonly StoreID: string;
  readonly RtnCode: number;
  readonly RtnMsg: string;
  /** `''` when ECPay sent none. */
  readonly CustomField1: string;
  readonly CustomField2: string;
  readonly CustomField3: string;
  readonly CustomField4: string;
  /** Every verified field exactly as posted (CheckMacValue and unknown extras included). */
  readonly raw: Readonly<Record<string, string>>;
}

/**
 * The AIO ReturnURL notification, normalised. `succeeded` is `RtnCode === 1`; `SimulatePaid` true means ECPay's
 * back office simulated it — never ship goods for it.
 *
 * @publicApi
 */
export interface AioReturnNotification extends EcpayFormNotificationBase {
  readonly kind: 'aio-return';
  readonly succeeded: boolean;
  readonly TradeNo: string;
  /** Integer TWD. */
  readonly TradeAmt: number;
  /** Asia/Taipei instant; `null` when ECPay left it blank. */
  readonly PaymentDate: Date | null;
  readonly PaymentType: string;
  readonly PaymentTypeChargeFee: number;
  readonly TradeDate: Date;
  readonly SimulatePaid: boolean;
}

/** The PeriodReturnURL notification, normalised. `succeeded` is `RtnCode === 1`. @publicApi */
export interface PeriodReturnNotification extends EcpayFormNotificationBase {
  readonly kind: 'period-return';
  readonly succeeded: boolean;
  readonly PeriodType: 'D' | 'M' | 'Y';
  readonly Frequency: number;
  readonly ExecTimes: number;
  readonly Amount: number;
  /** The authorization serial, whether ECPay posted it as `Gwsr` (its pages) or `gwsr` (seen in the wild). */
  readonly Gwsr: string;
  /** Asia/Taipei instant; `null` when ECPay left it blank. */
  readonly ProcessDate: Date | null;
  readonly AuthCode: string;
  readonly FirstAuthAmount: number;
  readonly TotalSuccessTimes: number;
  /** `false` when ECPay did not send the field. */
  readonly SimulatePaid: boolean;
}

/**
 * The PaymentInfoURL notification, normalised. `succeeded` (the code was issued) is RtnCode 2 (ATM) or 10100073
 * (CVS/BARCODE). The method-specific fields are present only when ECPay sent them.
 *
 * @publicApi
 */
export interface PaymentInfoNotification extends EcpayFormNotificationBase {
  readonly kind: 'payment-info';
  readonly succeeded: boolean;
  readonly TradeNo: string;
  readonly TradeAmt: number;
  readonly PaymentType: string;
  readonly TradeDate: Date;
  /**
   * The payment deadline as an instant. ATM sends a day (`yyyy/MM/dd`), payable through that whole day: that
   * becomes 23:59:59 Asia/Taipei of that day. `null` when ECPay left it blank (no code issued).
   */
  readonly ExpireDate: Date | null;
  readonly BankCode?: string;
  readonly vAccount?: string;
  readonly PaymentNo?: string;
  readonly Barcode1?: string;
  readonly Barcode2?: string;
  readonly Barcode3?: string;
}

/** The notification schemas by kind. @publicApi */
export interface EcpayFormNotificationKinds {
  'aio-return': AioReturnNotification;
  'period-return': PeriodReturnNotification;
  'payment-info': PaymentInfoNotification;
}

/** `aio-return` (ReturnURL), `period-return` (PeriodReturnURL), `payment-info` (PaymentInfoURL). @publicApi */
export type EcpayFormNotificationKind = keyof EcpayFormNotificationKinds;

/** Any normalised form notification; narrow on `kind`. @publicApi */
export type EcpayFormNotification = EcpayFormNotificationKinds[EcpayFormNotificationKind];

type Fields = Readonly<Record<string, string>>;

interface Schema<K extends EcpayFormNotificationKind, D extends EcpayFormNotificationDto> {
  readonly dto: new () => D;
  readonly build: (dto: D, raw: Fields) => EcpayFormNotificationKinds[K];
}

const int = (text: string): number => Number(text);
const date = (text: string): Date => parseEcpayDateTime(text);
const optionalDate = (text: string): Date | null => (text === '' ? null : parseEcpayDateTime(text));
const DATE_ONLY = /^\s*\d{4}[/-]\d{1,2}[/-]\d{1,2}\s*$/;
const LAST_SECOND_OF_DAY_MS = (24 * 60 * 60 - 1) * 1000;

function base(dto: EcpayFormNotificationDto, raw: Fields): EcpayFormNotificationBase {
  return {
    MerchantID: dto.MerchantID,
    MerchantTradeNo: dto.MerchantTradeNo,
    StoreID: dto.StoreID ?? '',
    RtnCode: int(dto.RtnCode),
    RtnMsg: dto.RtnMsg,
    CustomField1: dto.CustomField1 ?? '',
    CustomField2: dto.CustomField2 ?? '',
    CustomField3: dto.CustomField3 ?? '',
    CustomField4: dto.CustomField4 ?? '',
    raw,
  };
}

function present<T extends object, N extends keyof T & string>(dto: T, names: readonly N[]): Partial<Pick<T, N>> {
  const out: Partial<Pick<T, N>> = {};
  for (const name of names) if (dto[name] !== undefined) out[name] = dto[name];
  return out;
}

const SCHEMAS: { [K in EcpayFormNotificationKind]: Schema<K, EcpayFormNotificationDto> } = {
  'aio-return': {
    dto: AioReturnNotificationDto,
    build: (dto, raw) => {
      const d = dto as AioReturnNotificationDto;
      const rtnCode = int(d.RtnCode);
      return {
        kind: 'aio-return',
        ...base(d, raw),
        succeeded: rtnCode === 1,
        TradeNo: d.TradeNo,
        TradeAmt: int(d.TradeAmt),
        PaymentDate: optionalDate(d.PaymentDate),
        PaymentType: d.PaymentType,
        PaymentTypeChargeFee: Number(d.PaymentTypeChargeFee),
        TradeDate: date(d.TradeDate),
        SimulatePaid: d.SimulatePaid === '1',
      };
    },
  },
  'period-return': {
    dto: PeriodReturnNotificationDto,
    build: (dto, raw) => {
      const d = dto as PeriodReturnNotificationDto;
      return {
        kind: 'period-return',
        ...base(d, raw),
        succeeded: int(d.RtnCode) === 1,
        PeriodType: d.PeriodType as 'D' | 'M' | 'Y',
        Frequency: int(d.Frequency),
        ExecTimes: int(d.ExecTimes),
        Amount: int(d.Amount),
        Gwsr: d.Gwsr,
        ProcessDate: optionalDate(d.ProcessDate),
        AuthCode: d.AuthCode,
        FirstAuthAmount: int(d.FirstAuthAmount),
        TotalSuccessTimes: int(d.TotalSuccessTimes),
        SimulatePaid: d.SimulatePaid === '1',
      };
    },
  },
  'payment-info': {
    dto: PaymentInfoNotificationDto,
    build: (dto, raw) => {
      const d = dto as PaymentInfoNotificationDto;
      const rtnCode = int(d.RtnCode);
      let expireDate = optionalDate(d.ExpireDate);
      if (expireDate && DATE_ONLY.test(d.ExpireDate))
        expireDate = new Date(expireDate.getTime() + LAST_SECOND_OF_DAY_MS);
      return {
        kind: 'payment-info',
        ...base(d, raw),
        succeeded: rtnCode === 2 || rtnCode === 10100073,
        TradeNo: d.TradeNo,
        TradeAmt: int(d.TradeAmt),
        PaymentType: d.PaymentType,
        TradeDate: date(d.TradeDate),
        ExpireDate: expireDate,
        ...present(d, ['BankCode', 'vAccount', 'PaymentNo', 'Barcode1', 'Barcode2', 'Barcode3']),
      };
    },
  },
};

/** Field names each DTO declares, read once from class-validator's metadata. */
type DtoClass = abstract new (...args: never[]) => object;
const declaredFields = new Map<DtoClass, readonly string[]>();

function fieldsOf(dto: DtoClass): readonly string[] {
  let names = declaredFields.get(dto);
  if (!names) {
    names = [
      ...new Set(
        getMetadataStorage()
          .getTargetValidationMetadatas(dto, '', true, false)
          .map((meta) => meta.propertyName),
      ),
    ];
    declaredFields.set(dto, names);
  }
  return names;
}

function issuesOf(errors: readonly ValidationError[], prefix = ''): EcpayNotificationIssue[] {
  return errors.flatMap((error) => [
    ...(error.constraints ? [{ field: prefix + error.property, messages: Object.values(error.constraints) }] : []),
    ...issuesOf(error.children ?? [], `${prefix}${error.property}.`),
  ]);
}

/**
 * Validates a verified form notification against its schema (class-validator) and returns it typed and
 * normalised: RtnCode and amounts as numbers, dates as Asia/Taipei instants (whatever the server's `TZ`),
 * SimulatePaid as a boolean, and `raw` — the verified fields untouched, unknown extras included.
 *
 * Call it only on fields a guard verified (`@EcpayVerifiedForm()`), or use `@EcpayVerifiedNotification(kind)`.
 * Throws {@link EcpayNotificationValidationError} naming every field that does not fit.
 *
 * @example
 * const paid = normalizeNotification('aio-return', form.fields);
 * if (paid.succeeded && !paid.SimulatePaid) await ship(paid.MerchantTradeNo, paid.TradeAmt);
 * @publicApi
 */
export function normalizeNotification<K extends EcpayFormNotificationKind>(
  kind: K,
  fields: Fields,
): EcpayFormNotificationKinds[K] {
  const schema = (Object.hasOwn(SCHEMAS, kind) ? SCHEMAS[kind] : undefined) as
    Schema<K, EcpayFormNotificationDto> | undefined;
  if (!schema)
    throw new TypeError(
      `Unknown ECPay notification kind "${String(kind)}"; expected one of ${Object.keys(SCHEMAS).join(', ')}.`,
    );
  // Only the declared fields are copied onto the DTO: a posted `constructor` or `__proto__` must not reach the
  // object class-validator inspects. Everything posted stays in `raw`.
  // A field ECPay posts under another spelling than its pages document (PeriodReturnURL's gwsr) is read under the
  // documented name; two spellings with different values are refused.
  const named = withDocumentedSpellings(kind, fields);
  const dto = new schema.dto();
  for (const name of fieldsOf(schema.dto)) {
    if (Object.hasOwn(named, name)) (dto as unknown as Record<string, unknown>)[name] = named[name];
  }
  const errors = validateSync(dto, { forbidUnknownValues: true, validationError: { target: false, value: false } });
  if (errors.length > 0) throw new EcpayNotificationValidationError(kind, issuesOf(errors));
  return schema.build(dto, Object.freeze(Object.fromEntries(Object.entries(fields))));
}
