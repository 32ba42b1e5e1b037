import { Matches, ValidateBy, buildMessage, type ValidationOptions } from 'class-validator';
import { parseEcpayDateTime } from '../../time/ecpay-time.js';

/**
 * class-validator rules for ECPay's form values, which always arrive as strings. They check the text; the
 * conversion (to numbers, booleans, Dates) happens once the whole notification is valid.
 */

/** A whole number without sign, leading `+`, spaces, exponent or decimals (`0`, `500`). */
export const IsUnsignedIntegerString = (options?: ValidationOptions): PropertyDecorator =>
  Matches(/^\d{1,15}$/, { message: '$property must be a non-negative integer', ...options });

/** A whole number, possibly negative (RtnCode). */
export const IsIntegerString = (options?: ValidationOptions): PropertyDecorator =>
  Matches(/^-?\d{1,15}$/, { message: '$property must be an integer', ...options });

/** A non-negative decimal such as `0.0000` or `2` (PaymentTypeChargeFee). */
export const IsDecimalString = (options?: ValidationOptions): PropertyDecorator =>
  Matches(/^\d{1,15}(\.\d{1,10})?$/, { message: '$property must be a non-negative decimal number', ...options });

/** Whether `text` is a date {@link parseEcpayDateTime} accepts (and which exists). */
export function isEcpayDateTime(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  try {
    parseEcpayDateTime(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * An ECPay date (`yyyy/MM/dd HH:mm:ss`, `yyyy/MM/dd`, or with `-`), in Asia/Taipei. With `allowEmpty`, an empty
 * string passes too (a date ECPay leaves blank, e.g. PaymentDate of an unpaid trade).
 */
export function IsEcpayDateTime(allowEmpty = false, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isEcpayDateTime',
      constraints: [allowEmpty],
      validator: {
        validate: (value: unknown) => (allowEmpty && value === '') || isEcpayDateTime(value),
        defaultMessage: buildMessage(
          (each) =>
            `${each}$property must be an ECPay date such as 2024/03/04 16:36:54${allowEmpty ? ' (or empty)' : ''}`,
          options,
        ),
      },
    },
    options,
  );
}
