/**
 * What the friendly layer is made of, worked out from the remote program's
 * procedure table and libvirt's naming alone: which object each procedure
 * acts on, what its method is called, which arguments the layer fills in
 * (the object itself, `need_results`, counts and maxima, `flags` by
 * default), and how replies turn into handles, strings and plain objects.
 * Pure functions over the resolved model, so a test can call them.
 */
import type { Field, Model, Procedure, Program, StructDef, TypeDef, Wire } from "./model.js";
import { familyOf, STRING_OKAY_GETTERS, type ParamFamily } from "./param-tables.js";
import { camel } from "./programs.js";
import { streamKindOf, type StreamKind } from "./streams.js";

/** An object libvirt hands out by reference: `remote_nonnull_<kind>`. */
export interface Kind {
  /** `domain_snapshot` */
  kind: string;
  /** `DOMAIN_SNAPSHOT_`: procedures about it are named so. */
  prefix: string;
  /** `DomainSnapshot`: the handle class. */
  cls: string;
  struct: StructDef;
}

/** How a value changes between the wire and the friendly surface. */
export type Conv =
  | { k: "handle"; kind: Kind }
  | { k: "uuid" }
  | { k: "chars" }
  | { k: "typed" }
  | { k: "fieldmap" }
  | { k: "opt"; of: Conv }
  | { k: "array"; of: Conv }
  | { k: "struct"; fields: [string, Conv][] };

/** What the layer does with one argument field. */
export type ArgRole =
  | { r: "self"; expr: string }
  | { r: "const"; value: string }
  | { r: "count" }
  | { r: "flags" }
  | { r: "typed" }
  | { r: "param"; conv: Conv | null };

export interface FriendlyMethod {
  name: string;
  proc: Procedure;
  /** Method key in the generated procedure table (`domainGetXmlDesc`). */
  key: string;
  args: { field: Field; role: ArgRole }[];
  /** Fields of the reply, after dropping counts the layer consumed. */
  ret: { field: Field; conv: Conv | null }[];
  /** The reply is one field, returned alone. */
  unwrap: boolean;
  /** nparams = 0 returns the count, then a second call fetches (libvirt's two-step). */
  countThenFetch: boolean;
  /** For a setter of typed parameters: the getter whose reply gives each field's type. */
  typesFrom: FriendlyMethod | null;
  /** For a setter with no getter: the header family that types its fields. */
  table: ParamFamily | null;
  /** A getter libvirt's C API adds VIR_TYPED_PARAM_STRING_OKAY to when the daemon supports it. */
  stringOkay: boolean;
  stream: StreamKind | null;
  /** Kinds that carry an `id` refresh it afterwards (start, stop, save). */
  refresh: "reply" | "lookup" | null;
}

export interface Lookup {
  /** Method name on the owner: `domain`, `snapshot`, `storageVol`. */
  name: string;
  target: Kind;
  /** By which argument form: `id`, `uuid`, `mac`, `path`, `name`, `key`. */
  variants: { by: string; method: FriendlyMethod }[];
}

export interface Owner {
  /** null: the connection. */
  kind: Kind | null;
  methods: FriendlyMethod[];
  lookups: Lookup[];
  /** The lookup by UUID that refreshes a handle's `id`. */
  refresh: FriendlyMethod | null;
  /** A hand-written class the generated one extends, in place of `Handle`: it holds the methods of `HAND_WRITTEN`. */
  base: { cls: string; module: string } | null;
}

/**
 * Methods written by hand in src/api, per kind: the class holding them and
 * the procedures it covers, which the generator leaves out.
 */
const HAND_WRITTEN: Record<string, { cls: string; module: string; procedures: readonly string[] }> = {
  // CPU maps sized from the host's CPU count and given as booleans, as libvirt-python does.
  domain: {
    cls: "DomainCpus",
    module: "../../api/domain-cpus.js",
    procedures: ["GET_VCPUS", "PIN_VCPU", "PIN_VCPU_FLAGS", "GET_VCPU_PIN_INFO", "PIN_EMULATOR", "GET_EMULATOR_PIN_INFO", "GET_IOTHREAD_INFO", "PIN_IOTHREAD"].map((p) => `REMOTE_PROC_DOMAIN_${p}`),
  },
};

/** Procedures the layer leaves to the exact one: the handshake, authentication, event registration. */
const SKIP = /^(AUTH_|CONNECT_OPEN$|CONNECT_CLOSE$|CONNECT_SUPPORTS_FEATURE$|.*EVENT_(CALLBACK_)?(REGISTER|DEREGISTER))/;
/** Verbs of libvirt's ACL that start or stop a domain: its `id` changes. */
const LIFECYCLE_ACL = /:(start|stop|init_control|hibernate)$/;

export class FriendlyPlan {
  readonly kinds: Kind[];
  readonly owners: Owner[];
  private readonly types = new Map<string, TypeDef>();

  constructor(
    model: Model,
    readonly program: Program,
    private readonly families: readonly ParamFamily[] = [],
  ) {
    for (const m of model.modules) for (const t of m.types) this.types.set(t.name, t);
    this.kinds = [...this.types.values()]
      .filter((t): t is StructDef => t.kind === "struct" && /^remote_nonnull_(?!string$)/.test(t.name))
      .map((struct) => {
        const kind = struct.name.slice("remote_nonnull_".length);
        return { kind, prefix: `${kind.toUpperCase()}_`, cls: className(kind), struct };
      });
    const owners = new Map<Kind | null, Owner>([[null, { kind: null, methods: [], lookups: [], refresh: null, base: null }]]);
    for (const k of this.kinds) owners.set(k, { kind: k, methods: [], lookups: [], refresh: null, base: null });
    const suffix = (p: Procedure): string => p.name.slice(p.name.indexOf("_PROC_") + 6);
    const callable = program.procedures.filter((p) => p.message === null && !SKIP.test(suffix(p)));
    for (const p of callable) {
      const owner = this.ownerOf(p, suffix(p));
      owners.get(owner)!.methods.push(this.method(p, suffix(p), owner));
    }
    for (const o of owners.values()) this.finish(o);
    for (const [kind, hand] of Object.entries(HAND_WRITTEN)) {
      const o = [...owners.values()].find((x) => x.kind?.kind === kind);
      if (o === undefined) throw new Error(`friendly: hand-written methods for ${kind}, which is no kind of the protocol`);
      const unknown = hand.procedures.filter((n) => !program.procedures.some((p) => p.name === n));
      if (unknown.length > 0) throw new Error(`friendly: hand-written ${unknown.join(", ")}: no such procedure`);
      o.base = { cls: hand.cls, module: hand.module };
      o.methods = o.methods.filter((m) => !hand.procedures.includes(m.proc.name));
    }
    this.owners = [...owners.values()];
    // A handle refreshes itself through the connection's lookup by UUID.
    const byUuid = owners.get(null)!.lookups.flatMap((l) => l.variants.filter((v) => v.by === "uuid").map((v) => [l.target, v.method] as const));
    for (const [kind, m] of byUuid) owners.get(kind)!.refresh = m;
  }

  struct(name: string): StructDef | null {
    const t = this.types.get(name);
    return t?.kind === "struct" ? t : null;
  }

  /** The object a procedure acts on: its first argument, if that is a reference of the kind its name says. */
  private ownerOf(p: Procedure, name: string): Kind | null {
    if (/_LOOKUP_BY_/.test(name) && !this.firstIsRef(p)) return null;
    const first = p.args === null ? undefined : this.struct(p.args.name)?.fields[0];
    if (first === undefined) return null;
    const k = this.kindOf(first.wire);
    if (k !== null) return k;
    // A reference of one field (a node device is its name) is sent as that field alone.
    for (const kind of this.kinds) {
      const only = kind.struct.fields.length === 1 ? kind.struct.fields[0]! : null;
      if (only !== null && name.startsWith(kind.prefix) && !/_LOOKUP_|_CREATE_XML$|_DEFINE_XML$/.test(name) && first.name === only.name && first.wire.k === only.wire.k) return kind;
    }
    return null;
  }

  private firstIsRef(p: Procedure): boolean {
    const first = p.args === null ? undefined : this.struct(p.args.name)?.fields[0];
    return first !== undefined && this.kindOf(first.wire) !== null;
  }

  kindOf(w: Wire): Kind | null {
    return w.k === "struct" ? (this.kinds.find((k) => k.struct.name === w.ref.name) ?? null) : null;
  }

  private method(p: Procedure, name: string, owner: Kind | null): FriendlyMethod {
    const argFields = p.args === null ? [] : this.struct(p.args.name)!.fields;
    const retFields = p.ret === null ? [] : this.struct(p.ret.name)!.fields;
    const hasCount = retFields.some((f) => f.name === "nparams");
    const args = argFields.map((field, i): { field: Field; role: ArgRole } => {
      if (i === 0 && owner !== null) {
        const self = this.kindOf(field.wire) === owner ? "this.current" : `this.current.${field.name}`;
        return { field, role: { r: "self", expr: self } };
      }
      if (field.name === "need_results") return { field, role: { r: "const", value: "1" } };
      // A few old procedures (MIGRATE_FINISH) send flags as a hyper: those stay an argument like any other.
      if (field.name === "flags" && i === argFields.length - 1 && field.wire.k === "uint") return { field, role: { r: "flags" } };
      if (this.isTypedArray(field.wire)) return { field, role: { r: "typed" } };
      if (field.name === "nparams") {
        if (hasCount) return { field, role: { r: "count" } };
        // No count in the reply: ask for as many as the protocol allows, the daemon returns what there is.
        const max = arrayMax(retFields.find((f) => f.name === "params")?.wire);
        if (max !== null) return { field, role: { r: "const", value: String(max) } };
      }
      // `maxnames`, `maxids`, `maxStats`: the size of the reply's one list.
      if (/^max[A-Z]?[a-z]*$/.test(field.name) && field.name !== "max") {
        const lists = retFields.filter((f) => f.wire.k === "array");
        const max = lists.length === 1 ? arrayMax(lists[0]!.wire) : null;
        if (max !== null) return { field, role: { r: "const", value: String(max) } };
      }
      return { field, role: { r: "param", conv: this.conv(field.wire) } };
    });
    const countThenFetch = args.some((a) => a.role.r === "count");
    let ret = retFields.map((field) => ({ field, conv: this.conv(field.wire) }));
    if (countThenFetch) ret = ret.filter((r) => r.field.name !== "nparams");
    // A list asked for with need_results also carries its length as `ret`.
    if (args.some((a) => a.field.name === "need_results")) ret = ret.filter((r) => r.field.name !== "ret");
    const acl = p.annotations.acl;
    const hasId = owner?.struct.fields.some((f) => f.name === "id") === true;
    const lifecycle = hasId && acl.some((a) => LIFECYCLE_ACL.test(a)) && !/_DEFINE_XML|_REMOVE$/.test(name);
    const refresh = !lifecycle ? null : ret.length === 1 && this.kindOf(ret[0]!.field.wire) === owner ? "reply" : "lookup";
    return {
      name: methodName(name, owner),
      proc: p,
      key: p.method,
      args,
      ret,
      unwrap: ret.length === 1,
      countThenFetch,
      typesFrom: null,
      table: familyOf(this.families, name),
      stringOkay: STRING_OKAY_GETTERS.has(name),
      stream: streamKindOf(p),
      refresh,
    };
  }

  /** A reference's field as a getter: a reference it holds is named after its kind (`dom` -> `domain`). */
  getterName(f: Field): string {
    const k = this.kindOf(f.wire);
    return k === null ? f.name : camel(k.kind);
  }

  isTypedArray(w: Wire): boolean {
    return w.k === "array" && w.of.k === "struct" && w.of.ref.name === "remote_typed_param";
  }

  /** How a wire value is shown at the friendly surface; null: as it is. */
  conv(w: Wire): Conv | null {
    if (w.alias?.name === "remote_uuid") return { k: "uuid" };
    if (this.isTypedArray(w)) return { k: "typed" };
    switch (w.k) {
      case "fixedArray":
        return w.of.k === "ranged" && w.of.cname === "char" ? { k: "chars" } : null;
      case "optional": {
        const of = this.conv(w.of);
        return of === null ? null : { k: "opt", of };
      }
      case "array": {
        if (w.of.k === "struct" && isFieldValue(this.struct(w.of.ref.name))) return { k: "fieldmap" };
        const of = this.conv(w.of);
        return of === null ? null : { k: "array", of };
      }
      case "struct": {
        const kind = this.kindOf(w);
        if (kind !== null) return { k: "handle", kind };
        const s = this.struct(w.ref.name);
        if (s === null) return null;
        const fields = s.fields.flatMap((f): [string, Conv][] => {
          const c = this.conv(f.wire);
          return c === null ? [] : [[f.name, c]];
        });
        return fields.length === 0 ? null : { k: "struct", fields };
      }
      default:
        return null;
    }
  }

  /**
   * Per owner: `x` stands for `X_FLAGS` (or `X_WITH_FLAGS`) when that only
   * adds flags, as flags default to 0; lookups grouped; setters of typed
   * parameters paired with their getter; clashing names keep their long form.
   */
  private finish(o: Owner): void {
    const byKey = new Map(o.methods.map((m) => [m.proc.name, m]));
    for (const m of o.methods) {
      for (const tail of ["_FLAGS", "_WITH_FLAGS"]) {
        const wide = byKey.get(m.proc.name + tail);
        if (wide === undefined || !this.onlyAddsFlags(m, wide)) continue;
        wide.name = m.name;
        m.name = "";
        break;
      }
    }
    o.methods = o.methods.filter((m) => m.name !== "");
    // Names the handle base class and the reference's getters take: those methods keep their long form.
    const taken = new Set(["ref", "conn", "current", "reload", "settle", "toJSON", ...(o.kind?.struct.fields.map((f) => this.getterName(f)) ?? [])]);
    for (const m of o.methods) if (taken.has(m.name)) m.name = m.key;
    const seen = new Map<string, FriendlyMethod[]>();
    for (const m of o.methods) seen.set(m.name, [...(seen.get(m.name) ?? []), m]);
    for (const [, ms] of seen) if (ms.length > 1) for (const m of ms) m.name = m.key;
    for (const m of o.methods) {
      if (!m.args.some((a) => a.role.r === "typed") || m.proc.name.indexOf("_SET_") < 0) continue;
      const getter = o.methods.find((g) => g.proc.name === m.proc.name.replace("_SET_", "_GET_") && g.ret.length === 1 && g.ret[0]!.conv?.k === "typed");
      if (getter?.args.every((a) => a.role.r !== "param" || m.args.some((b) => b.field.name === a.field.name))) m.typesFrom = getter;
    }
    // With the headers at hand, no setter may be left to guessing (see FAMILIES in param-tables.ts).
    const untyped = o.methods.filter((m) => m.args.some((a) => a.role.r === "typed") && m.typesFrom === null && m.table === null);
    if (this.families.length > 0 && untyped.length > 0) throw new Error(`friendly: no getter and no header family types ${untyped.map((m) => m.proc.name).join(", ")}`);
    const lookups = new Map<Kind, Lookup>();
    for (const m of o.methods) {
      const by = /_LOOKUP_BY_(\w+)$/.exec(m.proc.name)?.[1];
      const target = m.ret.length === 1 ? this.kindOf(m.ret[0]!.field.wire) : null;
      const params = m.args.filter((a) => a.role.r === "param");
      if (by === undefined || target === null || params.length > 1) continue;
      const form = { ID: "id", UUID: "uuid", MAC_STRING: "mac", PATH: "path", NAME: "name", KEY: "key", PORT_DEV: "name", VOLUME: "self" }[by];
      if (form === undefined) continue;
      let l = lookups.get(target);
      if (l === undefined) {
        const name = o.kind !== null && target.prefix.startsWith(o.kind.prefix) ? camel(target.prefix.slice(o.kind.prefix.length)) : camel(target.kind);
        lookups.set(target, (l = { name, target, variants: [] }));
      }
      l.variants.push({ by: form, method: m });
    }
    o.lookups = [...lookups.values()];
  }

  private onlyAddsFlags(base: FriendlyMethod, wide: FriendlyMethod): boolean {
    const a = base.args.map((x) => x.field.name);
    const b = wide.args.map((x) => x.field.name);
    const sameRet = base.ret.length === 0 || base.ret.map((r) => r.field.name).join() === wide.ret.map((r) => r.field.name).join();
    return b.length === a.length + 1 && b[b.length - 1] === "flags" && a.every((n, i) => b[i] === n) && sameRet && base.stream === wide.stream;
  }
}

/** `DOMAIN_GET_XML_DESC` on a domain -> `xmlDesc`; on the connection, `CONNECT_GET_HOSTNAME` -> `hostname`, `NODE_GET_INFO` -> `nodeInfo`. */
export function methodName(name: string, owner: Kind | null): string {
  let rest = name;
  if (owner !== null && rest.startsWith(owner.prefix)) rest = rest.slice(owner.prefix.length).replace(/^GET_(?=.)/, "");
  else if (owner === null) rest = rest.replace(/^CONNECT_/, "").replace(/^GET_(?=.)/, "").replace(/^NODE_GET_/, "NODE_");
  return camel(rest);
}

/** `domain_snapshot` -> `DomainSnapshot`, `nwfilter` -> `NWFilter` (libvirt-python's virNWFilter). */
export function className(kind: string): string {
  return kind
    .split("_")
    .map((s) => (s === "nwfilter" ? "NWFilter" : s[0]!.toUpperCase() + s.slice(1)))
    .join("");
}

function arrayMax(w: Wire | undefined): number | null {
  return w?.k === "array" ? w.max : null;
}

/** `{ field: string; value: <scalar> }`: a statistic, shown as one key of a plain object. */
function isFieldValue(s: StructDef | null): boolean {
  if (s === null || s.fields.length !== 2) return false;
  const [f, v] = s.fields as [Field, Field];
  return f.name === "field" && f.wire.k === "string" && v.name === "value" && ["int", "uint", "hyper", "uhyper", "double"].includes(v.wire.k);
}
