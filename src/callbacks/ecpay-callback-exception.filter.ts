import { Catch, HttpStatus, Logger, Optional, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { EcpayCallbackException } from './ecpay-callback.exception.js';
import { EcpayNotificationValidationError } from '../errors/ecpay-notification-validation.error.js';
import { EcpayTelemetry } from '../observability/ecpay-telemetry.js';
import { secondsSinceArrival } from '../observability/request-arrival.js';
import { rejectedKindOf } from './rejected-kind.js';

/** The bits of Node's ServerResponse the fallback path uses (when the filter was created without DI). */
interface PlainResponse {
  headersSent?: boolean;
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body: string): unknown;
}

/**
 * Answers a refused ECPay callback the way ECPay expects a failure: HTTP 400, `Content-Type: text/plain`, body
 * exactly `0|<short reason>` — never Nest's JSON error, never a 5xx, never internals. Catches
 * {@link EcpayCallbackException} (thrown and already logged by the guards) and
 * {@link EcpayNotificationValidationError} (a verified notification that does not fit its schema: ECPay signed it,
 * so it is logged at error with the offending field names, and answered `0|Malformed body`).
 *
 * @example
 * @Controller('ecpay')
 * @UseFilters(EcpayCallbackExceptionFilter)
 * export class EcpayCallbackController { … }
 *
 * @publicApi
 */
@Catch(EcpayCallbackException, EcpayNotificationValidationError)
export class EcpayCallbackExceptionFilter implements ExceptionFilter<
  EcpayCallbackException | EcpayNotificationValidationError
> {
  protected readonly logger = new Logger('EcpayCallbacks');

  constructor(
    @Optional() protected readonly adapterHost?: HttpAdapterHost,
    @Optional() protected readonly telemetry?: EcpayTelemetry,
  ) {}

  catch(exception: EcpayCallbackException | EcpayNotificationValidationError, host: ArgumentsHost): void {
    let body: string;
    let reason: string;
    if (exception instanceof EcpayNotificationValidationError) {
      this.logger.error(`Verified ECPay notification cannot be applied: ${exception.message}`);
      body = '0|Malformed body';
      reason = 'Malformed body';
    } else {
      body = exception.replyBody;
      reason = exception.reason;
    }
    const request: unknown = host.switchToHttp().getRequest();
    if (this.telemetry && typeof request === 'object' && request !== null)
      this.telemetry.notificationRejected(
        rejectedKindOf(request),
        reason,
        secondsSinceArrival(request, performance.now()),
      );
    this.reply(host.switchToHttp().getResponse(), body);
  }

  /** Writes `body` as a 400 text/plain reply, through the HTTP adapter when there is one. */
  protected reply(response: unknown, body: string): void {
    const adapter = this.adapterHost?.httpAdapter;
    if (adapter) {
      if (adapter.isHeadersSent(response)) return;
      adapter.status(response, HttpStatus.BAD_REQUEST);
      adapter.setHeader(response, 'Content-Type', 'text/plain; charset=utf-8');
      adapter.reply(response, body);
      return;
    }
    const plain = response as PlainResponse;
    if (plain.headersSent) return;
    plain.statusCode = HttpStatus.BAD_REQUEST;
    plain.setHeader('Content-Type', 'text/plain; charset=utf-8');
    plain.end(body);
  }
}
