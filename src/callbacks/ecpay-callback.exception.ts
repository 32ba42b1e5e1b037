import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * Why an ECPay callback was refused. These short texts are the whole reply body after `0|`, so they are fixed,
 * safe and never carry request data.
 *
 * @publicApi
 */
export type EcpayCallbackFailure =
  'CheckMacValue invalid' | 'Envelope invalid' | 'Malformed body' | 'Unsupported Content-Type' | 'Body too large';

/**
 * A refused ECPay callback. {@link EcpayCallbackExceptionFilter} turns it into HTTP 400, `text/plain`, body
 * exactly `0|<reason>` (ECPay's failure reply). It is an `HttpException`, so even on a route without the filter it
 * stays a 400 and never becomes a 500.
 *
 * `detail` is for the log only (which check failed, in words an operator can act on); it is never sent.
 *
 * @publicApi
 */
export class EcpayCallbackException extends HttpException {
  constructor(
    readonly reason: EcpayCallbackFailure,
    readonly detail?: string,
  ) {
    super(`0|${reason}`, HttpStatus.BAD_REQUEST);
    this.name = 'EcpayCallbackException';
  }

  /** The reply body ECPay receives: `0|<reason>`. */
  get replyBody(): string {
    return `0|${this.reason}`;
  }
}
