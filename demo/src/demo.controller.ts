import { BadRequestException, Body, Controller, Get, Header, HttpCode, Post } from '@nestjs/common';
import { EcpayService, formatEcpayDateTime, type EcpayParams } from 'nestjs-ecpay';

const AIO_CHECKOUT: Record<string, string> = {
  stage: 'https://payment-stage.ecpay.com.tw/Cashier/AioCheckOut/V5',
  production: 'https://payment.ecpay.com.tw/Cashier/AioCheckOut/V5',
};

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * A small page and two JSON endpoints showing the foundation at work: a signed All-in-One checkout form, and
 * CheckMacValue signing/verification with the configured merchant. The full demo shop comes with the sandbox.
 */
@Controller()
export class DemoController {
  constructor(private readonly ecpay: EcpayService) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  home(): string {
    const now = new Date();
    const fields = this.ecpay.signing.signParams({
      MerchantID: this.ecpay.merchant().merchantId,
      MerchantTradeNo: `Demo${now.getTime()}`,
      MerchantTradeDate: formatEcpayDateTime(now),
      PaymentType: 'aio',
      TotalAmount: 100,
      TradeDesc: 'nestjs-ecpay demo',
      ItemName: 'Demo tea x1',
      ReturnURL: 'https://example.com/ecpay/return',
      ChoosePayment: 'Credit',
      EncryptType: 1,
    });
    const action = AIO_CHECKOUT[this.ecpay.environment] ?? AIO_CHECKOUT.stage!;
    const inputs = Object.entries(fields)
      .map(([name, value]) => `<tr><td>${escapeHtml(name)}</td><td><input name="${escapeHtml(name)}" value="${escapeHtml(value)}" readonly></td></tr>`)
      .join('\n');
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>nestjs-ecpay demo</title>
<style>body{font-family:system-ui,sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem}input{width:36rem;font-family:monospace}td{padding:2px 8px}</style></head>
<body><h1>nestjs-ecpay</h1>
<p>Environment <b>${escapeHtml(this.ecpay.environment)}</b>, merchant <b>${escapeHtml(this.ecpay.merchant().merchantId)}</b>.
The form below is signed by <code>EcpaySigningService</code> (MerchantTradeDate in Asia/Taipei); submitting it opens ECPay's ${escapeHtml(this.ecpay.environment)} checkout.</p>
<form method="post" action="${escapeHtml(action)}"><table>${inputs}</table><button type="submit">Pay NT$100 on ECPay ${escapeHtml(this.ecpay.environment)}</button></form>
<h2>JSON endpoints</h2>
<pre>curl -s localhost:PORT/api/checkmac -H 'content-type: application/json' -d '{"params":{"MerchantID":"…","ItemName":"Tom\\'s Shop","TotalAmount":"100"}}'
curl -s localhost:PORT/api/verify   -H 'content-type: application/json' -d '{"params":{…,"CheckMacValue":"…"}}'</pre>
</body></html>`;
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
