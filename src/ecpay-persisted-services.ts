import { Injectable } from '@nestjs/common';
import { EcpayConfigError } from './errors/ecpay-config.error.js';
import { EcpayNotificationDispatcher } from './notifications/ecpay-notification.dispatcher.js';
import { EcpayEventsService } from './operations/ecpay-events.service.js';
import { EcpayOperationsService } from './operations/ecpay-operations.service.js';
import { EcpayReconciliationService } from './operations/ecpay-reconciliation.service.js';
import { EcpayTradeStore } from './persistence/ecpay-trade.store.js';

/**
 * The services whose state lives in the app's database, as `EcpayService` reaches them. The module always provides
 * one (ecpay.module-definition.ts picks it): the real services with persistence, {@link EcpayPersistenceOff}
 * without. So the façade never asks "is persistence on?" itself, and a verb added next to the others gets the same
 * answer for free.
 */
export abstract class EcpayPersistedServices {
  abstract readonly trades: EcpayTradeStore;
  abstract readonly operations: EcpayOperationsService;
  abstract readonly reconciliation: EcpayReconciliationService;
  abstract readonly dispatcher: EcpayNotificationDispatcher;
  abstract readonly events: EcpayEventsService;
}

/** With persistence: the module's own stores and services. */
@Injectable()
export class EcpayDatabaseServices extends EcpayPersistedServices {
  constructor(
    readonly trades: EcpayTradeStore,
    readonly operations: EcpayOperationsService,
    readonly reconciliation: EcpayReconciliationService,
    readonly dispatcher: EcpayNotificationDispatcher,
    readonly events: EcpayEventsService,
  ) {
    super();
  }
}

/**
 * With `persistence: false`: every service refuses, naming the option, the moment a verb reaches for it — before
 * anything is validated or sent — so the app learns what to switch on rather than meeting an undefined.
 */
@Injectable()
export class EcpayPersistenceOff extends EcpayPersistedServices {
  get trades(): never {
    throw persistenceRequired('trades');
  }

  get operations(): never {
    throw persistenceRequired('refunds, captures, voids and period actions');
  }

  get reconciliation(): never {
    throw persistenceRequired('the trades reconciliation queries');
  }

  get dispatcher(): never {
    throw persistenceRequired('notifications and their events');
  }

  get events(): never {
    throw persistenceRequired('the events and actions an operator reviews');
  }
}

function persistenceRequired(what: string): EcpayConfigError {
  return new EcpayConfigError([
    {
      option: 'persistence',
      message: `${what} live in the database; remove "persistence: false" and give the app a TypeOrmModule connection`,
    },
  ]);
}
