import type { DataSource, Repository } from 'typeorm';
import { exclusiveWrite } from '../persistence/exclusive-write.js';
import type { EcpayNotification } from '../persistence/ecpay-notification.entity.js';
import { In } from '../persistence/typeorm-peer.js';

/** When this instance's lease on a claimed event ends, in ms on its clock. */
export interface Lease {
  until: number;
}

/** An event that went through every handler, its `done` not yet written. */
interface DoneMark {
  readonly row: EcpayNotification;
  readonly completed: readonly string[];
  readonly lease: Lease;
  /** When its last handler finished, in ms on the dispatcher's clock. */
  readonly at: number;
}

/**
 * The `done` of the events a round has put through their handlers, written together: one conditional update for all
 * the events that share an attempt count and a list of completed handlers (in practice one per round) instead of one
 * round trip per event, which was half the statements of the notification path under load. A mark waits only while
 * its event's lease is sure to outlive the next handler (`dueBefore`), and never longer than `maxDelayMs`, so no
 * other instance can take over an event that is through, and the inbox shows it done about when it is. A crash
 * before the write loses the marks: those events run again once their leases expire, as after a crash during a
 * handler (delivery is at least once).
 */
export class DoneMarks {
  private marks: DoneMark[] = [];
  /** Events marked done so far (a lease lost meanwhile: not counted). */
  written = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly inbox: Repository<EcpayNotification>,
    private readonly maxDelayMs: number,
  ) {}

  add(row: EcpayNotification, completed: readonly string[], lease: Lease, now: number): void {
    this.marks.push({ row, completed, lease, at: now });
  }

  /**
   * Whether the marks must be written before something that may take `aheadMs` runs (a handler with its timeout
   * and margin): when a mark's lease would not outlive it, or a mark has waited `maxDelayMs`.
   */
  dueBefore(now: number, aheadMs: number): boolean {
    return this.marks.some((mark) => mark.lease.until - now < aheadMs || now - mark.at >= this.maxDelayMs);
  }

  /** Writes every mark. */
  async flush(): Promise<void> {
    const groups = new Map<string, DoneMark[]>();
    for (const mark of this.marks) {
      const key = JSON.stringify([mark.row.lockedBy, mark.row.attempts, mark.completed]);
      const group = groups.get(key);
      if (group) group.push(mark);
      else groups.set(key, [mark]);
    }
    this.marks = [];
    for (const group of groups.values()) this.written += await this.write(group);
  }

  /** One conditional update: only rows this instance still holds under the claim's token become done. */
  private async write(group: readonly DoneMark[]): Promise<number> {
    const [{ row, completed }] = group;
    const result = await exclusiveWrite(this.dataSource, () =>
      this.inbox.update(
        { id: In(group.map((mark) => mark.row.id)), lockedBy: row.lockedBy! },
        {
          dispatchStatus: 'done',
          attempts: row.attempts + 1,
          lastError: null,
          nextAttemptAt: null,
          completedHandlers: [...completed],
          lockedBy: null,
          lockedUntil: null,
        },
      ),
    );
    return result.affected ?? 0;
  }
}
