import type { EcpayEventsService } from '../../operations/ecpay-events.service.js';
import { CliUsageError, type CliIo } from '../cli-io.js';
import type { CliValues } from './cli-command.js';

/**
 * Runs `work` with {@link EcpayEventsService} on the app's database, and closes the connection after. TypeORM and
 * the database code are loaded only here (dynamic imports), so the signing commands start as quickly as before.
 */
export async function withOperator<T>(
  values: CliValues,
  io: CliIo,
  work: (events: EcpayEventsService) => Promise<T>,
): Promise<T> {
  // These commands read no keys: one given is a mistake (and would end up in shell history for nothing).
  if (values['hash-key'] !== undefined || values['hash-iv'] !== undefined)
    throw new CliUsageError('the events and actions commands need no --hash-key/--hash-iv');
  const [{ openAppDatabase }, { EcpayEventsService }, { systemClock }] = await Promise.all([
    import('../database/app-database.js'),
    import('../../operations/ecpay-events.service.js'),
    import('../../time/ecpay-clock.js'),
  ]);
  const dataSource = await openAppDatabase(values, io);
  try {
    return await work(new EcpayEventsService(dataSource, systemClock));
  } finally {
    await dataSource.destroy().catch(() => undefined);
  }
}

/** The one id a subcommand takes (`events show <id>`). */
export function singleId(args: readonly string[], usage: string): string {
  const [, id, ...extra] = args;
  if (id === undefined || id === '') throw new CliUsageError(`missing <id>: ${usage}`);
  if (extra.length > 0) throw new CliUsageError(`unexpected argument "${extra[0]}"`);
  return id;
}

/** `--limit`: a whole number from 1 to 500 (the service's bound). */
export function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,3}$/.test(text) || Number(text) < 1 || Number(text) > 500)
    throw new CliUsageError(`--limit must be a whole number from 1 to 500 (got "${text}")`);
  return Number(text);
}
