import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { EcpayEvent, EcpayEventName } from './ecpay-event.interface.js';
import type { EcpayHandlerContext, EcpayHandlerRef, OnEcpayEventOptions } from './ecpay-handler.interface.js';
import { HANDLERS_REGISTERED, NON_STATIC_HANDLER } from './ecpay-handlers.messages.js';
import { getEcpayEventSubscriptions, type EcpayEventSubscription } from './on-ecpay-event.decorator.js';

interface Candidate {
  readonly instance: Record<string, unknown>;
  readonly className: string;
  readonly moduleName: string;
  readonly methodName: string;
  readonly subscriptions: readonly EcpayEventSubscription[];
}

/**
 * Finds every `@OnEcpayEvent` method on the app's providers and controllers once the app has been instantiated, and
 * answers which handlers an event goes to. Handlers are ordered by id (code-unit order), so the order does not
 * depend on how modules import each other.
 */
@Injectable()
export class EcpayHandlerRegistry implements OnModuleInit {
  private readonly logger = new Logger(EcpayHandlerRegistry.name);
  private handlers?: readonly EcpayHandlerRef[];
  private byId = new Map<string, EcpayHandlerRef>();
  private readonly byEvent = new Map<string, readonly EcpayHandlerRef[]>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onModuleInit(): void {
    this.explore();
  }

  /** Every handler, ordered by id. */
  getHandlers(): readonly EcpayHandlerRef[] {
    return this.explore();
  }

  /** The handler with this id, if any. */
  getHandler(id: string): EcpayHandlerRef | undefined {
    this.explore();
    return this.byId.get(id);
  }

  /** The handlers of `name` plus the `'*'` ones, each once, ordered by id. */
  handlersFor(name: EcpayEventName): readonly EcpayHandlerRef[] {
    let found = this.byEvent.get(name);
    if (!found) {
      found = Object.freeze(
        this.explore().filter((handler) => handler.events.includes(name) || handler.events.includes('*')),
      );
      this.byEvent.set(name, found);
    }
    return found;
  }

  // Runs once, from onModuleInit (every instance exists by then) or from the first query, whichever comes first.
  private explore(): readonly EcpayHandlerRef[] {
    if (this.handlers) return this.handlers;
    const candidates = this.discover();
    const ids = assignIds(candidates);
    const handlers = candidates
      .map((candidate, index) => toRef(candidate, ids[index]!))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.handlers = Object.freeze(handlers);
    this.byId = new Map(handlers.map((handler) => [handler.id, handler]));
    this.logger.log(HANDLERS_REGISTERED(handlers));
    return this.handlers;
  }

  private discover(): Candidate[] {
    const candidates: Candidate[] = [];
    // An alias (`useExisting`) or a value provided twice is one instance: its handlers must run once, not twice.
    const seen = new Map<object, Set<string>>();
    const wrappers = [...this.discovery.getControllers(), ...this.discovery.getProviders()];
    for (const wrapper of wrappers) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      const prototype: unknown = Object.getPrototypeOf(instance);
      if (!prototype || typeof prototype !== 'object') continue;
      // NOTE: the instance's constructor, not wrapper.metatype, which is the factory function of a factory provider.
      const className = instance.constructor?.name || String(wrapper.name ?? '') || 'AnonymousClass';
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const subscriptions = getEcpayEventSubscriptions((prototype as Record<string, unknown>)[methodName]);
        if (subscriptions.length === 0) continue;
        // A request-scoped provider only has a prototype stand-in here; calling it would run on an unconstructed
        // object.
        if (!wrapper.isDependencyTreeStatic()) {
          this.logger.warn(NON_STATIC_HANDLER(className, methodName));
          continue;
        }
        const methods = seen.get(instance) ?? new Set<string>();
        if (methods.has(methodName)) continue;
        methods.add(methodName);
        seen.set(instance, methods);
        candidates.push({
          instance: instance as Record<string, unknown>,
          className,
          moduleName: wrapper.host?.name ?? 'UnknownModule',
          methodName,
          subscriptions,
        });
      }
    }
    return candidates;
  }
}

/**
 * `ClassName.methodName`; when two handlers share it (two classes of one name, or one class provided twice), each
 * gets its module's name in front (`ShopModule/Listener.onPaid`), and if that still collides a `#n` in discovery
 * order, which is fixed for a given app. Ids are what the durable inbox records, so they must survive restarts.
 */
function assignIds(candidates: readonly Candidate[]): string[] {
  const base = candidates.map((c) => `${c.className}.${c.methodName}`);
  const qualified = candidates.map((c, i) => (count(base, base[i]!) > 1 ? `${c.moduleName}/${base[i]}` : base[i]!));
  const ordinal = new Map<string, number>();
  return qualified.map((id) => {
    if (count(qualified, id) === 1) return id;
    const n = (ordinal.get(id) ?? 0) + 1;
    ordinal.set(id, n);
    return `${id}#${n}`;
  });
}

function count(values: readonly string[], value: string): number {
  return values.reduce((n, v) => (v === value ? n + 1 : n), 0);
}

function toRef(candidate: Candidate, id: string): EcpayHandlerRef {
  const { instance, methodName, subscriptions } = candidate;
  const events = [...new Set(subscriptions.map((s) => s.event))];
  const budgets = subscriptions.map((s) => s.options.maxAttempts).filter((n): n is number => n !== undefined);
  const options: OnEcpayEventOptions = budgets.length > 0 ? { maxAttempts: Math.max(...budgets) } : {};
  return Object.freeze({
    id,
    className: candidate.className,
    methodName,
    events: Object.freeze(events),
    options: Object.freeze(options),
    // Looked up at call time and called on the instance: `this` works, and a method replaced after start-up
    // (a test's jest.spyOn on the instance) is the one that runs.
    invoke: (event: EcpayEvent<object>, context: EcpayHandlerContext): unknown =>
      (instance[methodName] as (event: EcpayEvent<object>, context: EcpayHandlerContext) => unknown).call(
        instance,
        event,
        context,
      ),
  });
}
