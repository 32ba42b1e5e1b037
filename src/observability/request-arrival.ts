/**
 * When each callback request reached its guard, so the notification's duration covers verify, store and answer.
 * Weakly keyed on the framework's request object: nothing to clean up, nothing added to the request.
 */
const arrivals = new WeakMap<object, number>();

/** Marks the request's arrival (the first guard to see it wins). */
export function markArrival(request: object): void {
  if (!arrivals.has(request)) arrivals.set(request, performance.now());
}

/** Seconds since the request's arrival, or since `fallback` (a `performance.now()`) when it was never marked. */
export function secondsSinceArrival(request: object | undefined, fallback: number): number {
  const started = (request && arrivals.get(request)) ?? fallback;
  return (performance.now() - started) / 1000;
}
