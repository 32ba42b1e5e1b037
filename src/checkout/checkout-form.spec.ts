import { describe, expect, it } from '@jest/globals';
import { renderCheckoutForm } from './checkout-form.js';

describe('renderCheckoutForm', () => {
  const action = 'https://payment-stage.ecpay.com.tw/Cashier/AioCheckOut/V5';

  it('escapes every name and value, so a hostile ItemName stays text', () => {
    const html = renderCheckoutForm(action, { ItemName: '"><script>alert(1)</script>', "Odd'Name": 'a&b' });
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(html).toContain('name="Odd&#39;Name" value="a&amp;b"');
    expect(html.match(/<script/g)).toHaveLength(1);
  });

  it('posts to the action and submits itself, with an optional CSP nonce', () => {
    const html = renderCheckoutForm(action, { A: '1' }, { cspNonce: 'r4nd"om' });
    expect(html).toContain(`<form id="ecpay-checkout" method="post" action="${action}" accept-charset="UTF-8">`);
    expect(html).toContain(
      '<script nonce="r4nd&quot;om">document.getElementById(\'ecpay-checkout\').submit();</script>',
    );
    expect(renderCheckoutForm(action, { A: '1' })).toContain('<script>document.getElementById');
    expect(html).toContain('<noscript><button type="submit">Continue to ECPay</button></noscript>');
  });
});
