/**
 * The rate-limit store the app's database backs, when persistence is on. Bound in the module definition (which
 * knows the DataSource name); the module's store factory prefers it over memory.
 */
export const ECPAY_PERSISTENT_RATE_LIMIT_STORE = Symbol('ECPAY:PERSISTENT_RATE_LIMIT_STORE');
