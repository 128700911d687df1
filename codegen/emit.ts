import { emitTypes } from "./emit-types.js";
import { XGenError, type Loc } from "./errors.js";
import type { EnumDef, Field, Model, Module, Procedure, Program, StructDef, Sym, TypeDef, TypedefDef, UnionDef, Wire } from "./model.js";
import { Printer } from "./printer.js";
import { safeIdent } from "./reserved.js";
import { MinSizes } from "./sizes.js";
import { tsTypeName } from "./resolve.js";
import { rules, type EmitContext } from "./wire.js";

export interface EmitOptions {
  /** Module specifier of the XDR runtime, as the generated files import it. */
  runtime: string;
  /** Per module: a line naming its input for the header (file, version, sha256). */
  describeSource: (module: Module) => string;
}

/** Prints one TypeScript file per module, plus an index; keys are file names. */
export function emit(model: Model, options: EmitOptions): Map<string, string> {
  const defs = new Map<string, TypeDef | EnumDef>();
  for (const m of model.modules) for (const d of [...m.enums, ...m.types]) defs.set(key({ name: d.name, module: m.name }), d);
  const out = new Map<string, string>();
  for (const m of model.modules) out.set(`${m.name}.ts`, new ModuleEmitter(m, defs, options).print());
  out.set("index.ts", emitIndex(model.modules.map((m) => m.name)));
  out.set("types.ts", emitTypes(model));
  return out;
}

/** index.ts: every generated module as a namespace (`export * as remoteProtocol`). */
export function emitIndex(modules: readonly string[]): string {
  const p = new Printer("the modules below");
  for (const m of modules) p.line(`export * as ${camelModule(m)} from "./${m}.js";`);
  return p.toString();
}

function key(s: Sym): string {
  return `${s.module}.${s.name}`;
}

/** `remote_protocol` -> `remoteProtocol`. */
export function camelModule(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Field names that would collide with the generated code's own locals, or with runtime helpers they call. */
const LOCALS = new Set(["within", "arrayCount", "fixedLength", "badUnion", "badValue", "otherEnum", "codec", "r", "w", "v", "e", "at"]);

/**
 * The local variable holding a field while a struct or union is decoded:
 * renamed when it would shadow a keyword, a local of the generated code, a
 * runtime helper or a generated function the same body calls.
 */
function local(name: string): string {
  return /^(encode|decode|is)[A-Z]/.test(name) ? `${name}_` : safeIdent(name, LOCALS);
}

class ModuleEmitter implements EmitContext {
  readonly p: Printer;
  private tmp = 0;
  private readonly minSizes: MinSizes;

  constructor(
    private readonly m: Module,
    defs: Map<string, TypeDef | EnumDef>,
    private readonly o: EmitOptions,
  ) {
    this.p = new Printer(o.describeSource(m));
    this.minSizes = new MinSizes((s) => defs.get(key(s))!);
  }

  print(): string {
    const { p, m } = this;
    for (const name of topLevelNames(m)) p.declare(name);
    for (const c of m.constants) p.line(`export const ${c.name} = ${literal(c.value, c.radix)};`);
    if (m.constants.length > 0) p.line();
    for (const e of m.enums) this.enumDef(e);
    for (const t of m.types) {
      if (t.kind === "struct") this.struct(t);
      else if (t.kind === "union") this.union(t);
      else this.typedef(t);
    }
    this.codecTable();
    this.schemaTable();
    for (const prog of m.programs) this.program(prog);
    return p.toString();
  }

  rt(name: string): string {
    return this.p.importValue(name, this.o.runtime);
  }

  private rtType(name: string): string {
    return this.p.importType(name, this.o.runtime);
  }

  /** A generated function of another (or this) module: imported when foreign. */
  fn(prefix: "encode" | "decode", s: Sym): string {
    const name = `${prefix}${tsTypeName(s.name)}`;
    return s.module === this.m.name ? name : this.p.importValue(name, `./${s.module}.js`);
  }

  typeName(s: Sym): string {
    const name = tsTypeName(s.name);
    return s.module === this.m.name ? name : this.p.importType(name, `./${s.module}.js`);
  }

  fresh(base: string): string {
    return `${base}$${++this.tmp}`;
  }

  // ---- per wire kind: the rows of WIRE (wire.ts) ----

  tsType(w: Wire): string {
    return w.alias !== undefined ? this.typeName(w.alias) : rules(w).ts(w, this);
  }

  decodeExpr(w: Wire): string | null {
    return rules(w).decode(w, this);
  }

  decodeInto(w: Wire, name: string): void {
    const e = this.decodeExpr(w);
    if (e !== null) {
      this.p.line(`const ${name} = ${e};`);
      return;
    }
    const into = rules(w).decodeInto;
    if (into === undefined) throw new Error(`codegen bug: wire kind ${w.k} decodes to no expression and has no decodeInto`);
    into(w, name, this);
  }

  encode(w: Wire, expr: string): void {
    rules(w).encode(w, expr, this);
  }

  schema(w: Wire): string {
    return rules(w).schema(w, this);
  }

  minSize(w: Wire): number {
    return this.minSizes.of(w);
  }

  // ---- definitions ----

  /**
   * An enum is open, as in rpcgen's C: xdr_enum decodes any 32-bit value,
   * so a reply from a newer libvirt with a value this `.x` lacks decodes
   * (to that number) instead of failing whole. Encoding checks membership;
   * `otherEnum` lets through what a writer was opened for (openEnums).
   */
  private enumDef(e: EnumDef): void {
    const { p } = this;
    const ts = tsTypeName(e.name);
    const known = `(typeof ${ts})[keyof typeof ${ts}]`;
    const values = e.members.map((m) => m.value);
    p.block(`export const ${ts} =`, () => {
      for (const mem of e.members) p.line(`${mem.name}: ${mem.value},`);
    }, " as const;");
    // `number & {}` keeps the members from being absorbed into `number`: editors still list them.
    p.line(`/** A member of ${ts}, or another value a peer sent (decoding accepts any 32-bit integer, as libvirt's C does). */`);
    p.line(`export type ${ts} = ${known} | (number & {});`);
    p.line();
    p.line(`/** Whether \`v\` is one of the members the \`.x\` lists. */`);
    p.block(`export function is${ts}(v: number): v is ${known}`, () => {
      const lo = Math.min(...values);
      const hi = Math.max(...values);
      if (new Set(values).size === hi - lo + 1) {
        p.line(`return v >= ${lo} && v <= ${hi};`);
      } else {
        p.line(`switch (v) {`);
        for (const v of [...new Set(values)].sort((a, b) => a - b)) p.line(`  case ${v}:`);
        p.line(`    return true;`);
        p.line(`  default:`);
        p.line(`    return false;`);
        p.line(`}`);
      }
    });
    p.line();
    p.block(`export function encode${ts}(w: ${this.rtType("XdrWriter")}, v: ${ts}): void`, () => {
      p.line(`if (is${ts}(v)) w.int(v);`);
      p.line(`else ${this.rt("otherEnum")}(w, v, "${e.name}");`);
    });
    p.line();
    p.block(`export function decode${ts}(r: ${this.rtType("XdrReader")}): ${ts}`, () => {
      p.line("return r.int();");
    });
    p.line();
  }

  private struct(s: StructDef): void {
    const { p } = this;
    this.tmp = 0;
    const ts = tsTypeName(s.name);
    p.block(`export interface ${ts}`, () => {
      for (const f of s.fields) p.line(`${f.name}: ${this.tsType(f.wire)};`);
    });
    p.line();
    this.withPath(`export function encode${ts}(w: ${this.rtType("XdrWriter")}, v: ${ts}): void`, s.fields, (f) => {
      this.encode(f.wire, `v.${f.name}`);
    }, () => p.line(`if (typeof v !== "object" || v === null) throw ${this.rt("badValue")}(v, "struct ${s.name}");`));
    p.line();
    this.withPath(`export function decode${ts}(r: ${this.rtType("XdrReader")}): ${ts}`, s.fields, (f) => {
      this.decodeInto(f.wire, local(f.name));
    }, undefined, () => {
      p.line(`return { ${s.fields.map((f) => (local(f.name) === f.name ? f.name : `${f.name}: ${local(f.name)}`)).join(", ")} };`);
    });
    p.line();
  }

  /**
   * A function body in one try block whose catch adds the failing field's
   * name to the error path; `at` tracks the field being worked on.
   */
  private withPath(head: string, fields: Field[], each: (f: Field) => void, pre?: () => void, post?: () => void): void {
    const { p } = this;
    p.block(head, () => {
      pre?.();
      const single = fields.length === 1;
      if (!single) p.line(`let at = "${fields[0]!.name}";`);
      p.tryCatch(
        () => {
          fields.forEach((f, i) => {
            if (!single && i > 0) p.line(`at = "${f.name}";`);
            each(f);
          });
          post?.();
        },
        () => p.line(`throw ${this.rt("within")}(e, ${single ? `"${fields[0]!.name}"` : "at"});`),
      );
    });
  }

  private union(u: UnionDef): void {
    const { p } = this;
    this.tmp = 0;
    const ts = tsTypeName(u.name);
    const d = u.discriminant;
    const dType = this.tsType(d.wire);
    const variant = (labels: string, f: Field | null): string =>
      `{ ${d.name}: ${labels}${f === null ? "" : `; ${f.name}: ${this.tsType(f.wire)}`} }`;
    const armLabels = u.arms.map((a) => a.cases.map((c) => String(c.value)).join(" | "));
    const dflt = u.default;
    p.line(`export type ${ts} =`);
    const variants = u.arms.map((a, i) => variant(armLabels[i]!, a.field));
    if (dflt !== undefined) variants.push(variant(dType, dflt));
    variants.forEach((v, i) => p.line(`  | ${v}${i === variants.length - 1 ? ";" : ""}`));
    p.line();

    const caseLines = (a: UnionDef["arms"][number]): void => {
      for (const c of a.cases) p.line(`case ${c.value}:${c.label === String(c.value) ? "" : ` // ${c.label}`}`);
    };
    const dEnc = (expr: string): void => this.encode(d.wire, expr);
    const dDec = (): string => this.decodeExpr(d.wire)!;

    p.block(`export function encode${ts}(w: ${this.rtType("XdrWriter")}, v: ${ts}): void`, () => {
      p.line(`if (typeof v !== "object" || v === null) throw ${this.rt("badValue")}(v, "union ${u.name}");`);
      p.line(`let at = "${d.name}";`);
      p.tryCatch(() => {
        p.block(`switch (v.${d.name})`, () => {
          u.arms.forEach((a, i) => {
            caseLines(a);
            p.indent(() => {
              dEnc(`v.${d.name}`);
              if (a.field !== null) {
                p.line(`at = "${a.field.name}";`);
                const self = dflt === undefined ? "v" : `(v as Extract<${ts}, { ${d.name}: ${armLabels[i]} }>)`;
                this.encode(a.field.wire, `${self}.${a.field.name}`);
              }
              p.line("return;");
            });
          });
          p.line("default:");
          p.indent(() => {
            if (dflt === undefined) {
              p.line(`throw ${this.rt("badUnion")}((v as { ${d.name}: unknown }).${d.name}, "${u.name}");`);
            } else {
              dEnc(`v.${d.name}`);
              if (dflt !== null) {
                p.line(`at = "${dflt.name}";`);
                this.encode(dflt.wire, `(v as ${variant(dType, dflt)}).${dflt.name}`);
              }
              p.line("return;");
            }
          });
        });
      }, () => p.line(`throw ${this.rt("within")}(e, at);`));
    });
    p.line();

    p.block(`export function decode${ts}(r: ${this.rtType("XdrReader")}): ${ts}`, () => {
      p.line(`let at = "${d.name}";`);
      p.tryCatch(() => {
        p.line(`const ${local(d.name)} = ${dDec()};`);
        const ret = (labels: string, f: Field | null, single: boolean): void => {
          const disc = single ? labels : labels.includes("|") ? `${local(d.name)} as ${labels}` : local(d.name);
          if (f === null) {
            p.line(`return { ${d.name}: ${disc} };`);
            return;
          }
          p.line(`at = "${f.name}";`);
          const e = this.decodeExpr(f.wire);
          if (e !== null) {
            p.line(`return { ${d.name}: ${disc}, ${f.name}: ${e} };`);
          } else {
            const t = this.fresh("x");
            this.decodeInto(f.wire, t);
            p.line(`return { ${d.name}: ${disc}, ${f.name}: ${t} };`);
          }
        };
        p.block(`switch (${local(d.name)})`, () => {
          u.arms.forEach((a, i) => {
            caseLines(a);
            p.indent(() => ret(armLabels[i]!, a.field, a.cases.length === 1));
          });
          p.line("default:");
          p.indent(() => {
            if (dflt === undefined) p.line(`throw ${this.rt("badUnion")}(${local(d.name)}, "${u.name}");`);
            else ret(local(d.name), dflt, true);
          });
        });
      }, () => p.line(`throw ${this.rt("within")}(e, at);`));
    });
    p.line();
  }

  private typedef(t: TypedefDef): void {
    const { p } = this;
    this.tmp = 0;
    const ts = tsTypeName(t.name);
    p.line(`export type ${ts} = ${this.tsType(t.wire)};`);
    p.line();
    p.block(`export function encode${ts}(w: ${this.rtType("XdrWriter")}, v: ${ts}): void`, () => this.encode(t.wire, "v"));
    p.line();
    p.block(`export function decode${ts}(r: ${this.rtType("XdrReader")}): ${ts}`, () => {
      const e = this.decodeExpr(t.wire);
      if (e !== null) {
        p.line(`return ${e};`);
      } else {
        this.decodeInto(t.wire, "v");
        p.line("return v;");
      }
    });
    p.line();
  }

  private codecTable(): void {
    const { p, m } = this;
    const all = [...m.enums, ...m.types];
    if (all.length === 0) return;
    p.line("/** Every type of this module by its `.x` name, for generic code and tests. */");
    p.block("export const codecs =", () => {
      for (const t of all) {
        const ts = tsTypeName(t.name);
        p.line(`${t.name}: ${this.rt("codec")}<${ts}>("${t.name}", encode${ts}, decode${ts}),`);
      }
    }, " as const;");
    p.line();
  }

  private schemaTable(): void {
    const { p, m } = this;
    if (m.enums.length + m.types.length === 0) return;
    const field = (f: Field | null): string => (f === null ? "null" : `["${f.name}", ${this.schema(f.wire)}]`);
    p.line("/** The shape of every type of this module, for generic tools (JSON, fuzzing). */");
    p.block(`export const schema: ${this.rtType("SchemaRegistry")} =`, () => {
      // The enum's const object, printed above, already maps its names to values.
      for (const e of m.enums) p.line(`${e.name}: { enum: ${tsTypeName(e.name)} },`);
      for (const t of m.types) {
        if (t.kind === "struct") {
          p.line(`${t.name}: { struct: [${t.fields.map(field).join(", ")}] },`);
        } else if (t.kind === "typedef") {
          p.line(`${t.name}: { typedef: ${this.schema(t.wire)} },`);
        } else {
          const arms = t.arms.map((a) => `[[${a.cases.map((c) => c.value).join(", ")}], ${field(a.field)}]`);
          const dflt = t.default === undefined ? "" : `, default: ${field(t.default)}`;
          p.line(`${t.name}: { union: { discriminant: ${field(t.discriminant)}, arms: [${arms.join(", ")}]${dflt} } },`);
        }
      }
    }, ";");
    p.line();
  }

  private program(prog: Program): void {
    const { p } = this;
    const codecRef = (s: Sym | null): string => {
      if (s === null) return "null";
      if (s.module === this.m.name) return `codecs.${s.name}`;
      // Not the other module's `codecs` entry: two modules that use each
      // other's types import each other, and in that cycle the one loaded
      // second would read the other's `codecs` before it exists. Imported
      // function declarations exist from the start.
      return `${this.rt("codec")}("${s.name}", ${this.fn("encode", s)}, ${this.fn("decode", s)})`;
    };
    p.line(`/** The ${prog.name} program: procedure number, types and libvirt's annotations. */`);
    p.block(`export const ${prog.name}Program =`, () => {
      p.line(`name: "${prog.name}",`);
      p.line(`program: ${prog.programConst},`);
      p.line(`version: ${prog.versionConst},`);
      p.block("procedures:", () => {
        for (const proc of prog.procedures) {
          p.line(`${proc.method}: { ${procedureFields(proc, codecRef)} },`);
        }
      }, ",");
    }, ` as const satisfies ${this.rtType("ProgramInfo")};`);
    p.line();
  }
}

function procedureFields(proc: Procedure, codecRef: (s: Sym | null) => string): string {
  const a = proc.annotations;
  const ann: string[] = [];
  if (a.generate !== undefined) ann.push(`generate: ${JSON.stringify(a.generate)}`);
  if (a.priority !== undefined) ann.push(`priority: ${JSON.stringify(a.priority)}`);
  if (a.acl.length > 0) ann.push(`acl: ${strings(a.acl)}`);
  if (a.aclfilter.length > 0) ann.push(`aclfilter: ${strings(a.aclfilter)}`);
  if (a.readstream !== undefined) ann.push(`readstream: ${a.readstream}`);
  if (a.writestream !== undefined) ann.push(`writestream: ${a.writestream}`);
  if (a.sparseflag !== undefined) ann.push(`sparseflag: ${JSON.stringify(a.sparseflag)}`);
  if (a.note !== undefined) ann.push(`note: ${JSON.stringify(a.note)}`);
  if (proc.inserts.length > 0) {
    const ins = proc.inserts.map((i) => `{ type: "${i.type}", field: ${JSON.stringify(i.field)}, at: ${i.at} }`);
    ann.push(`inserts: [${ins.join(", ")}]`);
  }
  return [
    `number: ${proc.number}`,
    `name: "${proc.name}"`,
    `args: ${codecRef(proc.args)}`,
    `ret: ${codecRef(proc.ret)}`,
    `message: ${codecRef(proc.message)}`,
    `annotations: { ${ann.join(", ")} }`,
  ].join(", ");
}

function strings(xs: readonly string[]): string {
  return `[${xs.map((x) => JSON.stringify(x)).join(", ")}]`;
}

function literal(value: number, radix: 8 | 10 | 16): string {
  const sign = value < 0 ? "-" : "";
  const abs = Math.abs(value);
  if (radix === 16) return `${sign}0x${abs.toString(16)}`;
  if (radix === 8) return `${sign}0o${abs.toString(8)}`;
  return String(value);
}

/**
 * Every name a module's file declares at top level, checked for clashes:
 * a `.x` constant named like a generated function or table (`codecs`,
 * `encodeFoo`) would otherwise make TypeScript that does not compile.
 */
function topLevelNames(m: Module): string[] {
  const owners = new Map<string, { what: string; loc: Loc }>();
  const claim = (name: string, what: string, loc: Loc): void => {
    const other = owners.get(name);
    if (other !== undefined) {
      const where = other.loc.file === loc.file ? `line ${other.loc.line}` : `${other.loc.file}:${other.loc.line}`;
      throw new XGenError(loc, `${what} would generate '${name}', which ${other.what} (${where}) generates too`);
    }
    owners.set(name, { what, loc });
  };
  for (const e of m.enums) {
    const ts = tsTypeName(e.name);
    // The const object and the type of an enum share one name on purpose.
    for (const name of [ts, `is${ts}`, `encode${ts}`, `decode${ts}`]) claim(name, `enum ${e.name}`, e.loc);
  }
  for (const t of m.types) {
    const ts = tsTypeName(t.name);
    for (const name of [ts, `encode${ts}`, `decode${ts}`]) claim(name, `${t.kind} ${t.name}`, t.loc);
  }
  const first = m.enums[0] ?? m.types[0];
  if (first !== undefined) {
    claim("codecs", "the codec table", first.loc);
    claim("schema", "the schema table", first.loc);
  }
  for (const prog of m.programs) claim(`${prog.name}Program`, `program ${prog.procedureEnum}`, prog.loc);
  // Last, so a clash is reported at the constant, the name a user can change.
  for (const c of m.constants) claim(c.name, `constant ${c.name}`, c.loc);
  return [...owners.keys()];
}
