import { BadRequestException, Body, Controller, HttpCode, Post } from '@nestjs/common';
import { EcpayService, type EcpayParams } from 'nestjs-ecpay';

/**
 * Two JSON endpoints for debugging a CheckMacValue with the configured merchant's keys (which never leave the server).
 * They sign anything for anyone, so AppModule mounts them only when the demo runs against the local sandbox: against
 * ECPay they would be a signing oracle that forges notifications the shop then accepts.
 */
@Controller()
export class DemoController {
  constructor(private readonly ecpay: EcpayService) {}

  @Post('api/checkmac')
  @HttpCode(200)
  checkmac(@Body() body: { params?: EcpayParams; algorithm?: 'sha256' | 'md5' }): { CheckMacValue: string } {
    const params = requireObject(body?.params);
    try {
      return {
        CheckMacValue: this.ecpay.signing.sign(params, {
          algorithm: body.algorithm === 'md5' ? 'md5' : 'sha256',
          merchant: 'default',
        }),
      };
    } catch (error) {
      throw new BadRequestException((error as Error).message);
    }
  }

  @Post('api/verify')
  @HttpCode(200)
  verify(@Body() body: { params?: unknown }): { valid: boolean } {
    return { valid: this.ecpay.signing.verify(requireObject(body?.params), { merchant: 'default' }) };
  }
}

function requireObject(value: unknown): EcpayParams {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequestException('"params" must be a JSON object of ECPay parameters');
  }
  return value as EcpayParams;
}
