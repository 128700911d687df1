/**
 * The event API of the friendly connection: the dispatcher's subscribe,
 * stream and waitFor, taking a handle (`filter: dom`) where they take an
 * object reference, and `all()`, which subscribes to every event the
 * daemon supports and reports the ones it refused.
 */
import { eventFamilies } from "../gen/events.js";
import type { EventDispatcher, EventIterator, EventWaiter, Listener, Subscription } from "../events/dispatcher.js";
import type { EventObject, ListenerOptions, StreamOptions, WaitOptions } from "../events/options.js";
import type { EventGap } from "../events/gap.js";
import type { EventFamily, EventName, EventOf, LibvirtEvent } from "../events/types.js";
import { LibvirtError, UnsupportedError } from "../rpc/errors.js";
import { Handle } from "./core.js";

/** An object to filter by: a handle (`await conn.domain("vm1")`) or the protocol's reference. */
export type EventFilter = Handle<EventObject> | EventObject | null;
type WithFilter<O> = Omit<O, "filter"> & { filter?: EventFilter };

/** An event `all()` could not subscribe to, and the daemon's reason. */
export interface SkippedEvent {
  family: EventFamily;
  event: string;
  error: Error;
}

/** Every subscription `all()` made; `skipped` lists what the daemon refused. */
export interface AllEvents {
  readonly subscriptions: readonly Subscription[];
  readonly skipped: readonly SkippedEvent[];
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface AllOptions {
  /** Families to cover (default: every one, `qemu` monitor events too). */
  families?: readonly EventFamily[];
  filter?: EventFilter;
  onError?: (error: unknown, event: unknown) => void;
}

function unwrap<O extends { filter?: EventFilter }>(options: O | undefined): O | undefined {
  if (options?.filter instanceof Handle) return { ...options, filter: options.filter.ref };
  return options;
}

export class Events {
  constructor(readonly dispatcher: EventDispatcher) {}

  // As the dispatcher's overloads: `gaps: true` adds EventGap markers to what the listener or iterator gets.
  /**
   * Calls `listener` for every matching event until the subscription is
   * closed; resolves once the daemon's registration is in place.
   * C: {@link https://libvirt.org/html/libvirt-libvirt-domain.html#virConnectDomainEventRegisterAny | virConnectDomainEventRegisterAny} (and the other families'); libvirt-python: `virConnect.domainEventRegisterAny`, `virConnect.networkEventRegisterAny`, `virConnect.storagePoolEventRegisterAny`, `virConnect.nodeDeviceEventRegisterAny`, `virConnect.secretEventRegisterAny`.
   */
  subscribe<F extends EventFamily, K extends EventName<F>>(family: F, event: K, listener: Listener<EventOf<F, K> | EventGap<F, K>>, options: WithFilter<ListenerOptions<EventOf<F, K>>> & { gaps: true }): Promise<Subscription>;
  subscribe<F extends EventFamily, K extends EventName<F>>(family: F, event: K, listener: Listener<EventOf<F, K>>, options?: WithFilter<ListenerOptions<EventOf<F, K>>> & { gaps?: false }): Promise<Subscription>;
  subscribe(family: EventFamily, event: string, listener: Listener<never>, options?: WithFilter<ListenerOptions<never>>): Promise<Subscription> {
    // The overloads above type the listener; the dispatcher gets the options as they are, `gaps` included.
    return this.dispatcher.subscribe(family, event as never, listener, unwrap(options) as ListenerOptions<never> & { gaps?: false });
  }

  stream<F extends EventFamily, K extends EventName<F>>(family: F, event: K, options: WithFilter<StreamOptions> & { gaps: true }): EventIterator<EventOf<F, K> | EventGap<F, K>>;
  stream<F extends EventFamily, K extends EventName<F>>(family: F, event: K, options?: WithFilter<StreamOptions> & { gaps?: false }): EventIterator<EventOf<F, K>>;
  stream(family: EventFamily, event: string, options?: WithFilter<StreamOptions>): EventIterator<LibvirtEvent | EventGap> {
    return this.dispatcher.stream(family, event as never, unwrap(options) as StreamOptions & { gaps?: false });
  }

  /** `const w = conn.events.waitFor("domain", "lifecycle", { filter: dom }); await w.ready; ...; await w;` */
  waitFor<F extends EventFamily, K extends EventName<F>>(family: F, event: K, options?: WithFilter<WaitOptions<EventOf<F, K>>>): EventWaiter<EventOf<F, K>> {
    return this.dispatcher.waitFor(family, event, unwrap(options) as WaitOptions<EventOf<F, K>>);
  }

  /**
   * Subscribes `listener` to every event of every family the generated
   * tables list. A daemon older than the tables refuses the IDs it does not
   * know (a LibvirtError per ID): those are skipped and listed, and the rest
   * run. Any other failure closes what was made and rejects.
   */
  async all(listener: (e: LibvirtEvent) => void | Promise<void>, options: AllOptions = {}): Promise<AllEvents> {
    const families = options.families ?? [...(Object.keys(eventFamilies) as (keyof typeof eventFamilies)[]), "qemu" as const];
    const wanted = families.flatMap((family) =>
      (family === "qemu" ? ["monitor"] : Object.keys(eventFamilies[family].kinds)).map((event) => ({ family, event })),
    );
    const base = unwrap({ filter: options.filter ?? null, ...(options.onError === undefined ? {} : { onError: options.onError }) });
    const results = await Promise.allSettled(
      wanted.map(({ family, event }) => this.dispatcher.subscribe(family, event as never, listener as Listener<never>, base as ListenerOptions<never> & { gaps?: false })),
    );
    const subscriptions: Subscription[] = [];
    const skipped: SkippedEvent[] = [];
    let fatal: unknown = null;
    results.forEach((r, i) => {
      if (r.status === "fulfilled") subscriptions.push(r.value);
      else if (r.reason instanceof LibvirtError || r.reason instanceof UnsupportedError) skipped.push({ ...wanted[i]!, error: r.reason });
      else fatal ??= r.reason;
    });
    const close = async (): Promise<void> => {
      await Promise.all(subscriptions.map((s) => s.close()));
    };
    if (fatal !== null) {
      await close().catch(() => undefined);
      throw fatal;
    }
    return { subscriptions, skipped, close, [Symbol.asyncDispose]: close };
  }
}
