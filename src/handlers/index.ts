// The public part of the handlers concern (re-exported by src/index.ts). The registry, the module and the
// constants are internal: EcpayModule wires them.
export * from './ecpay-event.interface.js';
export type * from './ecpay-handler.interface.js';
export { OnEcpayEvent, type OnEcpayEventDecorator } from './on-ecpay-event.decorator.js';
export { EcpayEventBus } from './ecpay-event.bus.js';
