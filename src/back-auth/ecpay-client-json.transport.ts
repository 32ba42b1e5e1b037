import { Injectable } from '@nestjs/common';
import { EcpayClient } from '../client/ecpay-client.service.js';
import { EcpayResponseVerificationError } from '../errors/ecpay-response-verification.error.js';
import { EcpayOutcomeUnknownError } from '../errors/ecpay-outcome-unknown.error.js';
import { EcpayTransportError } from '../errors/ecpay-transport.error.js';
import type { EcpayJsonApi, EcpayJsonTransport, EcpayJsonTransportOptions } from './ecpay-json-transport.interface.js';

/**
 * BackAuth's transport on the module's {@link EcpayClient}: its timeouts, TLS, 403 breaker and envelope checks.
 * `EcpayTimeoutError` already says the outcome is unknown; a transport failure or an answer that cannot be verified
 * leaves it unknown too (even a refused connection: BackAuth is never resent on a guess), so those are marked.
 * The client's own errors never carry the request's Data.
 */
@Injectable()
export class EcpayClientJsonTransport implements EcpayJsonTransport {
  constructor(private readonly client: EcpayClient) {}

  async post(api: EcpayJsonApi, data: object, options: EcpayJsonTransportOptions): Promise<object> {
    try {
      return await this.client.sendEnvelope(api, data as Record<string, unknown>, { timeoutMs: options.timeoutMs });
    } catch (error) {
      if (error instanceof EcpayTransportError || error instanceof EcpayResponseVerificationError) {
        throw new EcpayOutcomeUnknownError(`${api}: ${error.message}`, { cause: error });
      }
      throw error;
    }
  }
}
