import type {
  EcpayJsonApi,
  EcpayJsonTransport,
  EcpayJsonTransportOptions,
} from '../../../src/back-auth/ecpay-json-transport.interface.js';
import { decryptEcpayData, encryptEcpayData } from '../../../src/crypto/ecpay-aes.js';
import type { StubKeys } from './back-auth-stub.js';

/**
 * A minimal real HTTP transport for the e2e tests, standing in for the module's client until it is adapted: the
 * library's AES envelope over Node's fetch, with the `outcomeUnknown` marker on timeouts and connection failures.
 */
export class TestTransportError extends Error {
  constructor(
    message: string,
    readonly outcomeUnknown: boolean,
    readonly code?: string,
    readonly transCode?: number,
  ) {
    super(message);
    this.name = 'TestTransportError';
  }
}

export class HttpJsonTransport implements EcpayJsonTransport {
  readonly sent: EcpayJsonApi[] = [];

  constructor(
    private readonly urls: Record<EcpayJsonApi, string>,
    private readonly keys: StubKeys,
    private readonly now: () => Date,
  ) {}

  async post(api: EcpayJsonApi, data: object, options: EcpayJsonTransportOptions): Promise<object> {
    this.sent.push(api);
    const envelope = {
      MerchantID: this.keys.merchantId,
      RqHeader: { Timestamp: Math.floor(this.now().getTime() / 1000) },
      Data: encryptEcpayData(data, this.keys),
    };
    let text: string;
    try {
      const response = await fetch(this.urls[api], {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(envelope),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError')
        throw new TestTransportError(`${api} timed out after ${options.timeoutMs} ms`, true, 'TIMEOUT');
      const code = String((error as { cause?: { code?: unknown } }).cause?.code ?? 'FETCH_FAILED');
      throw new TestTransportError(`${api} connection failed (${code})`, true, code);
    }
    const body = JSON.parse(text) as { TransCode: number; TransMsg: string; Data?: string };
    if (body.TransCode !== 1)
      throw new TestTransportError(
        `${api} TransCode ${body.TransCode}: ${body.TransMsg}`,
        false,
        undefined,
        body.TransCode,
      );
    return decryptEcpayData<object>(body.Data!, this.keys);
  }
}
