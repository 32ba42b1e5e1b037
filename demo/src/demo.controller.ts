import { BadRequestException, Body, Controller, Get, Header, HttpCode, Post } from '@nestjs/common';
import { EcpayService, EcpayValidationError, type EcpayParams } from 'nestjs-ecpay';

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * A small page and two JSON endpoints: buying runs the library's All-in-One checkout (rules, stored trade, signed
 * auto-submit form); the JSON endpoints sign and verify with the configured merchant. The full demo shop comes
 * with the sandbox.
 */
@Controller()
export class DemoController {
  constructor(private readonly ecpay: EcpayService) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  home(): string {
    const environment = escapeHtml(this.ecpay.environment);
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>nestjs-ecpay demo</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}label{display:block;margin:.5rem 0}</style></head>
<body><h1>nestjs-ecpay</h1>
<p>Environment <b>${environment}</b>, merchant <b>${escapeHtml(this.ecpay.merchant().merchantId)}</b>.
Buying checks the order against ECPay's rules, stores the trade, and posts the signed form to ECPay's ${environment} checkout.</p>
<form method="post" action="/checkout">
<label>Oolong tea, NT$250 × <input name="quantity" type="number" min="1" max="99" value="1"></label>
<label>Pay by <select name="method"><option>Credit</option><option>ATM</option><option>CVS</option><option>BARCODE</option><option>ALL</option></select></label>
<button type="submit">Buy</button></form>
<h2>JSON endpoints</h2>
<pre>curl -s localhost:PORT/api/checkmac -H 'content-type: application/json' -d '{"params":{"MerchantID":"…","ItemName":"Tom\\'s Shop","TotalAmount":"100"}}'
curl -s localhost:PORT/api/verify   -H 'content-type: application/json' -d '{"params":{…,"CheckMacValue":"…"}}'</pre>
</body></html>`;
  }

  @Post('checkout')
  @HttpCode(200)
  @Header('Content-Type', 'text/html; charset=utf-8')
  async checkout(@Body() body: { quantity?: string; method?: string }): Promise<string> {
    const method = (['Credit', 'ATM', 'CVS', 'BARCODE', 'ALL'] as const).find((m) => m === body?.method) ?? 'Credit';
    try {
      const checkout = await this.ecpay.createCheckout({
        items: [{ name: 'Oolong tea', price: 250, quantity: Number(body?.quantity ?? 1) }],
        description: 'nestjs-ecpay demo',
        payment: { method },
      });
      return checkout.html;
    } catch (error) {
      if (error instanceof EcpayValidationError) throw new BadRequestException({ message: 'The order breaks ECPay rules', issues: error.issues });
      throw error;
    }
  }

  @Post('api/checkmac')
  @HttpCode(200)
  checkmac(@Body() body: { params?: EcpayParams; algorithm?: 'sha256' | 'md5' }): { CheckMacValue: string } {
    const params = requireObject(body?.params);
    try {
      return { CheckMacValue: this.ecpay.signing.sign(params, { algorithm: body.algorithm === 'md5' ? 'md5' : 'sha256', merchant: 'default' }) };
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
