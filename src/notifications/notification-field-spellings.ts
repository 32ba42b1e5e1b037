import { EcpayNotificationValidationError } from '../errors/ecpay-notification-validation.error.js';

/**
 * Fields that ECPay's pages spell one way while its servers have been seen posting another, by notification kind:
 * the documented name, then the other spellings read as that field. PeriodReturnURL's authorization serial is `Gwsr`
 * in ECPay's pages and `gwsr` in what third-party code receives (the spelling ReturnURL's extra fields use). The
 * CheckMacValue is computed over the lower-cased text, so it verifies under either spelling; only the name differs.
 */
const SPELLINGS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  'period-return': { Gwsr: ['gwsr'] },
};

/**
 * The verified fields of a notification with every known alternative spelling renamed to the documented one, so
 * the schema, the dedupe key and the handlers read one name. Fields without an alternative come back unchanged
 * (the object itself when there is nothing to rename).
 *
 * A body carrying two spellings of one field with different values is ambiguous — which of them did ECPay mean? —
 * and is refused with {@link EcpayNotificationValidationError} naming the documented field; the same value twice
 * is kept once.
 */
export function withDocumentedSpellings(
  kind: string,
  fields: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  const spellings = Object.hasOwn(SPELLINGS, kind) ? SPELLINGS[kind]! : undefined;
  if (!spellings) return fields;
  let renamed: Record<string, string> | undefined;
  for (const [documented, others] of Object.entries(spellings)) {
    const present = [documented, ...others].filter((name) => Object.hasOwn(fields, name));
    if (present.length === 0 || (present.length === 1 && present[0] === documented)) continue;
    const values = new Set(present.map((name) => fields[name]));
    if (values.size > 1) {
      throw new EcpayNotificationValidationError(kind, [
        {
          field: documented,
          messages: [
            `${present.join(' and ')} are one field spelled ${present.length} ways, posted with different values`,
          ],
        },
      ]);
    }
    renamed ??= { ...fields };
    for (const name of present) delete renamed[name];
    renamed[documented] = fields[present[0]!]!;
  }
  return renamed ?? fields;
}
