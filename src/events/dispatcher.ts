import { eventFamilies } from "../gen/events.js";
import { qemuProgram } from "../gen/qemu_protocol.js";
import { remoteProgram } from "../gen/remote_protocol.js";
import { VirDrvFeature } from "../gen/libvirt_internal.js";
import { ConnectionClosedError, UnsupportedError } from "../rpc/errors.js";
import type { CallOptions, CloseInfo, InboundEvent } from "../rpc/session.js";
import type { ProcedureInfo, ProgramInfo } from "../xdr/index.js";
import { EventQueue } from "./queue.js";
import type { EventFamily, EventName, EventOf, LibvirtEvent } from "./types.js";

/** What the dispatcher needs of a connection. */
export interface EventConnection {
  call(program: ProgramInfo, procedure: ProcedureInfo, args: unknown, options?: CallOptions): Promise<unknown>;
  on(event: "event", listener: (e: InboundEvent) => void): unknown;
  on(event: "close", listener: (info: CloseInfo) => void): unknown;
}

/** The object an event is about, as the daemon names it: `{ name, uuid, ... }`. */
export interface EventObject {
  name: string;
  uuid: Uint8Array;
}

export interface SubscribeOptions {
  /** Only events about this object (a domain, network, pool, device or secret). */
  filter?: EventObject | null;
  /** QEMU monitor events: the event name to match (a regex with `regex: true`). */
  qemuEvent?: string | null;
  regex?: boolean;
  nocase?: boolean;
  /** Events this listener may have waiting; the oldest is dropped beyond it (default 10,000). */
  queue?: number;
}

export type Listener<E> = (event: E) => void | Promise<void>;

/** A listener's registration: close it to stop; `dropped` counts what its queue shed. */
export interface Subscription {
  readonly family: EventFamily;
  readonly event: string;
  /** Events dropped because this listener's queue was full. */
  readonly dropped: number;
  /** Events waiting for this listener. */
  readonly pending: number;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const DEFAULT_QUEUE = 10_000;

interface LocalListener {
  deliver: Listener<LibvirtEvent>;
  queue: EventQueue<LibvirtEvent>;
  draining: boolean;
  closed: boolean;
  onEnd?: (info: CloseInfo | null) => void;
}

/** One registration with the daemon, shared by every local listener with the same key. */
interface Registration {
  key: string;
  family: EventFamily;
  event: string;
  eventId: number;
  filter: EventObject | null;
  /** The daemon's callback ID; null for the legacy (per event ID) form. */
  callbackId: number | null;
  listeners: Set<LocalListener>;
  ready: Promise<void>;
  /** The call that removes it from the daemon, once no listener is left. */
  deregister: (() => Promise<unknown>) | null;
}

/**
 * libvirt's event API over one connection, as its remote driver does it:
 * callback-based registration (one per event, object filter and QEMU
 * event name), falling back to the legacy per-ID domain form only when the
 * daemon lacks the callback form. Local listeners with the same key share
 * one server registration, removed with the last of them. Each listener
 * has its own bounded queue, so one slow listener delays no other, nor any
 * call.
 */
export class EventDispatcher {
  private readonly registrations = new Map<string, Registration>();
  private readonly byCallbackId = new Map<number, Registration>();
  /** Legacy registrations are per event ID: their events carry no callback ID. */
  private readonly legacyByMethod = new Map<string, Registration>();
  private readonly routes = new Map<string, { family: EventFamily; event: string; callback: boolean }>();
  private closeInfo: CloseInfo | null = null;
  /** Forced legacy form (tests, or a caller who knows the daemon). */
  private readonly legacyOnly: boolean;
  private callbackSupport: Promise<boolean> | null = null;

  constructor(
    private readonly conn: EventConnection,
    options: { legacy?: boolean } = {},
  ) {
    this.legacyOnly = options.legacy === true;
    for (const [family, f] of Object.entries(eventFamilies)) {
      for (const [event, k] of Object.entries(f.kinds)) {
        this.routes.set(k.method, { family: family as EventFamily, event, callback: true });
        if (k.legacyMethod !== null) this.routes.set(k.legacyMethod, { family: family as EventFamily, event, callback: false });
      }
    }
    conn.on("event", (e) => this.route(e));
    conn.on("close", (info) => this.onClose(info));
  }

  /** Calls `listener` for every matching event until the subscription is closed. */
  async subscribe<F extends EventFamily, K extends EventName<F>>(
    family: F,
    event: K,
    listener: Listener<EventOf<F, K>>,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    const local: LocalListener = {
      deliver: listener as Listener<LibvirtEvent>,
      queue: new EventQueue(options.queue ?? DEFAULT_QUEUE),
      draining: false,
      closed: false,
    };
    const reg = await this.attach(family, event, options, local);
    const sub: Subscription = {
      family,
      event,
      get dropped() {
        return local.queue.dropped;
      },
      get pending() {
        return local.queue.length;
      },
      close: () => this.detach(reg, local),
      [Symbol.asyncDispose]: () => this.detach(reg, local),
    };
    return sub;
  }

  /**
   * The matching events as an async iterator; it ends when `signal` aborts
   * or the loop breaks, and throws if the connection dies.
   */
  stream<F extends EventFamily, K extends EventName<F>>(
    family: F,
    event: K,
    options: SubscribeOptions & { signal?: AbortSignal } = {},
  ): AsyncIterableIterator<EventOf<F, K>> & { readonly dropped: number } {
    const queue = new EventQueue<EventOf<F, K>>(options.queue ?? DEFAULT_QUEUE);
    let wake: (() => void) | null = null;
    let ended = false;
    let failure: Error | null = null;
    const local: LocalListener = {
      // The iterator's buffer is the queue: delivery is immediate, reading is the consumer's pace.
      deliver: () => undefined,
      queue: new EventQueue(1),
      draining: false,
      closed: false,
      onEnd: (info) => {
        ended = true;
        if (info !== null && info.reason !== "client") failure = info.error;
        wake?.();
      },
    };
    local.deliver = (e) => {
      queue.push(e as EventOf<F, K>);
      wake?.();
    };
    const registered = this.attach(family, event, options, local);
    // A rejection here surfaces through next(); this keeps it from going unhandled meanwhile.
    registered.catch(() => undefined);
    const finish = async (): Promise<void> => {
      if (ended && local.closed) return;
      ended = true;
      wake?.();
      const reg = await registered.catch(() => null);
      if (reg !== null) await this.detach(reg, local);
    };
    const onAbort = (): void => void finish().catch(surface);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    const iterator = {
      get dropped() {
        return queue.dropped;
      },
      async next(): Promise<IteratorResult<EventOf<F, K>>> {
        await registered;
        for (;;) {
          const item = queue.shift();
          if (item !== undefined) return { value: item, done: false };
          if (failure !== null) throw failure;
          if (ended) {
            options.signal?.removeEventListener("abort", onAbort);
            return { value: undefined, done: true };
          }
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
        }
      },
      async return(): Promise<IteratorResult<EventOf<F, K>>> {
        options.signal?.removeEventListener("abort", onAbort);
        await finish();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  /** Server registrations currently held (shared ones count once). */
  get registrationCount(): number {
    return this.registrations.size;
  }

  // ---- registration ----

  private async attach(family: EventFamily, event: string, options: SubscribeOptions, local: LocalListener): Promise<Registration> {
    if (this.closeInfo !== null) throw this.closeInfo.error;
    const eventId = this.eventId(family, event);
    const filter = options.filter ?? null;
    const qemuFlags = (options.regex === true ? 1 : 0) | (options.nocase === true ? 2 : 0);
    const key = [family, event, filter === null ? "*" : objectKey(filter), options.qemuEvent ?? "", qemuFlags].join("|");
    let reg = this.registrations.get(key);
    if (reg === undefined) {
      const created: Registration = {
        key,
        family,
        event,
        eventId,
        filter,
        callbackId: null,
        listeners: new Set(),
        ready: Promise.resolve(),
        deregister: null,
      };
      reg = created;
      this.registrations.set(key, created);
      created.ready = this.register(created, options.qemuEvent ?? null, qemuFlags).catch((e: unknown) => {
        this.registrations.delete(key);
        throw e;
      });
    }
    reg.listeners.add(local);
    try {
      await reg.ready;
    } catch (e) {
      reg.listeners.delete(local);
      throw e;
    }
    return reg;
  }

  private async register(reg: Registration, qemuEvent: string | null, qemuFlags: number): Promise<void> {
    if (reg.family === "qemu") {
      const p = qemuProgram.procedures;
      const args = { dom: reg.filter, event: qemuEvent, flags: qemuFlags };
      await this.conn.call(qemuProgram, p.connectDomainMonitorEventRegister, args, { onReply: (r) => this.bind(reg, r) });
      reg.deregister = () => this.conn.call(qemuProgram, p.connectDomainMonitorEventDeregister, { callbackID: reg.callbackId });
      return;
    }
    const f = eventFamilies[reg.family];
    const procs = remoteProgram.procedures as Record<string, ProcedureInfo>;
    if (reg.family === "domain" && !(await this.callbackForm())) {
      await this.registerLegacy(reg);
      return;
    }
    const args = { eventID: reg.eventId, [f.object]: reg.filter };
    await this.conn.call(remoteProgram, procs[f.register]!, args, { onReply: (r) => this.bind(reg, r) });
    reg.deregister = () => this.conn.call(remoteProgram, procs[f.deregister]!, { callbackID: reg.callbackId });
  }

  /**
   * Whether the daemon has the callback form of domain events, asked once as
   * libvirt's remote driver asks it: CONNECT_SUPPORTS_FEATURE(REMOTE_EVENT_CALLBACK).
   * Daemons older than libvirt 1.2.1 say no, and get the legacy form.
   */
  private callbackForm(): Promise<boolean> {
    this.callbackSupport ??= this.legacyOnly
      ? Promise.resolve(false)
      : this.conn
          .call(remoteProgram, remoteProgram.procedures.connectSupportsFeature, {
            feature: VirDrvFeature.VIR_DRV_FEATURE_REMOTE_EVENT_CALLBACK,
          })
          .then((r) => (r as { supported: number }).supported === 1);
    return this.callbackSupport;
  }

  /** The legacy form: one registration per event ID, filtered here by object. */
  private async registerLegacy(reg: Registration): Promise<void> {
    const f = eventFamilies.domain;
    const kind = (f.kinds as Record<string, { legacyMethod: string | null }>)[reg.event]!;
    if (kind.legacyMethod === null) {
      throw new UnsupportedError(`the daemon has only the legacy event form, which has no '${reg.event}' event`);
    }
    const procs = remoteProgram.procedures as Record<string, ProcedureInfo>;
    const shared = this.legacyByMethod.get(kind.legacyMethod);
    if (shared === undefined) {
      this.legacyByMethod.set(kind.legacyMethod, reg);
      try {
        await this.conn.call(remoteProgram, procs[f.legacyRegister]!, { eventID: reg.eventId });
      } catch (e) {
        this.legacyByMethod.delete(kind.legacyMethod);
        throw e;
      }
    }
    reg.deregister = async () => {
      // Other filters may still use the same legacy registration.
      const others = [...this.registrations.values()].some((r) => r !== reg && r.family === "domain" && r.event === reg.event);
      if (others) return;
      this.legacyByMethod.delete(kind.legacyMethod!);
      await this.conn.call(remoteProgram, procs[f.legacyDeregister]!, { eventID: reg.eventId });
    };
  }

  private bind(reg: Registration, ret: unknown): void {
    reg.callbackId = (ret as { callbackID: number }).callbackID;
    this.byCallbackId.set(reg.callbackId, reg);
  }

  private async detach(reg: Registration, local: LocalListener): Promise<void> {
    if (local.closed) return;
    local.closed = true;
    local.queue.clear();
    local.onEnd?.(null);
    reg.listeners.delete(local);
    if (reg.listeners.size > 0 || this.registrations.get(reg.key) !== reg) return;
    this.registrations.delete(reg.key);
    if (reg.callbackId !== null) this.byCallbackId.delete(reg.callbackId);
    if (this.closeInfo === null && reg.deregister !== null) {
      // A connection that closes meanwhile takes the server registration with it.
      await reg.deregister().catch((e: unknown) => {
        if (!(e instanceof ConnectionClosedError)) throw e;
      });
    }
  }

  private eventId(family: EventFamily, event: string): number {
    if (family === "qemu") {
      if (event !== "monitor") throw new UnsupportedError(`qemu has only the 'monitor' event, not '${event}'`);
      return 0;
    }
    const f = eventFamilies[family];
    if (f === undefined) throw new UnsupportedError(`unknown event family '${String(family)}'`);
    const k = (f.kinds as Record<string, { id: number }>)[event];
    if (k === undefined) throw new UnsupportedError(`unknown ${family} event '${event}' (known: ${Object.keys(f.kinds).join(", ")})`);
    return k.id;
  }

  // ---- delivery ----

  private route(e: InboundEvent): void {
    const body = e.body as Record<string, unknown>;
    if (e.program === qemuProgram) {
      const reg = this.byCallbackId.get(body["callbackID"] as number);
      if (reg !== undefined) this.fanOut(reg, { family: "qemu", event: "monitor", data: withoutCallbackId(body) } as LibvirtEvent);
      return;
    }
    const route = this.routes.get(methodOf(e.procedure));
    if (route === undefined) return;
    const data = "msg" in body ? (body["msg"] as Record<string, unknown>) : withoutCallbackId(body);
    const event = { family: route.family, event: route.event, data } as LibvirtEvent;
    if (route.callback) {
      const reg = this.byCallbackId.get(body["callbackID"] as number);
      if (reg !== undefined) this.fanOut(reg, event);
      return;
    }
    // Legacy events: every registration for this event whose filter matches.
    for (const reg of this.registrations.values()) {
      if (reg.family !== route.family || reg.event !== route.event || reg.callbackId !== null) continue;
      if (reg.filter === null || sameObject(reg.filter, data["dom"] as EventObject)) this.fanOut(reg, event);
    }
  }

  private fanOut(reg: Registration, event: LibvirtEvent): void {
    for (const local of reg.listeners) {
      if (local.onEnd !== undefined) {
        local.deliver(event); // an iterator: its own queue
        continue;
      }
      local.queue.push(event);
      if (!local.draining) void this.drain(local);
    }
  }

  /**
   * Feeds one listener from its queue. A listener that returns at once is
   * fed at once, so synchronous listeners see events in arrival order
   * across all of them; one that returns a promise is awaited before its
   * next event, and meanwhile its events wait in its own queue.
   */
  private async drain(local: LocalListener): Promise<void> {
    local.draining = true;
    try {
      for (;;) {
        const e = local.queue.shift();
        if (e === undefined || local.closed) return;
        try {
          const pending = local.deliver(e);
          if (pending !== undefined) await pending;
        } catch (err) {
          surface(err);
        }
      }
    } finally {
      local.draining = false;
    }
  }

  private onClose(info: CloseInfo): void {
    this.closeInfo = info;
    for (const reg of this.registrations.values()) {
      for (const local of reg.listeners) local.onEnd?.(info);
    }
    this.registrations.clear();
    this.byCallbackId.clear();
    this.legacyByMethod.clear();
  }
}

/** A failure nobody awaits, made visible as Node makes an uncaught error visible. */
function surface(err: unknown): void {
  queueMicrotask(() => {
    throw err;
  });
}

const methods = new Map<ProcedureInfo, string>(Object.entries(remoteProgram.procedures).map(([m, p]) => [p as ProcedureInfo, m]));
function methodOf(p: ProcedureInfo): string {
  return methods.get(p) ?? "";
}

function withoutCallbackId(body: Record<string, unknown>): Record<string, unknown> {
  const { callbackID: _, ...rest } = body;
  return rest;
}

function objectKey(o: EventObject): string {
  return Buffer.from(o.uuid).toString("hex");
}

function sameObject(a: EventObject, b: EventObject | undefined): boolean {
  return b !== undefined && objectKey(a) === objectKey(b);
}
