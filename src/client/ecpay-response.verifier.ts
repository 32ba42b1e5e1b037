import { Injectable } from '@nestjs/common';
import { EcpayMerchantRegistry } from '../config/ecpay-merchant.registry.js';
import { EcpayCryptoService } from '../crypto/ecpay-crypto.service.js';
import type { EcpayResponseData } from '../crypto/ecpay-envelope.interface.js';
import { EcpayApiError } from '../errors/ecpay-api.error.js';
import { EcpayDecryptionError } from '../errors/ecpay-decryption.error.js';
import { EcpayResponseVerificationError } from '../errors/ecpay-response-verification.error.js';
import { EcpaySigningService } from '../signing/ecpay-signing.service.js';
import { apiErrorFor, identityFields, type EcpayCallContext } from './ecpay-call-context.js';
import { splitCodeMessage, splitRawKeyValue } from './ecpay-response-fields.js';
import { decodeStatementText } from './ecpay-statement-csv.js';

/**
 * Whether an answer must carry a CheckMacValue: ECPay signs some form-API answers, others never (PHP SDK's choice of
 * response class).
 */
export type EcpayMacPolicy = 'required' | 'if-present';

/**
 * Checks an answer before anything is read from it, so the client only ever maps fields ECPay vouched for
 * (the answer formats are described in docs/protocol.md):
 *
 * - `k=v&…` answers are split without form-decoding and their CheckMacValue checked over the raw values — decoding
 *   first would change the bytes ECPay signed;
 * - JSON answers' CheckMacValue is checked when present;
 * - AES envelopes are opened with the expected merchant's keys; TransCode ≠ 1 and RtnCode ≠ 1 are
 *   {@link EcpayApiError};
 * - a `code|message` refusal is {@link EcpayApiError}, anything unreadable {@link EcpayResponseVerificationError};
 * - an answer about another merchant or trade is refused (a mixed-up proxy, a replay).
 */
@Injectable()
export class EcpayResponseVerifier {
  constructor(
    private readonly merchants: EcpayMerchantRegistry,
    private readonly signing: EcpaySigningService,
    private readonly crypto: EcpayCryptoService,
  ) {}

  /** A form API's `k=v&…` answer: verified over the raw values, bound to the request; CheckMacValue removed. */
  keyValue(ctx: EcpayCallContext, bytes: Buffer, mac: EcpayMacPolicy): Record<string, string> {
    const text = utf8(ctx.api, bytes).trim();
    const refusal = splitCodeMessage(text);
    if (refusal) throw apiErrorFor(ctx, refusal.code, refusal.message);
    const fields = splitRawKeyValue(text);
    if (!fields) throw new EcpayResponseVerificationError(ctx.api, 'malformed', 'not a k=v&k=v answer');
    this.verifyMac(ctx, fields, mac);
    this.bindToRequest(ctx, fields);
    const { CheckMacValue: _mac, ...rest } = fields;
    return Object.freeze(Object.assign(Object.create(null) as Record<string, string>, rest));
  }

  /** A form API's JSON answer: verified when it carries a CheckMacValue, bound to the request. */
  json(ctx: EcpayCallContext, bytes: Buffer): Record<string, unknown> {
    const text = utf8(ctx.api, bytes).trim();
    const refusal = splitCodeMessage(text);
    if (refusal) throw apiErrorFor(ctx, refusal.code, refusal.message);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new EcpayResponseVerificationError(ctx.api, 'malformed', 'not JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new EcpayResponseVerificationError(ctx.api, 'malformed', 'not a JSON object');
    const fields = body as Record<string, unknown>;
    if (fields.CheckMacValue !== undefined) {
      // ECPay documents no MAC rule for nested JSON; a MAC, when sent, is checked over the top-level scalar fields,
      // numbers written in decimal as the form MAC does.
      const scalars = Object.fromEntries(
        Object.entries(fields).filter(([, value]) => typeof value === 'string' || typeof value === 'number'),
      );
      this.verifyMac(ctx, scalars, 'required');
    }
    this.bindToRequest(ctx, fields);
    const { CheckMacValue: _mac, ...rest } = fields;
    return rest;
  }

  /**
   * A JSON/AES API's envelope, opened with the expected merchant's keys; returns the decrypted Data. TransCode ≠ 1
   * always throws; RtnCode ≠ 1 throws unless `answerFailures` (a declined card is then an answer, not an error).
   */
  envelope(
    ctx: EcpayCallContext,
    bytes: Buffer,
    { answerFailures = false }: { answerFailures?: boolean } = {},
  ): Record<string, unknown> {
    const text = utf8(ctx.api, bytes);
    let opened;
    try {
      opened = this.crypto.openResponse<EcpayResponseData>(text, { merchant: ctx.merchant.name });
    } catch (error) {
      if (!(error instanceof EcpayDecryptionError)) throw error;
      const reason =
        error.reason === 'malformed-envelope'
          ? 'malformed'
          : error.reason === 'merchant-mismatch' || error.reason === 'unknown-merchant'
            ? 'mismatch'
            : 'bad-envelope';
      throw new EcpayResponseVerificationError(ctx.api, reason, error.reason, { cause: error });
    }
    if (opened.status === 'transport-failure') {
      throw new EcpayApiError({
        api: ctx.api,
        transCode: opened.transCode,
        rtnMsg: opened.transMsg,
        merchantId: ctx.merchant.merchantId,
        merchantTradeNo: ctx.merchantTradeNo,
      });
    }
    if (opened.status === 'business-failure' && !answerFailures) throw apiErrorFor(ctx, opened.rtnCode, opened.rtnMsg);
    this.bindToRequest(ctx, opened.data);
    return opened.data;
  }

  /**
   * The statement download's text (BOM removed). The file carries no CheckMacValue — it is as trustworthy as the TLS
   * connection it came over — so only a refusal or an HTML error page is told apart from CSV here.
   */
  statementText(ctx: EcpayCallContext, bytes: Buffer): string {
    const text = decodeStatementText(bytes).replace(/^\uFEFF/, '');
    const refusal = splitCodeMessage(text.trim());
    if (refusal) throw apiErrorFor(ctx, refusal.code, refusal.message);
    if (/^\s*</.test(text)) throw new EcpayResponseVerificationError(ctx.api, 'malformed', 'HTML instead of CSV');
    return text;
  }

  private verifyMac(ctx: EcpayCallContext, fields: Record<string, unknown>, mac: EcpayMacPolicy): void {
    if (fields.CheckMacValue === undefined) {
      if (mac === 'required') throw new EcpayResponseVerificationError(ctx.api, 'missing-check-mac');
      return;
    }
    // The keys that signed the request (the platform's for a member) sign the answer; SHA256 as for every AIO API.
    const signer = this.merchants.forOutgoing(identityFields(ctx.merchant), ctx.merchant.name);
    if (!this.signing.verify(fields, { merchant: signer.name, algorithm: 'sha256' })) {
      throw new EcpayResponseVerificationError(ctx.api, 'bad-check-mac');
    }
  }

  /**
   * A verified answer about another merchant or trade is not an answer to this request (a mixed-up proxy, a replay).
   */
  private bindToRequest(ctx: EcpayCallContext, fields: Readonly<Record<string, unknown>>): void {
    const merchantId = fields.MerchantID;
    if (merchantId !== undefined && merchantId !== '' && String(merchantId) !== ctx.merchant.merchantId) {
      throw new EcpayResponseVerificationError(ctx.api, 'mismatch', 'MerchantID');
    }
    const tradeNo = fields.MerchantTradeNo;
    if (
      ctx.merchantTradeNo !== undefined &&
      tradeNo !== undefined &&
      tradeNo !== '' &&
      String(tradeNo) !== ctx.merchantTradeNo
    ) {
      throw new EcpayResponseVerificationError(ctx.api, 'mismatch', 'MerchantTradeNo');
    }
  }
}

/** Answers are UTF-8; anything else is not ECPay's answer (a proxy's page, a truncated body). */
function utf8(api: string, bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new EcpayResponseVerificationError(api, 'malformed', 'not UTF-8');
  }
}
