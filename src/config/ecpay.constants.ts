/** Injection token of the validated, resolved options ({@link ResolvedEcpayOptions}). */
export const ECPAY_RESOLVED_OPTIONS = Symbol('ECPAY:RESOLVED_OPTIONS');
