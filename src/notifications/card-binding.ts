import type { EcpayBoundCardRecord } from '../persistence/ecpay-bound-card.store.js';

/**
 * Whether a decrypted JSON result names a saved card (BindCardID; docs/protocol.md §6.7). Both a card binding's result
 * and the result of a payment made WITH a saved card do, so this alone never says which one it is: the stored trade
 * does (see `EcpayNotificationService.classifyEcpgResult`).
 */
export function isBindingResult(data: Readonly<Record<string, unknown>>): boolean {
  return typeof data.BindCardID === 'string' && data.BindCardID !== '';
}

/**
 * The bound card a successful binding notification describes, or undefined when it is not one (RtnCode ≠ 1, or no
 * BindCardID/member). Reads the verified fields as the callback controller lifts them, the decrypted Data under `Data`.
 */
export function bindingResultOf(fields: Readonly<Record<string, unknown>>): EcpayBoundCardRecord | undefined {
  const data = (typeof fields.Data === 'object' && fields.Data !== null ? fields.Data : fields) as Record<
    string,
    unknown
  >;
  const card = (typeof data.CardInfo === 'object' && data.CardInfo !== null ? data.CardInfo : {}) as Record<
    string,
    unknown
  >;
  const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));
  if (Number(data.RtnCode ?? fields.RtnCode) !== 1) return undefined;
  const merchantMemberId = text(data.MerchantMemberID);
  const bindCardId = text(data.BindCardID);
  if (merchantMemberId === '' || bindCardId === '') return undefined;
  return {
    merchantId: text(data.MerchantID ?? fields.MerchantID),
    merchantMemberId,
    bindCardId,
    card6: text(card.Card6No),
    card4: text(card.Card4No),
    cardValidMm: card.CardValidMM === undefined ? null : text(card.CardValidMM),
    cardValidYy: card.CardValidYY === undefined ? null : text(card.CardValidYY),
  };
}
