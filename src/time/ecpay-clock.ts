import { Inject } from '@nestjs/common';

/**
 * Where the library reads "now" from: MerchantTradeDate, the JSON envelope's RqHeader.Timestamp, query
 * TimeStamps. Injectable so tests (and the sandbox) can move time; read on every call, never cached — a cached
 * `new Date()` is how the official Node SDK came to send stale TimeStamps (ECPay error 10200084).
 *
 * @publicApi
 */
export interface EcpayClock {
  now(): Date;
}

/** The real clock. @publicApi */
export const systemClock: EcpayClock = { now: () => new Date() };

/** Injection token of the {@link EcpayClock} the module uses. @publicApi */
export const ECPAY_CLOCK = Symbol('ECPAY:CLOCK');

/** Injects the module's {@link EcpayClock}. @publicApi */
export const InjectEcpayClock = (): ParameterDecorator => Inject(ECPAY_CLOCK);
