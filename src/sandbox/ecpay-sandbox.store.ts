import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { formatEcpayDateTime } from '../time/ecpay-time.js';
import { ECPAY_SANDBOX_OPTIONS } from './ecpay-sandbox.constants.js';
import type {
  EcpaySandboxFaults,
  EcpaySandboxMerchant,
  ResolvedEcpaySandboxOptions,
} from './ecpay-sandbox-options.interface.js';
import { checkFaults } from './resolve-sandbox-options.js';
import type {
  SandboxBindingSession,
  SandboxBoundCard,
  SandboxJsonApiCall,
} from './json/sandbox-json-records.interface.js';
import type { SandboxTrade } from './sandbox-trade.interface.js';

/**
 * Everything the sandbox knows, in memory: merchants, trades (with every notification and delivery attempt), card
 * bindings and bound cards, the JSON API calls, and the faults in force. Injectable, so tests read and steer the
 * sandbox without HTTP; nothing survives a restart, as nothing should for a stand-in.
 *
 * @publicApi
 */
@Injectable()
export class EcpaySandboxStore {
  // Keyed by MerchantID + MerchantTradeNo: ECPay's uniqueness rule is per merchant.
  private readonly tradesByKey = new Map<string, SandboxTrade>();
  private readonly tradesByToken = new Map<string, SandboxTrade>();
  private readonly merchantsById: ReadonlyMap<string, EcpaySandboxMerchant>;
  private readonly bindingsByToken = new Map<string, SandboxBindingSession>();
  private readonly bindingsByPayToken = new Map<string, SandboxBindingSession>();
  private readonly cardsById = new Map<string, SandboxBoundCard>();
  private readonly calls: SandboxJsonApiCall[] = [];
  private currentFaults: EcpaySandboxFaults;
  private sequence = 0;

  constructor(@Inject(ECPAY_SANDBOX_OPTIONS) private readonly options: ResolvedEcpaySandboxOptions) {
    this.merchantsById = new Map(options.merchants.map((merchant) => [merchant.merchantId, merchant]));
    this.currentFaults = { ...options.faults };
  }

  /** The merchant with this MerchantID, if the sandbox serves it. */
  merchant(merchantId: string | undefined): EcpaySandboxMerchant | undefined {
    return merchantId === undefined ? undefined : this.merchantsById.get(merchantId);
  }

  /**
   * The keys a trade's messages are signed with: the platform's when the order named a PlatformID (docs/protocol.md
   * §1.2).
   */
  signerOf(trade: SandboxTrade): EcpaySandboxMerchant {
    const signer = this.merchant(trade.params.PlatformID || trade.merchantId);
    if (!signer) throw new Error(`The sandbox no longer knows merchant ${trade.params.PlatformID || trade.merchantId}`);
    return signer;
  }

  /** A trade by MerchantTradeNo; `merchantId` picks one when several merchants used the same number. */
  trade(merchantTradeNo: string, merchantId?: string): SandboxTrade | undefined {
    if (merchantId !== undefined) return this.tradesByKey.get(tradeKey(merchantId, merchantTradeNo));
    for (const trade of this.tradesByKey.values()) if (trade.merchantTradeNo === merchantTradeNo) return trade;
    return undefined;
  }

  /** The trade behind a payment page. */
  tradeByToken(token: string): SandboxTrade | undefined {
    return this.tradesByToken.get(token);
  }

  /** Every trade, oldest first. */
  trades(): SandboxTrade[] {
    return [...this.tradesByKey.values()];
  }

  /** Records a new trade; `false` when the merchant already used its MerchantTradeNo. */
  addTrade(trade: SandboxTrade): boolean {
    const key = tradeKey(trade.merchantId, trade.merchantTradeNo);
    if (this.tradesByKey.has(key)) return false;
    this.tradesByKey.set(key, trade);
    this.tradesByToken.set(trade.token, trade);
    return true;
  }

  /** Records a card-binding session (GetTokenbyBindingCard). */
  addBinding(session: SandboxBindingSession): void {
    this.bindingsByToken.set(session.token, session);
  }

  /** The binding session behind a Token (the binding page). */
  binding(token: string): SandboxBindingSession | undefined {
    return this.bindingsByToken.get(token);
  }

  /** Every binding session, oldest first. */
  bindings(): SandboxBindingSession[] {
    return [...this.bindingsByToken.values()];
  }

  /** Gives a session its BindCardPayToken, so CreateBindCard can find it. */
  issuePayToken(session: SandboxBindingSession, payToken: string): void {
    session.bindCardPayToken = payToken;
    this.bindingsByPayToken.set(payToken, session);
  }

  /** The session a BindCardPayToken was issued for. */
  bindingByPayToken(payToken: string): SandboxBindingSession | undefined {
    return this.bindingsByPayToken.get(payToken);
  }

  /** Records a newly bound card. */
  addCard(card: SandboxBoundCard): void {
    this.cardsById.set(card.bindCardId, card);
  }

  /** A bound card by BindCardID, deleted ones included; `merchantId` limits it to that merchant's cards. */
  card(bindCardId: string, merchantId?: string): SandboxBoundCard | undefined {
    const card = this.cardsById.get(bindCardId);
    return card && (merchantId === undefined || card.merchantId === merchantId) ? card : undefined;
  }

  /** Bound cards, oldest first, deleted ones included; filtered by merchant and member when given. */
  cards(filter: { merchantId?: string; merchantMemberId?: string } = {}): SandboxBoundCard[] {
    return [...this.cardsById.values()].filter(
      (card) =>
        (filter.merchantId === undefined || card.merchantId === filter.merchantId) &&
        (filter.merchantMemberId === undefined || card.merchantMemberId === filter.merchantMemberId),
    );
  }

  /** Logs a request that reached a JSON/AES API. */
  recordCall(call: SandboxJsonApiCall): void {
    this.calls.push(call);
  }

  /** Requests that reached the JSON/AES APIs, oldest first (a copy). */
  apiCalls(): SandboxJsonApiCall[] {
    return [...this.calls];
  }

  /** A fresh ECPay-style TradeNo: yyMMddHHmmss (Taipei) + a 4-digit sequence, 16 digits as ECPay's are. */
  nextTradeNo(now: Date): string {
    this.sequence = (this.sequence + 1) % 10_000;
    return formatEcpayDateTime(now).replace(/\D/g, '').slice(2, 14) + String(this.sequence).padStart(4, '0');
  }

  /** An opaque, unguessable id (payment pages, notifications); `bytes` long (hex doubles it). */
  newId(bytes = 12): string {
    return randomBytes(bytes).toString('hex');
  }

  /** The faults in force (a copy). */
  faults(): EcpaySandboxFaults {
    return { ...this.currentFaults };
  }

  /** Changes some faults; the others stay. Throws a `TypeError` naming the problem for an unusable value. */
  setFaults(changes: EcpaySandboxFaults): EcpaySandboxFaults {
    const problem = checkFaults(changes);
    if (problem) throw new TypeError(`faults ${problem}`);
    this.currentFaults = { ...this.currentFaults, ...changes };
    return this.faults();
  }

  /** Back to no faults at all (not the forRoot ones: a test that resets wants a well-behaved ECPay). */
  clearFaults(): EcpaySandboxFaults {
    this.currentFaults = {};
    return this.faults();
  }

  /** Whether the next notification is to be dropped; counts it down when it is. */
  takeDrop(): boolean {
    const left = this.currentFaults.dropNotifications ?? 0;
    if (left <= 0) return false;
    this.currentFaults = { ...this.currentFaults, dropNotifications: left - 1 };
    return true;
  }

  /**
   * Forgets every trade, binding, card, API call and fault (between tests). Notifications already scheduled still run.
   */
  reset(): void {
    this.tradesByKey.clear();
    this.tradesByToken.clear();
    this.bindingsByToken.clear();
    this.bindingsByPayToken.clear();
    this.cardsById.clear();
    this.calls.length = 0;
    this.currentFaults = { ...this.options.faults };
  }
}

const tradeKey = (merchantId: string, merchantTradeNo: string): string => `${merchantId}\u0000${merchantTradeNo}`;
