import { EcpayError } from './ecpay.error.js';

/**
 * The database an operator pointed the `ecpay` command at cannot be used: no such SQLite file, the server refused
 * the connection, or the library's tables are not there (the command never creates them). The message names the
 * database with its password masked, and the driver's error by its code only: a driver's message may quote the
 * connection string.
 */
export class EcpayDatabaseError extends EcpayError {
  readonly code = 'ECPAY_DATABASE_UNUSABLE';
}
