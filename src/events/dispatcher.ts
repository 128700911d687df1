import { EventEmitter } from "node:events";
import { AbortError, ConnectionClosedError, OptionError, TimeoutError } from "../rpc/errors.js";
import type { CloseInfo } from "../rpc/session.js";
import { ListenerError } from "./errors.js";
import { EventGap } from "./gap.js";
import { IteratorSink } from "./iterator.js";
import { ListenerSink } from "./listener.js";
import { SUBSCRIBE_OPTIONS, checkOptions, type ListenerOptions, type StreamOptions, type WaitOptions } from "./options.js";
import { DaemonRegistrations, SupersededError, type EventConnection, type RouteTarget } from "./registrations.js";
import { specOf, type RegistrationSpec } from "./routes.js";
import type { Sink } from "./sink.js";
import { armTimer } from "./timer.js";
import type { EventFamily, EventName, EventOf, LibvirtEvent } from "./types.js";
import { WaiterSink } from "./waiter.js";

export type { EventConnection } from "./registrations.js";
export type { EventObject, ListenerOptions, StreamOptions, SubscribeOptions, WaitOptions } from "./options.js";

export type Listener<E> = (event: E) => void | Promise<void>;

/** A listener's registration: close it to stop. */
export interface Subscription {
  readonly family: EventFamily;
  readonly event: string;
  /** Events dropped because this listener's queue was full. */
  readonly dropped: number;
  /** Events waiting for this listener. */
  readonly pending: number;
  /** Reconnects this subscription lived through (each a gap: events may have been missed). */
  readonly gaps: number;
  /** Times the listener threw or its promise rejected. */
  readonly errors: number;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The events of a subscription as an async iterator. */
export interface EventIterator<T> {
  /**
   * Resolves once the daemon's registration is in place: an event caused
   * after it is delivered. Rejects (as `next()` then does) if registration
   * fails. Awaiting it is optional.
   */
  readonly ready: Promise<void>;
  /** Events dropped because nobody read them in time and the queue was full. */
  readonly dropped: number;
  /** Reconnects this iterator lived through. */
  readonly gaps: number;
  next(): Promise<IteratorResult<T, undefined>>;
  /** Ends the iterator: every pending `next()` settles as done; resolves once the daemon's registration is removed. */
  return(): Promise<IteratorResult<T, undefined>>;
  [Symbol.asyncIterator](): EventIterator<T>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * `waitFor`'s result: a promise of the first matching event, with `ready`,
 * which resolves once the registration is in place (await it before
 * causing the event), and `cancel()`, which rejects the wait with an
 * AbortError and removes its registration.
 */
export type EventWaiter<E> = Promise<E> & { readonly ready: Promise<void>; cancel(): void };

export interface DispatcherEvents {
  /** A listener failed (ListenerError), or a background deregistration did; see the class comment. */
  error: [Error];
}

const DEFAULT_QUEUE = 10_000;

/** The local subscriptions of one shared key, and the attempt to register it on the current connection. */
interface Shared extends RouteTarget {
  readonly sinks: Set<Sink>;
  attempt: Attempt | null;
}

interface Attempt {
  readonly conn: EventConnection;
  readonly side: DaemonRegistrations;
  readonly promise: Promise<void>;
  failed: boolean;
}

const noop = (): void => undefined;

/**
 * libvirt's event API over one connection, as its remote driver does it.
 *
 * Two sides are kept apart. **Local subscriptions** (listeners, iterators,
 * waiters; each with its own bounded queue) are what the user asked for and
 * never change. **Daemon registrations** (callback ID, program, procedure)
 * are what the daemon holds, one per shared key (family, event, filter,
 * QEMU event name and flags), made in the callback form or, against a
 * daemon without it, the legacy per-ID domain form; they belong to one
 * connection, and `reattach` makes them again on a new one. Events are
 * routed by program, procedure and callback ID, as libvirt's own dispatch
 * matches event class, event ID and remote callback ID.
 *
 * Failures of listeners: a listener that throws or rejects keeps its
 * subscription, and the others run on. The failure goes to the
 * subscription's `onError` if it has one (the handler sits beside the code
 * that failed, as a stream's 'error' handler does); else to this
 * dispatcher's 'error' event as a ListenerError, the catch-all Node users
 * expect of an emitter; and with no 'error' listener, to one
 * `process.emitWarning` per subscription (later failures are only counted
 * in `errors`). It is never emitted as 'error' with nobody listening: an
 * EventEmitter throws that, here inside the socket's data handler, which
 * would take the process down for a bug in one listener.
 */
export class EventDispatcher extends EventEmitter<DispatcherEvents> {
  private conn: EventConnection;
  private side: DaemonRegistrations;
  private readonly shared = new Map<string, Shared>();
  private readonly hooked = new WeakSet<EventConnection>();
  private readonly legacyOnly: boolean;
  private closeInfo: CloseInfo | null = null;
  private unrouted = 0;
  private readonly backgroundWarned = { warned: false };

  constructor(conn: EventConnection, options: { legacy?: boolean } = {}) {
    super();
    this.legacyOnly = options.legacy === true;
    this.conn = conn;
    this.side = new DaemonRegistrations(conn, this.legacyOnly);
    this.hook(conn);
  }

  /**
   * Calls `listener` for every matching event until the subscription is
   * closed; resolves once the daemon's registration is in place.
   */
  subscribe<F extends EventFamily, K extends EventName<F>>(
    family: F,
    event: K,
    listener: Listener<EventOf<F, K> | EventGap<F, K>>,
    options: ListenerOptions<EventOf<F, K>> & { gaps: true },
  ): Promise<Subscription>;
  subscribe<F extends EventFamily, K extends EventName<F>>(
    family: F,
    event: K,
    listener: Listener<EventOf<F, K>>,
    options?: ListenerOptions<EventOf<F, K>> & { gaps?: false },
  ): Promise<Subscription>;
  async subscribe(
    family: EventFamily,
    event: string,
    listener: Listener<never>,
    options: ListenerOptions<never> = {},
  ): Promise<Subscription> {
    checkOptions(options, "subscribe", [...SUBSCRIBE_OPTIONS, "onError"]);
    if (typeof listener !== "function") throw new OptionError("subscribe: the listener must be a function");
    const spec = specOf(family, event, options);
    // The overloads tie the listener's and onError's event type to family and event.
    const onError = options.onError as ((error: unknown, item: LibvirtEvent | EventGap) => void) | undefined;
    const once = { warned: false };
    const sink = new ListenerSink(listener as (item: LibvirtEvent | EventGap) => unknown, options.queue ?? DEFAULT_QUEUE, options.gaps === true, (error, item) => {
      if (onError !== undefined) {
        try {
          onError(error, item);
          return;
        } catch (e) {
          error = e; // a failing handler is reported in the listener's stead
        }
      }
      this.report(new ListenerError(family, event, item, error), once);
    });
    const sh = await this.join(spec, sink);
    const close = (): Promise<void> => this.leave(sh, sink);
    return {
      family,
      event,
      get dropped() {
        return sink.queue.dropped;
      },
      get pending() {
        return sink.queue.length;
      },
      get gaps() {
        return sink.gaps;
      },
      get errors() {
        return sink.errors;
      },
      close,
      [Symbol.asyncDispose]: close,
    };
  }

  /**
   * The matching events as an async iterator; it ends when `signal` aborts
   * or the loop breaks, and throws if the connection dies. Registration
   * starts at once; `await it.ready` to know it is in place.
   */
  stream<F extends EventFamily, K extends EventName<F>>(
    family: F,
    event: K,
    options: StreamOptions & { gaps: true },
  ): EventIterator<EventOf<F, K> | EventGap<F, K>>;
  stream<F extends EventFamily, K extends EventName<F>>(
    family: F,
    event: K,
    options?: StreamOptions & { gaps?: false },
  ): EventIterator<EventOf<F, K>>;
  stream(family: EventFamily, event: string, options: StreamOptions = {}): EventIterator<LibvirtEvent | EventGap> {
    checkOptions(options, "stream", [...SUBSCRIBE_OPTIONS, "signal"]);
    const sink = new IteratorSink<LibvirtEvent | EventGap>(options.queue ?? DEFAULT_QUEUE, options.gaps === true);
    const signal = options.signal;
    let joinedShared: Shared | null = null;
    const joined: Promise<Shared | null> = signal?.aborted === true ? Promise.resolve(null) : this.joinNow(family, event, options, sink);
    joined.then(
      (sh) => void (joinedShared = sh),
      (e: unknown) => sink.fail(e),
    );
    const ready = joined.then(noop);
    ready.catch(noop); // reported through next(); awaiting ready is optional
    let finishing: Promise<void> | null = null;
    const finish = (): Promise<void> => {
      finishing ??= (() => {
        signal?.removeEventListener("abort", onAbort);
        // Leave at once when registered: registrationCount drops before the loop sees the end.
        const left = joinedShared !== null ? this.leave(joinedShared, sink) : this.leaveWhenJoined(joined, sink);
        sink.stop();
        return left;
      })();
      return finishing;
    };
    const onAbort = (): void => void finish().catch((e: unknown) => this.report(asError(e), this.backgroundWarned));
    if (signal?.aborted === true) sink.stop();
    else signal?.addEventListener("abort", onAbort, { once: true });
    const it: EventIterator<LibvirtEvent | EventGap> = {
      ready,
      get dropped() {
        return sink.queue.dropped;
      },
      get gaps() {
        return sink.gaps;
      },
      next: () => sink.next(),
      return: async () => {
        await finish();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]: () => it,
      [Symbol.asyncDispose]: () => finish(),
    };
    return it;
  }

  /**
   * The first matching event, for "do X, wait for its event":
   *
   *     const started = conn.events.waitFor("domain", "lifecycle", { filter: dom, predicate: (e) => e.data.event === 2 });
   *     await started.ready;          // the daemon's registration is in place
   *     await conn.domainCreate({ dom });
   *     const e = await started;
   *
   * Registration starts at once; awaiting `ready` before acting is what
   * makes sure the event is not caused before anyone listens. Rejects with
   * TimeoutError after `timeout`, AbortError on `signal` or `cancel()`,
   * EventGapError if the connection was re-established meanwhile, or what
   * the predicate threw. Its registration is removed once it settles.
   */
  waitFor<F extends EventFamily, K extends EventName<F>>(family: F, event: K, options?: WaitOptions<EventOf<F, K>>): EventWaiter<EventOf<F, K>>;
  waitFor(family: EventFamily, event: string, options: WaitOptions<LibvirtEvent> = {}): EventWaiter<LibvirtEvent> {
    checkOptions(options, "waitFor", ["filter", "qemuEvent", "regex", "nocase", "predicate", "timeout", "signal"]);
    let resolve!: (e: LibvirtEvent) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<LibvirtEvent>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A waiter whose `ready` rejected was told already; its own rejection must not also crash the process.
    promise.catch(noop);
    const { signal, timeout } = options;
    let cancelTimer = noop;
    const onAbort = (): void => sink.fail(new AbortError(`waitFor(${family}, ${event}) was aborted`, { cause: signal?.reason }));
    const sink = new WaiterSink(options.predicate, (outcome) => {
      cancelTimer();
      signal?.removeEventListener("abort", onAbort);
      void joined
        .then((sh) => (sh === null ? undefined : this.leave(sh, sink)), noop)
        .catch((e: unknown) => this.report(asError(e), this.backgroundWarned));
      if (outcome.ok) resolve(outcome.event);
      else reject(outcome.error);
    });
    const joined: Promise<Shared | null> = signal?.aborted === true ? Promise.resolve(null) : this.joinNow(family, event, options, sink);
    joined.catch((e: unknown) => sink.fail(e));
    const ready = joined.then(noop);
    ready.catch(noop);
    if (signal?.aborted === true) onAbort();
    else {
      signal?.addEventListener("abort", onAbort, { once: true });
      if (timeout !== undefined) cancelTimer = armTimer(timeout, () => sink.fail(new TimeoutError(`waitFor(${family}, ${event}) timed out after ${timeout} ms`)));
    }
    return Object.assign(promise, { ready, cancel: () => sink.fail(new AbortError(`waitFor(${family}, ${event}) was cancelled`)) });
  }

  /**
   * Carries every live subscription over to a new connection, for the
   * connection manager after a reconnect. The old connection's daemon
   * registrations are forgotten, not deregistered (it is gone); each shared
   * key is registered once on `conn`, its new callback ID routed to the same
   * local subscriptions; every live subscription and iterator first gets an
   * EventGap, so it comes after every event of the old connection and
   * before any of the new. Resolves once every registration is in place;
   * rejects (AggregateError for several) if some failed: those
   * subscriptions stay, unregistered, until the next `reattach`. Each
   * failure is also reported as listener failures are ('error' event, or
   * one warning), so a caller may ignore the rejection.
   *
   * `conn`'s 'event' and 'close' are listened to from now on; those of a
   * replaced connection are ignored.
   */
  async reattach(conn: EventConnection): Promise<void> {
    if (this.closeInfo !== null) throw this.closeInfo.error;
    this.side.forget();
    this.conn = conn;
    this.side = new DaemonRegistrations(conn, this.legacyOnly);
    this.hook(conn);
    const at = new Date();
    const live = [...this.shared.values()];
    for (const sh of live) {
      for (const sink of sh.sinks) if (sink.live) sink.gap(new EventGap(sh.spec.family, sh.spec.event as never, "reconnect", at));
      sh.attempt = this.attempt(sh);
    }
    const results = await Promise.allSettled(live.map((sh) => sh.attempt?.promise));
    // Only real failures count: a later reattach supersedes this one's attempts, and a
    // connection lost meanwhile is either made again (another reattach) or ends them all.
    const failures = results.flatMap((r) =>
      r.status === "rejected" && !(r.reason instanceof SupersededError) && !(r.reason instanceof ConnectionClosedError) ? [r.reason as unknown] : [],
    );
    // Reported here as well, so that a manager which cannot act on them may ignore the rejection.
    for (const f of failures) this.report(asError(f), this.backgroundWarned);
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} of ${live.length} event registrations failed on the new connection`);
  }

  /** Daemon registrations held or being made (shared ones count once). */
  get registrationCount(): number {
    return this.shared.size;
  }

  /** Events no registration matched (a wrong callback ID, family or procedure), dropped. */
  get stats(): { unrouted: number } {
    return { unrouted: this.unrouted };
  }

  // ---- local subscriptions and their shared keys ----

  /** Starts joining at once (the registration call is sent before this returns). */
  private joinNow(family: EventFamily, event: string, options: StreamOptions | WaitOptions<LibvirtEvent>, sink: Sink): Promise<Shared> {
    try {
      return this.join(specOf(family, event, options), sink);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Adds a sink to its shared key, registering the key with the daemon unless it is already. */
  private async join(spec: RegistrationSpec, sink: Sink): Promise<Shared> {
    if (this.closeInfo !== null) throw this.closeInfo.error;
    let sh = this.shared.get(spec.key);
    if (sh === undefined) {
      const created: Shared = {
        spec,
        sinks: new Set(),
        attempt: null,
        deliver: (e) => {
          for (const s of created.sinks) s.push(e);
        },
      };
      this.shared.set(spec.key, created);
      sh = created;
    }
    sh.sinks.add(sink);
    for (;;) {
      if (sh.attempt === null || sh.attempt.failed) sh.attempt = this.attempt(sh);
      const a = sh.attempt;
      try {
        await a.promise;
      } catch (e) {
        // Lost with its connection while a new one is being made: reattach will make a new attempt.
        if (e instanceof ConnectionClosedError && sh.attempt === a && this.closeInfo === null) await a.conn.reconnecting?.();
        // Superseded by a reattach: the new connection's attempt is the one to wait for.
        if (sh.attempt !== a && this.closeInfo === null) continue;
        this.drop(sh, sink);
        throw e instanceof SupersededError || e instanceof ConnectionClosedError ? (this.closedError() ?? e) : e;
      }
      if (sh.attempt !== a) continue;
      sink.live = true;
      return sh;
    }
  }

  private closedError(): Error | null {
    return this.closeInfo?.error ?? null;
  }

  private attempt(sh: Shared): Attempt {
    const side = this.side;
    const a: Attempt = { conn: this.conn, side, promise: side.register(sh), failed: false };
    a.promise.catch(() => void (a.failed = true));
    return a;
  }

  /** A sink whose registration failed: it was never live. */
  private drop(sh: Shared, sink: Sink): void {
    sh.sinks.delete(sink);
    if (sh.sinks.size === 0 && this.shared.get(sh.spec.key) === sh) this.shared.delete(sh.spec.key);
  }

  /**
   * Leaves once a join in progress settles. While the connection is being
   * made again, the join waits for it: the caller (a loop's `break`) must
   * not, so the leaving goes on in the background.
   */
  private leaveWhenJoined(joined: Promise<Shared | null>, sink: Sink): Promise<void> {
    const left = joined.then((sh) => (sh === null ? undefined : this.leave(sh, sink)), noop);
    if (this.conn.reconnecting?.() == null) return left;
    left.catch((e: unknown) => this.report(asError(e), this.backgroundWarned));
    return Promise.resolve();
  }

  /** Ends a sink; the last of a shared key removes the daemon's registration. */
  private async leave(sh: Shared, sink: Sink): Promise<void> {
    if (!sh.sinks.delete(sink)) return;
    sink.end(null);
    if (sh.sinks.size > 0 || this.shared.get(sh.spec.key) !== sh) return;
    this.shared.delete(sh.spec.key);
    const a = sh.attempt;
    sh.attempt = null;
    if (a === null || this.closeInfo !== null) return;
    if (await a.promise.then(() => false, () => true)) return; // never registered: nothing to remove
    await a.side.deregister(sh);
  }

  // ---- the connection ----

  private hook(conn: EventConnection): void {
    if (this.hooked.has(conn)) return;
    this.hooked.add(conn);
    conn.on("event", (e) => {
      if (conn === this.conn && !this.side.route(e)) this.unrouted++;
    });
    conn.on("close", (info) => {
      if (conn === this.conn) this.onClose(info);
    });
  }

  private onClose(info: CloseInfo): void {
    if (this.closeInfo !== null) return;
    this.closeInfo = info;
    this.side.forget();
    for (const sh of this.shared.values()) {
      for (const sink of sh.sinks) sink.end(info);
    }
    this.shared.clear();
  }

  /**
   * Where failures nobody awaits go: the 'error' event if anyone listens,
   * else one process warning per `once`. Never an uncaught exception.
   */
  private report(error: Error, once: { warned: boolean }): void {
    if (this.listenerCount("error") > 0) {
      try {
        this.emit("error", error);
        return;
      } catch (e) {
        error = asError(e); // the 'error' listener itself threw: warn about that instead
      }
    }
    if (once.warned) return;
    once.warned = true;
    process.emitWarning(error);
  }
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
