import { describe, expect, it } from '@jest/globals';
import type { ArgumentsHost } from '@nestjs/common';
import { EcpayNotificationValidationError } from '../errors/ecpay-notification-validation.error.js';
import { EcpayCallbackExceptionFilter } from './ecpay-callback-exception.filter.js';
import { EcpayCallbackException } from './ecpay-callback.exception.js';

/** A stand-in for Node's ServerResponse, for the filter created without DI (`new EcpayCallbackExceptionFilter()`). */
function fakeResponse() {
  const response = {
    headersSent: false,
    statusCode: 200,
    headers: {} as Record<string, string>,
    body: undefined as string | undefined,
    setHeader(name: string, value: string) {
      this.headers[name.toLowerCase()] = value;
    },
    end(body: string) {
      this.body = body;
      this.headersSent = true;
    },
  };
  const host = {
    switchToHttp: () => ({ getResponse: () => response, getRequest: () => ({}) }),
  } as unknown as ArgumentsHost;
  return { response, host };
}

describe('EcpayCallbackExceptionFilter without an HTTP adapter', () => {
  it('writes 400 text/plain 0|reason', () => {
    const { response, host } = fakeResponse();
    new EcpayCallbackExceptionFilter().catch(
      new EcpayCallbackException('CheckMacValue invalid', 'detail stays in the log'),
      host,
    );
    expect(response).toMatchObject({
      statusCode: 400,
      body: '0|CheckMacValue invalid',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  });

  it('answers a schema-invalid notification with 0|Malformed body', () => {
    const { response, host } = fakeResponse();
    new EcpayCallbackExceptionFilter().catch(
      new EcpayNotificationValidationError('aio-return', [{ field: 'TradeAmt', messages: ['x'] }]),
      host,
    );
    expect(response).toMatchObject({ statusCode: 400, body: '0|Malformed body' });
  });

  it('leaves a response alone once its headers are sent', () => {
    const { response, host } = fakeResponse();
    response.headersSent = true;
    new EcpayCallbackExceptionFilter().catch(new EcpayCallbackException('Malformed body'), host);
    expect(response.body).toBeUndefined();
  });
});

describe('EcpayCallbackException', () => {
  it('is a 400 HttpException whose response is the reply body, detail kept out of it', () => {
    const error = new EcpayCallbackException('Envelope invalid', 'bad-padding');
    expect(error.getStatus()).toBe(400);
    expect(error.getResponse()).toBe('0|Envelope invalid');
    expect(error.replyBody).toBe('0|Envelope invalid');
    expect(error.detail).toBe('bad-padding');
  });
});
