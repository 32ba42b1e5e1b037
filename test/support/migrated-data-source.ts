import { DataSource } from 'typeorm';
import {
  ECPAY_ENTITIES,
  ECPAY_MIGRATIONS,
  EcpayBoundCard,
  EcpayBoundCardStore,
  EcpayNotificationService,
  systemClock,
  type EcpayClock,
} from '../../src/index.js';
import type { TestDatabase } from './databases.js';

/** A DataSource on a test database with the committed migrations run, as an app runs them. */
export async function openMigratedDataSource(database: TestDatabase): Promise<DataSource> {
  const dataSource = new DataSource({
    ...database.options(),
    entities: [...ECPAY_ENTITIES],
    migrations: [...ECPAY_MIGRATIONS],
  });
  await dataSource.initialize();
  await dataSource.runMigrations();
  return dataSource;
}

/** The notification inbox as the module wires it, on a DataSource. */
export function inboxServiceOn(dataSource: DataSource, clock: EcpayClock = systemClock): EcpayNotificationService {
  return new EcpayNotificationService(
    dataSource,
    new EcpayBoundCardStore(dataSource.getRepository(EcpayBoundCard)),
    clock,
  );
}
