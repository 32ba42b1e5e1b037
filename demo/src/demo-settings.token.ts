/** Injection token of the demo's {@link DemoSettings}, read once from the environment at start-up. */
export const DEMO_SETTINGS = Symbol('DEMO_SETTINGS');
