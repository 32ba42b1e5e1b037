// The checkout concern: the order model, EcpayCheckoutService, the auto-submitting form and MerchantTradeNo.
// Building and validating the AIO fields is internal (the service does it).
export * from './checkout-order.interface.js';
export * from './ecpay-checkout.service.js';
export { renderCheckoutForm } from './checkout-form.js';
export { AIO_AMOUNT_LIMITS } from './validate-aio-params.js';
export { DEFAULT_CALLBACK_PATHS } from './build-aio-params.js';
export * from './merchant-trade-no.js';
