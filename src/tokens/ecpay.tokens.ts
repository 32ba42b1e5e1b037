import { Inject } from '@nestjs/common';

// Every injection token and metadata key of nestjs-ecpay, in one file that imports nothing from the library, so
// any concern can use it without a dependency on another. Each token an app may inject has an Inject…() helper.

/** Injection token of the validated, resolved options ({@link ResolvedEcpayOptions}). */
export const ECPAY_RESOLVED_OPTIONS = Symbol('ECPAY:RESOLVED_OPTIONS');
/** Injection token of the {@link EcpayClock} the module uses. @publicApi */
export const ECPAY_CLOCK = Symbol('ECPAY:CLOCK');
/** Injection token of the module's {@link EcpayRateLimitStore}. @publicApi */
export const ECPAY_RATE_LIMIT_STORE = Symbol('ECPAY:RATE_LIMIT_STORE');
/**
 * The rate-limit store the app's database backs, when persistence is on. Bound in the module definition (which
 * knows the DataSource name); the module's store factory prefers it over memory.
 */
export const ECPAY_PERSISTENT_RATE_LIMIT_STORE = Symbol('ECPAY:PERSISTENT_RATE_LIMIT_STORE');
/** Injection token of the {@link EcpayJsonTransport} used by `EcpayBackAuthService`. @publicApi */
export const ECPAY_JSON_TRANSPORT = Symbol('ECPAY:JSON_TRANSPORT');
/** Injection token of the {@link EcpayBackAuthOptions}. @publicApi */
export const ECPAY_BACK_AUTH_OPTIONS = Symbol('ECPAY:BACK_AUTH_OPTIONS');
/** Injection token of {@link EcpayCallbackRoutes}. */
export const ECPAY_CALLBACK_ROUTES = Symbol('ECPAY:CALLBACK_ROUTES');
/** Injection token of the optional {@link EcpayEventBusOptions} read by `EcpayEventBus`'s constructor. */
export const ECPAY_EVENT_BUS_OPTIONS = Symbol('ECPAY:EVENT_BUS_OPTIONS');
/** Metadata key under which `@OnEcpayEvent` stores a method's subscriptions (an array: the decorator may repeat). */
export const ECPAY_EVENT_HANDLER_METADATA = 'ECPAY:EVENT_HANDLER';
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
/** Injection token of the health indicator's thresholds ({@link EcpayHealthOptions}). @publicApi */
export const ECPAY_HEALTH_OPTIONS = Symbol('ECPAY:HEALTH_OPTIONS');

/** Injects the validated, resolved module options. @publicApi */
export const InjectEcpayOptions = (): ParameterDecorator => Inject(ECPAY_RESOLVED_OPTIONS);
/** Injects the module clock ({@link ECPAY_CLOCK}). @publicApi */
export const InjectEcpayClock = (): ParameterDecorator => Inject(ECPAY_CLOCK);
/** Injects the store the 403 breaker keeps its state in. @publicApi */
export const InjectEcpayRateLimitStore = (): ParameterDecorator => Inject(ECPAY_RATE_LIMIT_STORE);
/** Injects the transport BackAuth and QueryTrade are sent through. @publicApi */
export const InjectEcpayJsonTransport = (): ParameterDecorator => Inject(ECPAY_JSON_TRANSPORT);
/** Injects the resolved notification routes. @publicApi */
export const InjectEcpayCallbackRoutes = (): PropertyDecorator & ParameterDecorator => Inject(ECPAY_CALLBACK_ROUTES);
/** Injects the DataSource nestjs-ecpay stores into. @publicApi */
export const InjectEcpayDataSource = (): ParameterDecorator => Inject(ECPAY_DATA_SOURCE);
/** Injects the health indicator's thresholds. @publicApi */
export const InjectEcpayHealthOptions = (): ParameterDecorator => Inject(ECPAY_HEALTH_OPTIONS);
