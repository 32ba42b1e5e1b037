import type { EcpayDispatchStatus } from '../../persistence/ecpay-notification.entity.js';
import { CliUsageError, EXIT_FAILED, EXIT_OK } from '../cli-io.js';
import { allowOnly, type CliCommand } from './cli-command.js';
import { eventDetail, eventsTable, json, taipei } from './operator-output.js';
import { parseLimit, singleId, withOperator } from './operator-session.js';

const STATUSES: readonly EcpayDispatchStatus[] = ['failed', 'pending', 'done', 'none'];
const DATABASE = ['url', 'data-source'] as const;

/**
 * `ecpay events list|show|redrive`: the app's notification events, from its database. `redrive` only puts a parked
 * event back in the queue: the app's own dispatcher delivers it — this process has none of the app's handlers.
 */
export const eventsCommand: CliCommand = {
  takesArguments: true,
  async run(values, io, args) {
    const sub = args[0];
    if (sub === 'list') {
      allowOnly(values, 'events list', [...DATABASE, 'status', 'limit', 'json']);
      if (args.length > 1) throw new CliUsageError(`unexpected argument "${args[1]}"`);
      const status = values.status;
      if (status !== undefined && !STATUSES.includes(status as EcpayDispatchStatus))
        throw new CliUsageError(`--status must be one of ${STATUSES.join(', ')} (got "${status}")`);
      const limit = parseLimit(values.limit);
      const events = await withOperator(values, io, (service) =>
        service.listEvents({ status: status as EcpayDispatchStatus | undefined, limit }),
      );
      if (values.json) io.stdout(json(events));
      else
        io.stdout(events.length === 0 ? `No events${status ? ` with status ${status}` : ''}.\n` : eventsTable(events));
      return EXIT_OK;
    }
    if (sub === 'show') {
      allowOnly(values, 'events show', [...DATABASE, 'json']);
      const id = singleId(args, 'ecpay events show <id>');
      const event = await withOperator(values, io, (service) => service.getEvent(id));
      if (!event) {
        io.stderr(`ecpay: no event ${id}\n`);
        return EXIT_FAILED;
      }
      io.stdout(values.json ? json(event) : eventDetail(event));
      return EXIT_OK;
    }
    if (sub === 'redrive') {
      allowOnly(values, 'events redrive', [...DATABASE]);
      const id = singleId(args, 'ecpay events redrive <id>');
      return withOperator(values, io, async (service) => {
        const event = await service.getEvent(id);
        if (!event) {
          io.stderr(`ecpay: no event ${id}\n`);
          return EXIT_FAILED;
        }
        if (!event.eventName) {
          io.stderr(`ecpay: ${id} is a ${event.outcome} notification that raises no event: nothing to re-drive\n`);
          return EXIT_FAILED;
        }
        // Clearing a live lease would let a second instance start the handlers the holder is still running.
        if (event.lockedUntil && event.lockedUntil.getTime() > Date.now()) {
          io.stderr(
            `ecpay: event ${id} is being delivered right now (leased until ${taipei(event.lockedUntil)}); nothing changed\n`,
          );
          return EXIT_FAILED;
        }
        if (!(await service.requeueEvent(id))) {
          io.stderr(`ecpay: no event ${id}\n`);
          return EXIT_FAILED;
        }
        io.stdout(
          `Event ${id} (${event.eventName}) was ${event.dispatchStatus} after ${event.attempts} attempt(s)` +
            `${event.lastError ? `; last error: ${event.lastError}` : ''}.\n` +
            'It is now pending with a fresh attempt budget. This command runs no handler: the app’s dispatcher ' +
            'delivers it on its next poll (the app must be running).\n',
        );
        return EXIT_OK;
      });
    }
    throw new CliUsageError(
      sub === undefined
        ? 'events needs a subcommand: list, show <id> or redrive <id>'
        : `unknown subcommand "events ${sub}"`,
    );
  },
};
