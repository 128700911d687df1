import type { CEnum } from "./cenums.js";
import type { Model, Procedure, StructDef } from "./model.js";

/**
 * How libvirt's remote program lays out each event family: the ID enum of
 * the public header, the prefix of its event procedures, and the procedures
 * that register and deregister listeners. From these, each event ID is
 * matched with its procedures by name, the way libvirt names them.
 */
const FAMILIES = [
  { family: "domain", object: "dom", idEnum: "virDomainEventID", idPrefix: "VIR_DOMAIN_EVENT_ID_", proc: "DOMAIN_EVENT_", register: "CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY", deregister: "CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY", legacyRegister: "CONNECT_DOMAIN_EVENT_REGISTER_ANY", legacyDeregister: "CONNECT_DOMAIN_EVENT_DEREGISTER_ANY", virsh: "Domain" },
  { family: "network", object: "net", idEnum: "virNetworkEventID", idPrefix: "VIR_NETWORK_EVENT_ID_", proc: "NETWORK_EVENT_", register: "CONNECT_NETWORK_EVENT_REGISTER_ANY", deregister: "CONNECT_NETWORK_EVENT_DEREGISTER_ANY", legacyRegister: null, legacyDeregister: null, virsh: "Network" },
  { family: "storagePool", object: "pool", idEnum: "virStoragePoolEventID", idPrefix: "VIR_STORAGE_POOL_EVENT_ID_", proc: "STORAGE_POOL_EVENT_", register: "CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY", deregister: "CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY", legacyRegister: null, legacyDeregister: null, virsh: "Pool" },
  { family: "nodeDevice", object: "dev", idEnum: "virNodeDeviceEventID", idPrefix: "VIR_NODE_DEVICE_EVENT_ID_", proc: "NODE_DEVICE_EVENT_", register: "CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY", deregister: "CONNECT_NODE_DEVICE_EVENT_DEREGISTER_ANY", legacyRegister: null, legacyDeregister: null, virsh: "NodeDevice" },
  { family: "secret", object: "secret", idEnum: "virSecretEventID", idPrefix: "VIR_SECRET_EVENT_ID_", proc: "SECRET_EVENT_", register: "CONNECT_SECRET_EVENT_REGISTER_ANY", deregister: "CONNECT_SECRET_EVENT_DEREGISTER_ANY", legacyRegister: null, legacyDeregister: null, virsh: "Secret" },
] as const;

export interface EventKind {
  /** The event ID constant and its value. */
  idName: string;
  id: number;
  /**
   * What virsh calls it (`rtc-change`, `pm-wakeup`); without virsh's sources,
   * the ID's suffix in lower case with dashes.
   */
  name: string;
  /** Method of the callback-based event procedure (its message has callbackID). */
  method: string;
  /** Method of the legacy event procedure, if the family had one. */
  legacyMethod: string | null;
}

export interface EventFamily {
  family: string;
  /** The message field naming the object (dom, net, pool, dev, secret). */
  object: string;
  register: string;
  deregister: string;
  legacyRegister: string | null;
  legacyDeregister: string | null;
  kinds: EventKind[];
}

export function eventFamilies(model: Model, enums: ReadonlyMap<string, CEnum>, virshNames: Record<string, string[]>): EventFamily[] {
  const remote = model.modules.find((m) => m.name === "remote_protocol");
  const program = remote?.programs.find((p) => p.name === "remote");
  if (remote === undefined || program === undefined) return [];
  const byName = new Map(program.procedures.map((p) => [p.name, p]));
  const structs = new Map(remote.types.filter((t): t is StructDef => t.kind === "struct").map((t) => [t.name, t]));
  const hasCallbackId = (p: Procedure | undefined): boolean =>
    p?.message != null && (structs.get(p.message.name)?.fields.some((f) => f.name === "callbackID") ?? false);
  const method = (name: string): string => {
    const p = byName.get(`REMOTE_PROC_${name}`);
    if (p === undefined) throw new Error(`remote_protocol.x has no REMOTE_PROC_${name}`);
    return p.method;
  };
  const out: EventFamily[] = [];
  for (const f of FAMILIES) {
    const idEnum = enums.get(f.idEnum);
    if (idEnum === undefined) continue;
    const kinds: EventKind[] = [];
    for (const m of idEnum.members) {
      const suffix = m.name.slice(f.idPrefix.length);
      const callback = [byName.get(`REMOTE_PROC_${f.proc}CALLBACK_${suffix}`), byName.get(`REMOTE_PROC_${f.proc}${suffix}`)].find(hasCallbackId);
      if (callback === undefined) throw new Error(`no callback event procedure for ${m.name}`);
      const legacy = byName.get(`REMOTE_PROC_${f.proc}${suffix}`);
      kinds.push({
        idName: m.name,
        id: m.value,
        name: virshNames[f.virsh]?.[m.value] ?? suffix.toLowerCase().replace(/_/g, "-"),
        method: callback.method,
        legacyMethod: legacy !== undefined && legacy.message !== null && !hasCallbackId(legacy) ? legacy.method : null,
      });
    }
    out.push({
      family: f.family,
      object: f.object,
      register: method(f.register),
      deregister: method(f.deregister),
      legacyRegister: f.legacyRegister === null ? null : method(f.legacyRegister),
      legacyDeregister: f.legacyDeregister === null ? null : method(f.legacyDeregister),
      kinds,
    });
  }
  return out;
}
