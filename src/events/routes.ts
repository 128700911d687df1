import { eventFamilies } from "../gen/events.js";
import { qemuProgram } from "../gen/qemu_protocol.js";
import { remoteProgram } from "../gen/remote_protocol.js";
import { UnsupportedError } from "../rpc/errors.js";
import type { ProcedureInfo, ProgramInfo } from "../xdr/index.js";
import type { EventObject } from "./options.js";
import type { EventFamily } from "./types.js";

/**
 * What the daemon is asked to hold: one registration per distinct spec,
 * shared by every local subscription with the same `key`.
 */
export interface RegistrationSpec {
  readonly key: string;
  readonly family: EventFamily;
  readonly event: string;
  /** The family's event ID (virDomainEventID, ...); 0 for QEMU monitor events. */
  readonly eventId: number;
  readonly filter: EventObject | null;
  readonly qemuEvent: string | null;
  readonly qemuFlags: number;
}

/** Which family and event a procedure carries, and whether it names a callback ID. */
export interface EventRoute {
  readonly family: EventFamily;
  readonly event: string;
  readonly form: "callback" | "legacy";
}

type Kind = { id: number; method: string; legacyMethod: string | null };
const remoteProcs = remoteProgram.procedures as Readonly<Record<string, ProcedureInfo>>;

const routes = new Map<string, EventRoute>();
for (const [family, f] of Object.entries(eventFamilies)) {
  for (const [event, k] of Object.entries(f.kinds as Record<string, Kind>)) {
    routes.set(procKey(remoteProgram, remoteProcs[k.method]!), { family: family as EventFamily, event, form: "callback" });
    if (k.legacyMethod !== null) routes.set(procKey(remoteProgram, remoteProcs[k.legacyMethod]!), { family: family as EventFamily, event, form: "legacy" });
  }
}
routes.set(procKey(qemuProgram, qemuProgram.procedures.domainMonitorEvent), { family: "qemu", event: "monitor", form: "callback" });

/** The family and event of an inbound event procedure; undefined for any other procedure. */
export function routeOf(program: ProgramInfo, procedure: ProcedureInfo): EventRoute | undefined {
  return routes.get(procKey(program, procedure));
}

/**
 * The procedure the daemon sends a spec's events with. libvirt's own
 * dispatch matches event class, event ID and remote callback ID
 * (virObjectEventDispatchMatchCallback); the procedure stands for the
 * first two, since each procedure carries one event of one family.
 */
export function eventProcedure(spec: RegistrationSpec, form: "callback" | "legacy"): { program: ProgramInfo; procedure: ProcedureInfo } {
  if (spec.family === "qemu") return { program: qemuProgram, procedure: qemuProgram.procedures.domainMonitorEvent };
  const k = kindOf(spec.family, spec.event);
  const method = form === "callback" ? k.method : k.legacyMethod;
  if (method === null) throw new UnsupportedError(`the daemon has only the legacy event form, which has no '${spec.event}' event`);
  return { program: remoteProgram, procedure: remoteProcs[method]! };
}

/** The routing key of one daemon registration: program, procedure and (callback form) callback ID. */
export function routeKey(program: ProgramInfo, procedure: ProcedureInfo, callbackId: number | null): string {
  return `${procKey(program, procedure)}:${callbackId ?? "legacy"}`;
}

/** Builds the spec of a subscription; unknown families and events fail with UnsupportedError. */
export function specOf(
  family: EventFamily,
  event: string,
  options: { filter?: EventObject | null; qemuEvent?: string | null; regex?: boolean; nocase?: boolean },
): RegistrationSpec {
  const eventId = family === "qemu" ? qemuEventId(event) : kindOf(family, event).id;
  const filter = options.filter ?? null;
  const qemuEvent = family === "qemu" ? (options.qemuEvent ?? null) : null;
  // virConnectDomainQemuMonitorEventRegisterFlags: REGEX = 1, NOCASE = 2.
  const qemuFlags = family === "qemu" ? (options.regex === true ? 1 : 0) | (options.nocase === true ? 2 : 0) : 0;
  const key = [family, event, filter === null ? "*" : objectKey(filter), qemuEvent ?? "", qemuFlags].join("|");
  return { key, family, event, eventId, filter, qemuEvent, qemuFlags };
}

export function objectKey(o: EventObject): string {
  return o.uuid !== undefined ? Buffer.from(o.uuid).toString("hex") : `name:${o.name ?? ""}`;
}

function kindOf(family: EventFamily, event: string): Kind {
  const f = (eventFamilies as Record<string, { kinds: Record<string, Kind> } | undefined>)[family];
  if (f === undefined) throw new UnsupportedError(`unknown event family '${String(family)}'`);
  const k = Object.hasOwn(f.kinds, event) ? f.kinds[event] : undefined;
  if (k === undefined) throw new UnsupportedError(`unknown ${family} event '${event}' (known: ${Object.keys(f.kinds).join(", ")})`);
  return k;
}

function qemuEventId(event: string): number {
  if (event !== "monitor") throw new UnsupportedError(`qemu has only the 'monitor' event, not '${event}'`);
  return 0;
}

function procKey(program: ProgramInfo, procedure: ProcedureInfo): string {
  return `${program.program}:${procedure.number}`;
}
