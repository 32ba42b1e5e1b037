import type { DynamicModule, Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type { DataSource } from 'typeorm';
import { EcpayEventBus } from '../../src/handlers/ecpay-event.bus.js';
import { EcpayHandlerRegistry } from '../../src/handlers/ecpay-handler.registry.js';
import { EcpayHandlersModule } from '../../src/handlers/ecpay-handlers.module.js';
import {
  EcpayNotificationDispatcher,
  type EcpayDispatchOptions,
} from '../../src/notifications/ecpay-notification.dispatcher.js';
import type { EcpayNotificationService } from '../../src/notifications/ecpay-notification.service.js';
import { EcpayTrade, EcpayTradeStore } from '../../src/persistence/index.js';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from './databases.js';
import { inboxServiceOn, openMigratedDataSource } from './migrated-data-source.js';

/** The inbox and its dispatch without an app: a migrated database, the handler modules, the trade store and inbox. */
export interface InboxFixture {
  database: TestDatabase;
  dataSource: DataSource;
  module: TestingModule;
  store: EcpayTradeStore;
  receiver: EcpayNotificationService;
  /** A dispatcher over this inbox and these handlers; polling is off unless `options` turns it on. */
  dispatcher(clock: { now(): Date }, options?: EcpayDispatchOptions): EcpayNotificationDispatcher;
  close(): Promise<void>;
}

/** Opens an InboxFixture on a fresh database of `kind`, with `handlers` (modules of @OnEcpayEvent providers). */
export async function openInboxFixture(
  kind: TestDatabaseKind,
  handlers: (Type | DynamicModule)[],
): Promise<InboxFixture> {
  const database = await createTestDatabase(kind);
  const dataSource = await openMigratedDataSource(database);
  const module = await Test.createTestingModule({ imports: [EcpayHandlersModule, ...handlers] }).compile();
  await module.init();
  return {
    database,
    dataSource,
    module,
    store: new EcpayTradeStore(dataSource.getRepository(EcpayTrade)),
    receiver: inboxServiceOn(dataSource),
    dispatcher: (clock, options = {}) =>
      new EcpayNotificationDispatcher(dataSource, module.get(EcpayEventBus), module.get(EcpayHandlerRegistry), clock, {
        pollIntervalMs: 0,
        ...options,
      }),
    close: async () => {
      await module.close();
      if (dataSource.isInitialized) await dataSource.destroy();
      await database.drop();
    },
  };
}
