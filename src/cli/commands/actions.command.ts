import { EcpayOperationError } from '../../errors/ecpay-operation.error.js';
import type { EcpayActionResolution } from '../../operations/ecpay-operations.interface.js';
import { CliUsageError, EXIT_FAILED, EXIT_OK } from '../cli-io.js';
import { allowOnly, type CliCommand } from './cli-command.js';
import { actionsTable, json } from './operator-output.js';
import { singleId, withOperator } from './operator-session.js';

const OUTCOMES: readonly EcpayActionResolution[] = ['succeeded', 'failed'];
const DATABASE = ['url', 'data-source'] as const;

/**
 * `ecpay actions list|resolve`: captures, refunds and voids whose outcome is unknown (each holds its trade), and
 * settling one once ECPay's back office or a query told how it went. Resolving sends nothing to ECPay.
 */
export const actionsCommand: CliCommand = {
  takesArguments: true,
  async run(values, io, args) {
    const sub = args[0];
    if (sub === 'list') {
      allowOnly(values, 'actions list', [...DATABASE, 'json']);
      if (args.length > 1) throw new CliUsageError(`unexpected argument "${args[1]}"`);
      const actions = await withOperator(values, io, (service) => service.listUnresolvedActions());
      if (values.json) io.stdout(json(actions));
      else io.stdout(actions.length === 0 ? 'No unresolved actions.\n' : actionsTable(actions));
      return EXIT_OK;
    }
    if (sub === 'resolve') {
      allowOnly(values, 'actions resolve', [...DATABASE, 'outcome', 'json']);
      const id = singleId(args, 'ecpay actions resolve <id> --outcome succeeded|failed');
      const outcome = values.outcome as EcpayActionResolution | undefined;
      if (outcome === undefined || !OUTCOMES.includes(outcome))
        throw new CliUsageError(
          `--outcome must be succeeded or failed — what ECPay's back office or a query says${values.outcome === undefined ? '' : ` (got "${values.outcome}")`}`,
        );
      return withOperator(values, io, async (service) => {
        try {
          const result = await service.resolveAction(id, outcome);
          if (values.json) io.stdout(json(result));
          else
            io.stdout(
              `Action ${id} (${result.operation} ${result.actions[0]?.action ?? ''} of ${result.merchantTradeNo}) resolved as ${outcome}; ` +
                `the trade is now ${result.trade.status} and free for the next operation.\n` +
                (outcome === 'succeeded'
                  ? 'Its event, if it was the operation’s last call, is stored pending: the app’s dispatcher delivers it.\n'
                  : ''),
            );
          return EXIT_OK;
        } catch (error) {
          if (!(error instanceof EcpayOperationError)) throw error;
          io.stderr(`ecpay: ${error.message}\n`);
          return EXIT_FAILED;
        }
      });
    }
    throw new CliUsageError(
      sub === undefined ? 'actions needs a subcommand: list or resolve <id>' : `unknown subcommand "actions ${sub}"`,
    );
  },
};
