import type { DataSource } from 'typeorm';
import { IsNull, Not } from '../persistence/typeorm-peer.js';
import { exclusiveWrite } from '../persistence/exclusive-write.js';
import { EcpayNotification } from '../persistence/ecpay-notification.entity.js';

/**
 * Puts an event back in the queue with a fresh attempt budget, due at `now`: pending, no attempts, no last error, no
 * lease. Handlers that already succeeded for it (`completedHandlers`) are kept, so they are not run twice. False when
 * there is no such event (or the row raised none). Shared by the dispatcher's `redrive` and the `ecpay events
 * redrive` command, so both re-drive exactly alike.
 */
export async function requeueEvent(dataSource: DataSource, notificationId: string, now: Date): Promise<boolean> {
  const result = await exclusiveWrite(dataSource, () =>
    dataSource.getRepository(EcpayNotification).update(
      { id: notificationId, eventName: Not(IsNull()) },
      {
        dispatchStatus: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        lastError: null,
        lockedBy: null,
        lockedUntil: null,
      },
    ),
  );
  return result.affected === 1;
}
