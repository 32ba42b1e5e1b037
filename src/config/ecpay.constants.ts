import { Inject } from '@nestjs/common';

/** Injection token of the validated, resolved options ({@link ResolvedEcpayOptions}). */
export const ECPAY_RESOLVED_OPTIONS = Symbol('ECPAY:RESOLVED_OPTIONS');

/** The app's TypeORM DataSource that nestjs-ecpay stores into (an alias of `@nestjs/typeorm`'s token for it). */
export const ECPAY_DATA_SOURCE = Symbol('ECPAY:DATA_SOURCE');
/** Repositories of the app's DataSource, one per entity a store is built on. */
export const ECPAY_TRADE_REPOSITORY = Symbol('ECPAY:TRADE_REPOSITORY');
export const ECPAY_BOUND_CARD_REPOSITORY = Symbol('ECPAY:BOUND_CARD_REPOSITORY');
export const ECPAY_RATE_LIMIT_REPOSITORY = Symbol('ECPAY:RATE_LIMIT_REPOSITORY');
/** Slices of the resolved options, so that each service receives only its own. */
export const ECPAY_DISPATCH_OPTIONS = Symbol('ECPAY:DISPATCH_OPTIONS');
export const ECPAY_NOTIFICATION_OPTIONS = Symbol('ECPAY:NOTIFICATION_OPTIONS');
export const ECPAY_RECONCILIATION_OPTIONS = Symbol('ECPAY:RECONCILIATION_OPTIONS');
export const ECPAY_AUTO_CLOSE = Symbol('ECPAY:AUTO_CLOSE');

/** Injects the DataSource nestjs-ecpay stores into. @publicApi */
export const InjectEcpayDataSource = (): ParameterDecorator => Inject(ECPAY_DATA_SOURCE);
