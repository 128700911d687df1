import type { Declaration, Definition, TypeSpec, Value, VoidArm, XFile } from "./ast.js";
import { XGenError, type Loc } from "./errors.js";
import type { ConstDef, EnumDef, Field, MemberNote, Model, Module, Sym, TypeDef, UnionArm, Wire } from "./model.js";
import { stripComment } from "./parser.js";
import { findPrograms } from "./programs.js";

/** The value of a C constant the `.x` files use without defining. */
export type Externs = Readonly<Record<string, number>>;

const XDR_UNBOUNDED = 0xffffffff;

const RANGED: Record<string, { min: number; max: number }> = {
  char: { min: -128, max: 127 },
  "unsigned char": { min: 0, max: 255 },
  short: { min: -32768, max: 32767 },
  "unsigned short": { min: 0, max: 65535 },
};

interface Owned {
  module: string;
  def: Definition;
}

/**
 * Resolves a set of parsed files together, as rpcgen's C output is compiled
 * together: a file may use the types and constants of the others (qemu's
 * `.x` uses remote's domain type). Every module name is the file's base name.
 */
export function resolve(files: readonly XFile[], externs: Externs = {}): Model {
  return new Resolver(files, externs).model();
}

/** `src/remote/remote_protocol.x` -> `remote_protocol`. */
export function moduleName(file: string): string {
  const base = file.split(/[\\/]/).pop()!;
  return base.replace(/\.x$/, "");
}

class Resolver {
  /** name -> owners; more than one owner is only an error if used ambiguously. */
  private readonly types = new Map<string, Owned[]>();
  private readonly values = new Map<string, { module: string; value: Value | number; loc: Loc | null }[]>();
  private readonly constCache = new Map<string, number>();
  private readonly resolving = new Set<string>();
  private externsUsed = new Set<string>();

  constructor(
    private readonly files: readonly XFile[],
    private readonly externs: Externs,
  ) {
    for (const f of files) {
      const module = moduleName(f.file);
      const local = new Set<string>();
      const claim = (name: string, loc: Loc): void => {
        if (local.has(name)) throw new XGenError(loc, `'${name}' is defined twice`);
        local.add(name);
      };
      for (const def of f.definitions) {
        claim(def.name, def.loc);
        if (def.kind === "const") {
          this.addValue(def.name, module, def.value, def.loc);
        } else {
          push(this.types, def.name, { module, def });
          if (def.kind === "enum") {
            for (const m of def.members) {
              claim(m.name, m.loc);
              this.addValue(m.name, module, m.value, m.loc);
            }
          }
        }
      }
    }
  }

  private addValue(name: string, module: string, value: Value, loc: Loc): void {
    push(this.values, name, { module, value, loc });
  }

  model(): Model {
    const modules = this.files.map((f) => this.module(f));
    // Within a module two names must not become one TypeScript name; across
    // modules they may, the printer imports the other module's under an alias.
    for (const m of modules) {
      const seen = new Map<string, { name: string; loc: Loc }>();
      for (const t of [...m.enums, ...m.types].sort((a, b) => a.loc.line - b.loc.line || a.loc.col - b.loc.col)) {
        const ts = tsTypeName(t.name);
        const other = seen.get(ts);
        if (other !== undefined) {
          throw new XGenError(t.loc, `'${t.name}' and '${other.name}' (line ${other.loc.line}) both map to the TypeScript name ${ts}`);
        }
        seen.set(ts, t);
      }
    }
    return { modules };
  }

  private module(f: XFile): Module {
    const module = moduleName(f.file);
    this.externsUsed = new Set();
    const constants: ConstDef[] = [];
    const enums: EnumDef[] = [];
    const types: TypeDef[] = [];
    for (const def of f.definitions) {
      switch (def.kind) {
        case "const": {
          const v = def.value;
          constants.push({ name: def.name, loc: def.loc, value: this.constant(v, module), radix: v.kind === "number" ? v.radix : 10 });
          break;
        }
        case "enum": {
          const members = def.members.map((m) => ({
            name: m.name,
            loc: m.loc,
            value: this.constant(m.value, module),
            doc: m.doc,
            note: m.note,
          }));
          enums.push({ kind: "enum", name: def.name, loc: def.loc, members });
          break;
        }
        case "struct":
          types.push({
            kind: "struct",
            name: def.name,
            loc: def.loc,
            fields: def.fields.map((d) => this.field(d, module)),
            note: memberNote(def.note),
          });
          break;
        case "union":
          types.push(this.union(def, module));
          break;
        case "typedef":
          types.push({ kind: "typedef", name: def.name, loc: def.loc, wire: this.declWire(def.decl, module) });
          break;
      }
    }
    const partial: Module = { name: module, file: f.file, constants, enums, types, programs: [], externs: [] };
    partial.programs = findPrograms(partial, (name, at) => this.findType(name, module, at));
    partial.externs = [...this.externsUsed].sort();
    return partial;
  }

  private union(def: Extract<Definition, { kind: "union" }>, module: string): TypeDef {
    const discriminant = this.field(def.discriminant, module);
    const dk = discriminant.wire.k;
    if (dk !== "int" && dk !== "uint" && dk !== "enum") {
      throw new XGenError(def.discriminant.loc, `union ${def.name}: discriminant must be int, unsigned int or an enum`);
    }
    const seen = new Set<number>();
    const arms: UnionArm[] = def.cases.map((c) => ({
      cases: c.values.map((v) => {
        const value = this.constant(v, module);
        if (seen.has(value)) throw new XGenError(v.loc, `union ${def.name}: case ${value} appears twice`);
        seen.add(value);
        return { value, label: v.kind === "name" ? v.name : String(v.value), loc: v.loc };
      }),
      field: this.arm(c.arm, module),
    }));
    const dflt = def.default === null ? undefined : this.arm(def.default, module);
    return { kind: "union", name: def.name, loc: def.loc, discriminant, arms, default: dflt };
  }

  private arm(arm: Declaration | VoidArm, module: string): Field | null {
    return "name" in arm ? this.field(arm, module) : null;
  }

  private field(d: Declaration, module: string): Field {
    return { name: d.name, loc: d.loc, wire: this.declWire(d, module), note: memberNote(d.note) };
  }

  private declWire(d: Declaration, module: string): Wire {
    const shape = d.shape;
    const t = d.type;
    if (t.kind === "string") {
      return { k: "string", max: this.bound(shape.kind === "variable" ? shape.max : null, module) };
    }
    if (t.kind === "opaque") {
      if (shape.kind === "fixed") return { k: "fixedOpaque", size: this.size(shape.size, module) };
      return { k: "opaque", max: this.bound(shape.kind === "variable" ? shape.max : null, module) };
    }
    const of = this.typeWire(t, module);
    switch (shape.kind) {
      case "scalar":
        return of;
      case "optional":
        return { k: "optional", of };
      case "fixed":
        return { k: "fixedArray", of, size: this.size(shape.size, module) };
      case "variable":
        return { k: "array", of, max: this.bound(shape.max, module) };
    }
  }

  private typeWire(t: TypeSpec, module: string): Wire {
    if (t.kind === "primitive") {
      switch (t.name) {
        case "int":
          return { k: "int" };
        case "unsigned int":
          return { k: "uint" };
        case "hyper":
          return { k: "hyper" };
        case "unsigned hyper":
          return { k: "uhyper" };
        case "float":
          return { k: "float" };
        case "double":
          return { k: "double" };
        case "bool":
          return { k: "bool" };
        default:
          return { k: "ranged", cname: t.name, ...RANGED[t.name]! };
      }
    }
    if (t.kind !== "ref") throw new Error("unreachable: string/opaque handled by declWire");
    const owned = this.findType(t.name, module, t.loc);
    if (owned === null) throw new XGenError(t.loc, `unknown type '${t.name}'`);
    const ref: Sym = { name: t.name, module: owned.module };
    switch (owned.def.kind) {
      case "enum":
        return { k: "enum", ref };
      case "struct":
        return { k: "struct", ref };
      case "union":
        return { k: "union", ref };
      case "typedef": {
        const key = `${owned.module}.${t.name}`;
        if (this.resolving.has(key)) throw new XGenError(t.loc, `typedef '${t.name}' refers to itself`);
        this.resolving.add(key);
        try {
          const target = this.declWire(owned.def.decl, owned.module);
          return { ...target, alias: ref };
        } finally {
          this.resolving.delete(key);
        }
      }
      case "const":
        throw new XGenError(t.loc, `'${t.name}' is a constant, not a type`);
    }
  }

  /** `at`: where the name is used, for the message when it is ambiguous. */
  private findType(name: string, module: string, at?: Loc): Owned | null {
    const owners = this.types.get(name);
    if (owners === undefined) return null;
    const own = owners.find((o) => o.module === module);
    if (own !== undefined) return own;
    if (owners.length > 1) {
      const where = owners.map((o) => o.module).join(", ");
      throw new XGenError(at ?? owners[0]!.def.loc, `'${name}' is defined in several files (${where})`);
    }
    return owners[0]!;
  }

  private size(v: Value, module: string): number {
    const n = this.constant(v, module);
    if (n < 0 || n > XDR_UNBOUNDED) throw new XGenError(v.loc, `size ${n} is out of range`);
    return n;
  }

  private bound(v: Value | null, module: string): number {
    return v === null ? XDR_UNBOUNDED : this.size(v, module);
  }

  private constant(v: Value, module: string): number {
    if (v.kind === "number") return v.value;
    const owners = this.values.get(v.name);
    if (owners === undefined) {
      const ext = this.externs[v.name];
      if (ext === undefined) throw new XGenError(v.loc, `unknown constant '${v.name}' (not defined here nor in the externs table)`);
      this.externsUsed.add(v.name);
      return ext;
    }
    const owner = owners.find((o) => o.module === module) ?? owners[0]!;
    if (owners.length > 1 && owner.module !== module) {
      throw new XGenError(v.loc, `constant '${v.name}' is defined in several files`);
    }
    const key = `${owner.module}.${v.name}`;
    const cached = this.constCache.get(key);
    if (cached !== undefined) return cached;
    if (this.resolving.has(key)) throw new XGenError(v.loc, `constant '${v.name}' is defined in terms of itself`);
    this.resolving.add(key);
    try {
      const value = typeof owner.value === "number" ? owner.value : this.constant(owner.value, owner.module);
      this.constCache.set(key, value);
      return value;
    } finally {
      this.resolving.delete(key);
    }
  }
}

function push<V>(map: Map<string, V[]>, key: string, v: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [v]);
  else list.push(v);
}

function memberNote(note: string | null): MemberNote {
  const out: MemberNote = {};
  if (note === null) return out;
  const text = stripComment(note);
  const insert = /\binsert@(\d+)/.exec(text);
  if (insert !== null) out.insert = Number(insert[1]);
  const alloc = /\balloc@([^\s*]+(?: [^\s@*]+)*@\d+)/.exec(text);
  if (alloc !== null) out.alloc = alloc[1]!;
  const cast = /\(([^()]*\*[^()]*)\)/.exec(text);
  if (cast !== null) out.cast = cast[1]!;
  return out;
}

/** `remote_domain_event_graphics_msg` -> `RemoteDomainEventGraphicsMsg`; `virNetMessageHeader` -> `VirNetMessageHeader`. */
export function tsTypeName(name: string): string {
  return name
    .split("_")
    .filter((p) => p !== "")
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join("");
}
