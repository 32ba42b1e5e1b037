import { CreateEcpayNotifications1795400000000 } from './1795400000000-CreateEcpayNotifications.js';
import { CreateEcpayTables1795322609555 } from './1795322609555-CreateEcpayTables.js';
import { CreateEcpayRateLimits1795500000000 } from './1795500000000-CreateEcpayRateLimits.js';
import { AddEcpayTradeOperations1795600000000 } from './1795600000000-AddEcpayTradeOperations.js';
import { AddEcpayNotificationEventData1795700000000 } from './1795700000000-AddEcpayNotificationEventData.js';

/**
 * nestjs-ecpay's migrations, oldest first, for `migrations: [...ECPAY_MIGRATIONS, ...yours]` in a TypeORM
 * DataSource (or `TypeOrmModule.forRoot`). They run on PostgreSQL, MariaDB/MySQL and SQLite (sql.js,
 * better-sqlite3).
 *
 * @publicApi
 */
export const ECPAY_MIGRATIONS = [
  CreateEcpayTables1795322609555,
  CreateEcpayNotifications1795400000000,
  CreateEcpayRateLimits1795500000000,
  AddEcpayTradeOperations1795600000000,
  AddEcpayNotificationEventData1795700000000,
] as const;
