// The signing concern: CheckMacValue as pure functions and as the injectable EcpaySigningService.
export * from './check-mac-value.js';
export * from './ecpay-signing.service.js';
