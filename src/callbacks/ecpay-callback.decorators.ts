import { createParamDecorator, Logger, type ExecutionContext } from '@nestjs/common';
import { EcpayCallbackException } from './ecpay-callback.exception.js';
import {
  describeRequest,
  getVerifiedEcpayEnvelope,
  getVerifiedEcpayForm,
  logSafe,
  type EcpayCallbackRequest,
} from './ecpay-callback-request.js';
import { EcpayNotificationValidationError } from '../errors/ecpay-notification-validation.error.js';
import { normalizeNotification, type EcpayFormNotificationKind } from '../notifications/normalize-notification.js';

const logger = new Logger('EcpayCallbacks');

function requestOf(context: ExecutionContext): EcpayCallbackRequest {
  return context.switchToHttp().getRequest<EcpayCallbackRequest>();
}

// A handler asking for a verified payload on a route without the guard is a wiring mistake, not bad input: it
// fails loudly (500) on every call, so it cannot go unnoticed.
const missingGuard = (decorator: string, guard: string): Error =>
  new Error(
    `@${decorator}() is used on a route without ${guard}: add @UseGuards(${guard}) to the route or its controller.`,
  );

/**
 * The {@link VerifiedEcpayForm} that {@link EcpayCheckMacGuard} verified: every posted field exactly as sent, the
 * MerchantID (and PlatformID). Use on routes guarded by `EcpayCheckMacGuard`.
 *
 * @example
 * @UseGuards(EcpayCheckMacGuard)
 * onReturn(@EcpayVerifiedForm() form: VerifiedEcpayForm) { … }
 * @publicApi
 */
export const EcpayVerifiedForm = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const form = getVerifiedEcpayForm(requestOf(context));
  if (!form) throw missingGuard('EcpayVerifiedForm', 'EcpayCheckMacGuard');
  return form;
});

/**
 * The {@link VerifiedEcpayEnvelope} that {@link EcpayEnvelopeGuard} opened: the result (success or business
 * failure), the decrypted Data and the MerchantID. Use on routes guarded by `EcpayEnvelopeGuard`.
 *
 * @publicApi
 */
export const EcpayVerifiedEnvelope = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const envelope = getVerifiedEcpayEnvelope(requestOf(context));
  if (!envelope) throw missingGuard('EcpayVerifiedEnvelope', 'EcpayEnvelopeGuard');
  return envelope;
});

/**
 * The verified form notification of the given kind, validated and normalised by {@link normalizeNotification}
 * (`AioReturnNotification`, `PeriodReturnNotification` or `PaymentInfoNotification`). A verified payload that does
 * not fit the schema is logged at error (field names, never values) and answered `0|Malformed body` (400).
 *
 * @example
 * @UseGuards(EcpayCheckMacGuard)
 * onReturn(@EcpayVerifiedNotification('aio-return') paid: AioReturnNotification) { … }
 * @publicApi
 */
export const EcpayVerifiedNotification = createParamDecorator(
  (kind: EcpayFormNotificationKind, context: ExecutionContext) => {
    const request = requestOf(context);
    const form = getVerifiedEcpayForm(request);
    if (!form) throw missingGuard('EcpayVerifiedNotification', 'EcpayCheckMacGuard');
    try {
      return normalizeNotification(kind, form.fields);
    } catch (error) {
      if (!(error instanceof EcpayNotificationValidationError)) throw error;
      const trade = logSafe(form.fields.MerchantTradeNo);
      logger.error(
        `Verified ECPay notification ${describeRequest(request)} cannot be applied: ${error.message}; MerchantID ${logSafe(form.merchantId) ?? '?'}` +
          (trade ? `, MerchantTradeNo ${trade}` : ''),
      );
      throw new EcpayCallbackException('Malformed body', `${kind} schema`);
    }
  },
);
