import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { EcpayTesting } from '../testing/ecpay-testing.js';
import { buildResponseEnvelope } from './json/sandbox-json-envelope.js';
import { ECPAY_SANDBOX_OPTIONS } from './ecpay-sandbox.constants.js';
import type { ResolvedEcpaySandboxOptions } from './ecpay-sandbox-options.interface.js';
import { EcpaySandboxStore } from './ecpay-sandbox.store.js';
import type {
  SandboxDeliveryAttempt,
  SandboxNotification,
  SandboxNotificationKind,
  SandboxTrade,
} from './sandbox-trade.interface.js';

const ACK = '1|OK';
const BODY_EXCERPT = 500;

/** One post's body as it goes on the wire. */
interface PostBody {
  readonly body: string | URLSearchParams;
  readonly headers: Record<string, string>;
  readonly rtnMsg: string | undefined;
}

/**
 * Posts notifications to the merchant's server the way ECPay does: a form POST signed with the merchant's keys (AIO)
 * or the JSON AES envelope (ecpayment / ecpg), acknowledged only by HTTP 200 with the body exactly `1|OK`, re-posted
 * on the retry schedule otherwise (AIO ReturnURL re-posts say `RtnMsg=paid`), redirects not followed. Every post is
 * recorded on the trade.
 *
 * @publicApi
 */
@Injectable()
export class EcpaySandboxNotifier implements OnModuleDestroy {
  private readonly logger = new Logger('EcpaySandbox');
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private busy = 0;
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly store: EcpaySandboxStore,
    @Inject(ECPAY_SANDBOX_OPTIONS) private readonly options: ResolvedEcpaySandboxOptions,
  ) {}

  /**
   * Records a notification on the trade and makes its first post; resolves once that post is answered (or has
   * failed), so the browser is sent on only after ECPay's server has spoken, as on ECPay. Re-posts run later.
   */
  async send(
    trade: SandboxTrade,
    kind: SandboxNotificationKind,
    url: string,
    fields: Record<string, string>,
  ): Promise<SandboxNotification> {
    const notification: SandboxNotification = {
      id: this.store.newId(),
      kind,
      url,
      fields,
      status: 'sending',
      attempts: [],
    };
    trade.notifications.push(notification);
    if (this.store.takeDrop()) {
      notification.status = 'dropped';
      return notification;
    }
    await this.track(() => this.post(trade, notification, 1));
    return notification;
  }

  /**
   * The JSON/AES family's notification (ecpayment ReturnURL, binding ReturnURL: docs/protocol.md §6.6, §6.7): `data` in
   * the envelope `{ MerchantID, RpHeader, TransCode: 1, TransMsg, Data }`, encrypted with the keys the trade's request
   * was encrypted with (the platform's for a platform member), posted as `application/json`. Same retries and `1|OK`
   * rule as the form notifications (docs/protocol.md §6.1); each post carries a fresh RpHeader.Timestamp.
   */
  async sendEnvelope(
    trade: SandboxTrade,
    kind: SandboxNotificationKind,
    url: string,
    data: Readonly<Record<string, unknown>>,
  ): Promise<SandboxNotification> {
    const notification: SandboxNotification = {
      id: this.store.newId(),
      kind,
      url,
      format: 'json',
      fields: {},
      data,
      status: 'sending',
      attempts: [],
    };
    trade.notifications.push(notification);
    if (this.store.takeDrop()) {
      notification.status = 'dropped';
      return notification;
    }
    await this.track(() => this.post(trade, notification, 1));
    return notification;
  }

  /** Resolves when no post is under way or scheduled: every notification has reached a final state. */
  settled(): Promise<void> {
    if (this.busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops every scheduled re-post and aborts posts under way, so the app (and Jest) can exit. */
  onModuleDestroy(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.inFlight) controller.abort();
    this.busy = 0;
    this.wakeIdle();
  }

  private async post(trade: SandboxTrade, notification: SandboxNotification, attempt: number): Promise<void> {
    if (this.closed) return;
    const body = this.bodyOf(trade, notification, attempt);
    const copies = this.store.faults().duplicateNotifications ? 2 : 1;
    let acknowledged = false;
    for (let copy = 0; copy < copies; copy++) {
      const result = await this.postOnce(notification.url, body, attempt, copy > 0);
      if (this.closed) return;
      notification.attempts.push(result);
      acknowledged ||= result.acknowledged;
    }
    const nextDelay = this.options.retrySchedule[attempt - 1];
    if (acknowledged) {
      notification.status = 'delivered';
    } else if (nextDelay === undefined) {
      notification.status = 'failed';
      this.logger.warn(
        `${notification.kind} notification of ${trade.merchantTradeNo} was not acknowledged after ${attempt} posts`,
      );
    } else {
      notification.status = 'retrying';
      this.schedule(nextDelay, () => this.post(trade, notification, attempt + 1));
    }
  }

  private async postOnce(
    url: string,
    post: PostBody,
    attempt: number,
    duplicate: boolean,
  ): Promise<SandboxDeliveryAttempt> {
    const at = this.options.clock.now().toISOString();
    const base = { attempt, at, url, rtnMsg: post.rtnMsg, ...(duplicate ? { duplicate } : {}) };
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timeout = setTimeout(
      () => controller.abort(new Error(`no answer within ${this.options.notificationTimeoutMs} ms`)),
      this.options.notificationTimeoutMs,
    );
    try {
      const response = await fetch(url, {
        method: 'POST',
        body: post.body,
        headers: post.headers,
        // ECPay does not follow redirects (docs/protocol.md §5.6: a 308 or 302 on ReturnURL loses the notification).
        redirect: 'manual',
        signal: controller.signal,
      });
      const body = await response.text();
      return {
        ...base,
        status: response.status,
        body: body.slice(0, BODY_EXCERPT),
        acknowledged: response.status === 200 && body === ACK,
      };
    } catch (error) {
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      return { ...base, error: describeError(reason), acknowledged: false };
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(controller);
    }
  }

  private bodyOf(trade: SandboxTrade, notification: SandboxNotification, attempt: number): PostBody {
    if (notification.format === 'json') {
      const data = notification.data ?? {};
      const envelope = buildResponseEnvelope(this.store.signerOf(trade), data, this.options.clock.now());
      return {
        body: JSON.stringify(envelope),
        headers: { 'Content-Type': 'application/json' },
        rtnMsg: typeof data.RtnMsg === 'string' ? data.RtnMsg : undefined,
      };
    }
    const fields = this.fieldsOf(trade, notification, attempt);
    return { body: new URLSearchParams(fields), headers: {}, rtnMsg: fields.RtnMsg };
  }

  /** The first post carries the recorded fields; ECPay's ReturnURL re-posts say `RtnMsg=paid` and are signed anew. */
  private fieldsOf(trade: SandboxTrade, notification: SandboxNotification, attempt: number): Record<string, string> {
    if (attempt === 1 || notification.kind !== 'return') return { ...notification.fields };
    return new EcpayTesting(this.store.signerOf(trade), () => this.options.clock.now()).sign({
      ...notification.fields,
      RtnMsg: 'paid',
    });
  }

  private schedule(delay: number, run: () => Promise<void>): void {
    this.busy++;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.busy--;
      void this.track(run);
    }, delay);
    this.timers.add(timer);
  }

  private async track(run: () => Promise<void>): Promise<void> {
    this.busy++;
    try {
      await run();
    } catch (error) {
      this.logger.error(`A notification post failed unexpectedly: ${(error as Error).message}`);
    } finally {
      this.busy = Math.max(0, this.busy - 1);
      if (this.busy === 0) this.wakeIdle();
    }
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  // fetch wraps the network error ("fetch failed"); the cause (ECONNREFUSED, …) is what a tester needs.
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}
