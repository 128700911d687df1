import { eventFamilies } from "../gen/events.js";
import { VirDrvFeature } from "../gen/libvirt_internal.js";
import { qemuProgram } from "../gen/qemu_protocol.js";
import { remoteProgram } from "../gen/remote_protocol.js";
import { ConnectionClosedError, ProtocolError } from "../rpc/errors.js";
import type { CallOptions, CloseInfo, InboundEvent } from "../rpc/session.js";
import type { ProcedureInfo, ProgramInfo } from "../xdr/index.js";
import type { EventObject } from "./options.js";
import { eventProcedure, objectKey, routeKey, routeOf, type RegistrationSpec } from "./routes.js";
import type { LibvirtEvent } from "./types.js";

/**
 * What the dispatcher needs of a connection. `close` means the end of
 * events for good: a connection manager that reconnects reports a
 * transient loss by calling `EventDispatcher.reattach` instead.
 */
export interface EventConnection {
  call(program: ProgramInfo, procedure: ProcedureInfo, args: unknown, options?: CallOptions): Promise<unknown>;
  /**
   * While this connection is lost and a new one is being made (and calls
   * made meanwhile are to wait, not fail): settles once that ends, after
   * `reattach` on the new connection or after 'close'. Null otherwise.
   */
  reconnecting?(): Promise<void> | null;
  on(event: "event", listener: (e: InboundEvent) => void): unknown;
  on(event: "close", listener: (info: CloseInfo) => void): unknown;
}

/** Where a daemon registration's events go: the local subscriptions of one shared key. */
export interface RouteTarget {
  readonly spec: RegistrationSpec;
  deliver(event: LibvirtEvent): void;
}

/** A registration made on a connection that was replaced before its reply came. */
export class SupersededError extends Error {
  override name = "SupersededError";
}

interface Held {
  /** The routing key of a callback-form registration; null for the legacy form. */
  route: string | null;
  remove: () => Promise<unknown>;
}

interface LegacyShare {
  targets: Set<RouteTarget>;
  ready: Promise<unknown>;
}

const remoteProcs = remoteProgram.procedures as Readonly<Record<string, ProcedureInfo>>;

/**
 * The daemon's side of the events of one connection: the registrations it
 * holds, and the table that routes its events by program, procedure and
 * callback ID, as libvirt's remote driver does. libvirtd numbers callbacks
 * per driver (the QEMU driver's domain and storage pool callbacks both
 * start from the same counter), so a callback ID alone names nothing.
 *
 * One of these lives per connection; after a reconnect the dispatcher
 * forgets it whole (the old daemon side is gone) and starts a new one.
 */
export class DaemonRegistrations {
  private forgotten = false;
  private callbackSupport: Promise<boolean> | null = null;
  private readonly byRoute = new Map<string, RouteTarget>();
  private readonly held = new Map<RouteTarget, Held>();
  /** Legacy registrations are per event ID: their events carry no callback ID, and every filter shares one. */
  private readonly legacy = new Map<string, LegacyShare>();

  constructor(
    readonly conn: EventConnection,
    private readonly legacyOnly: boolean,
  ) {}

  /** Registrations held on the daemon for local targets. */
  get size(): number {
    return this.held.size;
  }

  /** Registers `target.spec` with the daemon; its events route to `target` from the reply on. */
  async register(target: RouteTarget): Promise<void> {
    const spec = target.spec;
    if (spec.family === "domain" && !(await this.callbackForm())) return this.registerLegacy(target);
    if (this.forgotten) throw new SupersededError("the connection was replaced");
    const { program, procedure } = eventProcedure(spec, "callback");
    const calls = registerCalls(spec);
    let route: string | null = null;
    let repliedAfterForget = false;
    let duplicate = false;
    // Bound in onReply, before any later message: the first event may follow the reply at once.
    const ret = await this.conn.call(calls.program, calls.register, calls.args, {
      onReply: (r) => {
        route = routeKey(program, procedure, (r as { callbackID: number }).callbackID);
        if (this.forgotten) repliedAfterForget = true;
        else if (this.byRoute.has(route)) duplicate = true;
        else this.byRoute.set(route, target);
      },
    });
    const callbackID = (ret as { callbackID: number }).callbackID;
    const remove = (): Promise<unknown> => this.conn.call(calls.program, calls.deregister, { callbackID });
    if (duplicate) {
      void remove().catch(() => undefined);
      throw new ProtocolError(`the daemon gave callback ID ${callbackID} for ${procedure.name} twice`);
    }
    if (this.forgotten) {
      // A reply that came after the connection was replaced came from the
      // new one (the old is gone): nothing routes to it, so it must not stay.
      if (repliedAfterForget) void remove().catch(() => undefined);
      throw new SupersededError("the connection was replaced");
    }
    this.held.set(target, { route, remove });
  }

  /** Removes `target`'s registration from the daemon (not from a forgotten connection: it is gone). */
  async deregister(target: RouteTarget): Promise<void> {
    const h = this.held.get(target);
    if (h === undefined) return;
    this.held.delete(target);
    if (h.route !== null) this.byRoute.delete(h.route);
    if (this.forgotten) return;
    await h.remove().catch((e: unknown) => {
      // A connection that closes meanwhile takes the daemon's registration with it.
      if (!(e instanceof ConnectionClosedError)) throw e;
    });
  }

  /** Delivers an inbound event to the target it was registered for; false if none matches. */
  route(e: InboundEvent): boolean {
    const route = routeOf(e.program, e.procedure);
    if (route === undefined || this.forgotten) return false;
    const body = e.body as Record<string, unknown>;
    const data = "msg" in body ? (body["msg"] as Record<string, unknown>) : withoutCallbackId(body);
    const event = { family: route.family, event: route.event, data } as LibvirtEvent;
    if (route.form === "callback") {
      const id = body["callbackID"];
      const target = typeof id === "number" ? this.byRoute.get(routeKey(e.program, e.procedure, id)) : undefined;
      target?.deliver(event);
      return target !== undefined;
    }
    // Legacy events: every target of this event whose filter matches.
    const share = this.legacy.get(routeKey(e.program, e.procedure, null));
    let routed = false;
    for (const t of share?.targets ?? []) {
      if (t.spec.filter !== null && !sameObject(t.spec.filter, data["dom"])) continue;
      t.deliver(event);
      routed = true;
    }
    return routed;
  }

  /** The connection is gone: drop every registration without telling it, and route nothing more. */
  forget(): void {
    this.forgotten = true;
    this.byRoute.clear();
    this.held.clear();
    this.legacy.clear();
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
  private async registerLegacy(target: RouteTarget): Promise<void> {
    const { program, procedure } = eventProcedure(target.spec, "legacy");
    const key = routeKey(program, procedure, null);
    const f = eventFamilies.domain;
    const eventID = target.spec.eventId;
    let share = this.legacy.get(key);
    if (share === undefined) {
      const created: LegacyShare = { targets: new Set(), ready: this.conn.call(remoteProgram, remoteProcs[f.legacyRegister]!, { eventID }) };
      created.ready.catch(() => {
        if (this.legacy.get(key) === created) this.legacy.delete(key);
      });
      this.legacy.set(key, created);
      share = created;
    }
    share.targets.add(target);
    try {
      await share.ready;
    } catch (e) {
      share.targets.delete(target);
      throw e;
    }
    if (this.forgotten) throw new SupersededError("the connection was replaced");
    const shared = share;
    this.held.set(target, {
      route: null,
      remove: async () => {
        shared.targets.delete(target);
        // Other filters may still use the same legacy registration.
        if (shared.targets.size > 0 || this.legacy.get(key) !== shared) return;
        this.legacy.delete(key);
        await this.conn.call(remoteProgram, remoteProcs[f.legacyDeregister]!, { eventID });
      },
    });
  }
}

/** The register and deregister calls of a spec's family, and the register call's arguments. */
function registerCalls(spec: RegistrationSpec): { program: ProgramInfo; register: ProcedureInfo; deregister: ProcedureInfo; args: unknown } {
  if (spec.family === "qemu") {
    const p = qemuProgram.procedures;
    const args = { dom: spec.filter, event: spec.qemuEvent, flags: spec.qemuFlags };
    return { program: qemuProgram, register: p.connectDomainMonitorEventRegister, deregister: p.connectDomainMonitorEventDeregister, args };
  }
  const f = eventFamilies[spec.family];
  return {
    program: remoteProgram,
    register: remoteProcs[f.register]!,
    deregister: remoteProcs[f.deregister]!,
    args: { eventID: spec.eventId, [f.object]: spec.filter },
  };
}

function withoutCallbackId(body: Record<string, unknown>): Record<string, unknown> {
  const { callbackID: _, ...rest } = body;
  return rest;
}

function sameObject(a: EventObject, b: unknown): boolean {
  return typeof b === "object" && b !== null && objectKey(a) === objectKey(b as EventObject);
}
