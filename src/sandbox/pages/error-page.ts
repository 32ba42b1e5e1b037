import type { SandboxRtn } from '../sandbox-rtn-codes.js';
import { html, page } from './html.js';

/** ECPay's error page: "交易失敗" with the message code and note, in ECPay's own wording of the two labels. */
export function renderErrorPage(error: SandboxRtn): string {
  return page(
    '交易失敗 Transaction failed',
    html`<p class="error">訊息代碼 Message code：<span id="rtn-code">${error.code}</span></p>
      <p>訊息說明 Note for message：<span id="rtn-msg">${error.message}</span></p>`,
  );
}

/** The same error as plain text (`code|message`), for clients that ask for text. */
export const errorText = (error: SandboxRtn): string => `${error.code}|${error.message}`;
