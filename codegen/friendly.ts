/**
 * Prints the friendly layer (src/gen/friendly/): one class per object kind
 * (`Domain`, `StoragePool`, ...) and one of connection methods, each method
 * unrolled from the plan in friendly-model.ts; and `constants.ts`, every
 * member of every enum of libvirt's public headers under its C name.
 */
import type { CEnum } from "./cenums.js";
import { FriendlyPlan, type Conv, type FriendlyMethod, type Kind, type Owner } from "./friendly-model.js";
import type { Model } from "./model.js";
import { knownAs, NameIndex, type KnownNames } from "./names.js";
import { emitParams, tableConst } from "./param-emit.js";
import type { ParamFamily } from "./param-tables.js";
import { Printer } from "./printer.js";
import { safeIdent } from "./reserved.js";
import { tsTypeName } from "./resolve.js";

const API = "../../api/runtime.js";
const PROTOCOL = "../remote_protocol.js";
const PARAMS = "./params.js";

/** File name -> TypeScript, for src/gen/friendly/. */
export function emitFriendly(
  model: Model,
  headers: readonly { path: string; enums: readonly CEnum[] }[],
  source: { protocol: string; headers: string },
  families: readonly ParamFamily[] = [],
  names: NameIndex = new NameIndex(new Map()),
): Map<string, string> {
  const program = model.modules.find((m) => m.name === "remote_protocol")?.programs.find((p) => p.name === "remote");
  if (program === undefined) throw new Error("friendly: the remote program is missing from the model");
  const plan = new FriendlyPlan(model, program, families);
  const out = new Map<string, string>();
  const files: string[] = [];
  for (const owner of plan.owners) {
    const file = owner.kind === null ? "connection" : owner.kind.kind;
    out.set(`${file}.ts`, new OwnerEmitter(plan, owner, `the procedure table of ${source.protocol}`, names).print());
    files.push(file);
  }
  out.set("constants.ts", emitConstants(headers, source.headers));
  if (families.length > 0) out.set("params.ts", emitParams(families, source.headers.replace(/^the enums of/, "the field macros of")));
  const index = new Printer("the files of this folder");
  index.line(`export { ConnectionApi } from "./connection.js";`);
  for (const k of plan.kinds) index.line(`export { ${k.cls} } from "./${k.kind}.js";`);
  if (families.length > 0) index.line(`export type { ${families.map((f) => f.name).join(", ")} } from "./params.js";`);
  index.line(`export * as constants from "./constants.js";`);
  out.set("index.ts", index.toString());
  return out;
}

/** Every public enum member, flat, by libvirt's own name (`VIR_DOMAIN_RUNNING`). */
export function emitConstants(headers: readonly { path: string; enums: readonly CEnum[] }[], source: string): string {
  const p = new Printer(source);
  const seen = new Map<string, number>();
  for (const h of headers) {
    if (!h.path.startsWith("include/")) continue; // libvirt_internal.h is not public API
    for (const e of h.enums) {
      p.line(`// ${e.name} (${h.path.split("/").pop()})`);
      for (const m of e.members) {
        const had = seen.get(m.name);
        if (had !== undefined) {
          if (had !== m.value) throw new Error(`friendly: ${m.name} is ${had} and ${m.value}`);
          continue;
        }
        seen.set(m.name, m.value);
        p.line(`export const ${p.declare(m.name)} = ${m.value};`);
      }
    }
  }
  return p.toString();
}

class OwnerEmitter {
  private readonly p: Printer;
  /** How generated code reaches the connection: `this` on it, `this.conn` on a handle. */
  private readonly conn: string;

  constructor(
    private readonly plan: FriendlyPlan,
    private readonly owner: Owner,
    source: string,
    private readonly names: NameIndex,
  ) {
    this.p = new Printer(source);
    this.conn = owner.kind === null ? "this" : "this.conn";
  }

  print(): string {
    const { p, owner } = this;
    const kind = owner.kind;
    if (kind === null) {
      p.line("/** The connection's methods: every procedure of the remote program that is not about one object. */");
      p.block(`export class ${p.declare("ConnectionApi")} extends ${p.importValue("ConnectionCore", API)}`, () => this.body());
    } else {
      const ref = p.importType(tsTypeName(kind.struct.name), PROTOCOL);
      p.line(`/** A ${kind.kind.replace(/_/g, " ")}, as libvirt-python's vir${kind.cls}: its procedures as methods. */`);
      const base = owner.base === null ? `${p.importValue("Handle", API)}<${ref}>` : p.importValue(owner.base.cls, owner.base.module);
      p.block(`export class ${p.declare(kind.cls)} extends ${base}`, () => {
        this.getters(kind);
        this.body();
      });
    }
    return p.toString();
  }

  private body(): void {
    const { p, owner } = this;
    if (owner.refresh !== null && owner.kind !== null) {
      const m = owner.refresh;
      const field = m.ret[0]!.field.name;
      p.line("/** Reads the reference again: a domain's `id` changes as it starts and stops. */");
      p.block(`override async reload(options?: ${this.callOptions()}): Promise<void>`, () => {
        p.line(`this.current = (await ${this.track()}(this.conn.raw.${m.key}({ uuid: this.current.uuid }, options))).${field};`);
      });
      p.line();
    }
    for (const l of owner.lookups) this.lookup(l);
    for (const m of owner.methods) this.method(m);
  }

  private getters(kind: Kind): void {
    const { p } = this;
    const json: string[] = [];
    for (const f of kind.struct.fields) {
      const conv = this.plan.conv(f.wire);
      const raw = (): string => `${p.importType(tsTypeName(kind.struct.name), PROTOCOL)}["${f.name}"]`;
      const name = this.plan.getterName(f);
      this.doc([], this.names.getters(kind.cls, f.name, name));
      p.block(`get ${name}(): ${this.outType(conv, raw)}`, () => p.line(`return ${this.outExpr(conv, `this.current.${f.name}`, 0)};`));
      json.push(conv?.k === "handle" ? `${name}: this.${name}.toJSON()` : `${name}: this.${name}`);
    }
    p.line("/** What JSON.stringify shows: the reference with its UUID as a string. */");
    p.block("toJSON(): Record<string, unknown>", () => p.line(`return { ${json.join(", ")} };`));
    p.line();
  }

  private lookup(l: Owner["lookups"][number]): void {
    const { p } = this;
    const cls = this.cls(l.target);
    const self = l.variants.find((v) => v.by === "self");
    const forms = l.variants.map((v) => v.by);
    const keyType = forms.includes("id") ? "string | number" : "string";
    const what = forms.filter((f) => f !== "self").join(", ");
    if (self !== undefined) {
      p.line(`/** The ${l.target.kind.replace(/_/g, " ")} this one belongs to. */`);
      p.block(`${l.name}(options?: ${this.callOptions()}): Promise<${cls}>`, () => p.line(`return this.${self.method.name}(options);`));
      p.line();
      return;
    }
    // A UUID string is looked up as libvirt's client-side virDomainLookupByUUIDString does.
    const byString = l.variants.map((v) => this.names.byString(this.procNames(v.method)));
    this.doc([`Looks a ${l.target.kind.replace(/_/g, " ")} up by ${what}, told apart by their form.`], [...l.variants.map((v) => this.procNames(v.method)), ...byString], false);
    p.block(`${l.name}(key: ${keyType}, options?: ${this.callOptions()}): Promise<${cls}>`, () => {
      const order = ["id", "uuid", "mac", "path", "name", "key"];
      const sorted = [...l.variants].sort((a, b) => order.indexOf(a.by) - order.indexOf(b.by));
      const tests: Record<string, () => string> = {
        uuid: () => `${p.importValue("isUuid", API)}(key)`,
        mac: () => `${p.importValue("isMac", API)}(key)`,
        path: () => `key.startsWith("/")`,
      };
      if (forms.includes("id")) p.line(`if (typeof key === "number") return this.${sorted[0]!.method.name}(key, options);`);
      for (const v of sorted.slice(0, -1)) {
        if (v.by === "id") continue;
        const test = tests[v.by];
        if (test !== undefined) p.line(`if (${test()}) return this.${v.method.name}(key, options);`);
      }
      const last = sorted[sorted.length - 1]!;
      p.line(`return this.${last.method.name}(key, options);`);
    });
    p.line();
  }

  private method(m: FriendlyMethod): void {
    const { p } = this;
    // Imported only where a type is spelt through them, so no import goes unused.
    const A = (): string => p.importType(tsTypeName(m.proc.args!.name), PROTOCOL);
    const R = (): string => p.importType(tsTypeName(m.proc.ret!.name), PROTOCOL);
    const params: string[] = [];
    for (const a of m.args) {
      if (a.role.r === "param") params.push(`${safeIdent(a.field.name)}: ${this.inType(a.role.conv, () => `${A()}["${a.field.name}"]`)}`);
      if (a.role.r === "typed") params.push(`${safeIdent(a.field.name)}: ${m.table === null ? p.importType("TypedParamsInput", API) : p.importType(m.table.name, PARAMS)}`);
    }
    if (m.stream === "upload") params.push(`source: ${p.importType("UploadSource", "../../streams/send.js")}`);
    // A download is generic in its options, as the exact layer's: `holes: "records"` adds Hole to the chunks' type.
    const generic = m.stream === "download" ? `<O extends ${this.callOptions(m.stream)} = Record<never, never>>` : "";
    const opts = generic === "" ? this.callOptions(m.stream) : "O";
    const hasFlags = m.args.some((a) => a.role.r === "flags");
    if (hasFlags) params.push(`flags?: number | ${opts}`);
    params.push(`options?: ${opts}`);
    const raw = `${this.owner.kind === null ? "this.raw" : "this.conn.raw"}.${m.key}`;
    const acl = m.proc.annotations.acl.filter((a) => a !== "none");
    this.doc([`${m.proc.name}${acl.length > 0 ? ` (acl ${acl.join(", ")})` : ""}.`], [this.procNames(m)]);
    let result: string;
    let returns: string;
    if (m.stream === "download") {
      // Spelt out: ReturnType of a generic method with a conditional result is `any`.
      returns = `Promise<${p.importType("ReceiveStream", "../../streams/index.js")}<${p.importType("DownloadChunk", "../../streams/hole.js")}<O>>>`;
      result = "";
    } else if (m.stream !== null) {
      returns = `ReturnType<${p.importType("RemoteApi", "../api/remote.js")}["${m.key}"]>`;
      result = "";
    } else if (m.refresh === "reply" || m.ret.length === 0) {
      returns = "Promise<void>";
      result = "";
    } else if (m.unwrap) {
      const r = m.ret[0]!;
      returns = `Promise<${this.outType(r.conv, () => `${R()}["${r.field.name}"]`)}>`;
      result = this.outExpr(r.conv, `r.${r.field.name}`, 0);
    } else if (m.ret.every((r) => r.conv === null) && m.ret.length === (this.plan.struct(m.proc.ret!.name)?.fields.length ?? 0)) {
      returns = `Promise<${R()}>`;
      result = "r";
    } else if (m.ret.length === (this.plan.struct(m.proc.ret!.name)?.fields.length ?? 0)) {
      // Every field kept, some shown otherwise: the reply's type with those replaced.
      const conv = m.ret.filter((r) => r.conv !== null);
      returns = `Promise<Omit<${R()}, ${conv.map((r) => `"${r.field.name}"`).join(" | ")}> & { ${conv.map((r) => `${r.field.name}: ${this.outType(r.conv, () => `${R()}["${r.field.name}"]`)}`).join("; ")} }>`;
      result = `{ ...r, ${conv.map((r) => `${r.field.name}: ${this.outExpr(r.conv, `r.${r.field.name}`, 0)}`).join(", ")} }`;
    } else {
      returns = `Promise<{ ${m.ret.map((r) => `${r.field.name}: ${this.outType(r.conv, () => `${R()}["${r.field.name}"]`)}`).join("; ")} }>`;
      result = `{ ${m.ret.map((r) => `${r.field.name}: ${this.outExpr(r.conv, `r.${r.field.name}`, 0)}`).join(", ")} }`;
    }
    p.block(`async ${m.name}${generic}(${params.join(", ")}): ${m.stream === null || generic !== "" ? returns : `Promise<Awaited<${returns}>>`}`, () => {
      if (hasFlags && m.stringOkay) {
        // As libvirt's C API: string fields are asked for when the daemon can send them.
        p.line(`const [given, o] = ${p.importValue("flagsAnd", API)}(flags, options);`);
        p.line(`const f = given | (await ${p.importValue("typedParamStringFlag", API)}(${this.conn === "this" ? "this.raw" : "this.conn.raw"}, o));`);
      } else {
        p.line(hasFlags ? `const [f, o] = ${p.importValue("flagsAnd", API)}(flags, options);` : "const o = options;");
      }
      if (m.typesFrom !== null) {
        const g = m.typesFrom;
        const gArgs = g.args.filter((a) => a.role.r === "param").map((a) => safeIdent(a.field.name));
        if (g.args.some((a) => a.role.r === "flags")) gArgs.push("f");
        gArgs.push("o");
        p.line(`const types = await ${p.importValue("typesFor", API)}(params, () => this.${g.name}(${gArgs.join(", ")}));`);
      }
      const fields = m.args.map((a) => {
        const n = a.field.name;
        switch (a.role.r) {
          case "self":
            return `${n}: ${a.role.expr}`;
          case "const":
            return `${n}: ${a.role.value}`;
          case "count":
            return `${n}: 0`;
          case "flags":
            return `${n}: f`;
          case "typed": {
            const known = m.typesFrom !== null ? ", types" : m.table !== null ? `, ${p.importValue(tableConst(m.table), PARAMS)}` : "";
            return `${n}: ${p.importValue("toTypedParams", API)}(${safeIdent(n)}${known})`;
          }
          case "param":
            return `${n}: ${this.inExpr(a.role.conv, safeIdent(n), 0)}`;
        }
        return "";
      });
      const argsExpr = m.proc.args === null ? "" : `{ ${fields.join(", ")} }`;
      const call = (args: string): string => `${raw}(${[args, m.stream === "upload" ? "source" : "", "o"].filter((x) => x !== "").join(", ")})`;
      const track = this.track();
      if (m.stream !== null) {
        p.line(`return ${track}(${call(argsExpr)});`);
        return;
      }
      if (m.countThenFetch) {
        p.line(`const args = ${argsExpr};`);
        p.line("// nparams = 0 asks only how many there are; the second call fetches them.");
        p.line(`let r = await ${track}(${call("args")});`);
        p.line(`if (r.nparams > 0) r = await ${track}(${call("{ ...args, nparams: r.nparams }")});`);
      } else {
        p.line(`${result === "" && m.refresh !== "reply" ? "" : "const r = "}await ${track}(${call(argsExpr)});`);
      }
      if (m.refresh === "reply") p.line(`this.current = r.${m.ret[0]!.field.name};`);
      if (m.refresh === "lookup") p.line("await this.settle(o);");
      if (result !== "") p.line(`return ${result};`);
    });
    p.line();
  }

  /** A doc comment: `lines` and the names C and libvirt-python give it (first when `knownFirst`: what people look for). */
  private doc(lines: readonly string[], names: readonly (KnownNames | null)[], knownFirst = true): void {
    const known = knownAs(names.filter((n): n is KnownNames => n !== null));
    const all = known === "" ? lines : knownFirst ? [known, ...lines] : [...lines, known];
    if (all.length === 0) return;
    if (all.length === 1) {
      this.p.line(`/** ${all[0]} */`);
      return;
    }
    this.p.line("/**");
    for (const l of all) this.p.line(` * ${l}`);
    this.p.line(" */");
  }

  private procNames(m: FriendlyMethod): KnownNames {
    return this.names.of(this.plan.program, m.proc);
  }

  private track(): string {
    return this.p.importValue("track", API);
  }

  private callOptions(stream: FriendlyMethod["stream"] = null): string {
    const names = { upload: "UploadOptions", download: "DownloadOptions", capture: "CaptureOptions", device: "DeviceCallOptions" } as const;
    if (stream !== null) return this.p.importType(names[stream], "../../streams/procedures.js");
    return this.p.importType("CallOptions", "../../rpc/session.js");
  }

  private cls(kind: Kind): string {
    if (kind === this.owner.kind) return kind.cls;
    return this.p.importValue(kind.cls, `./${kind.kind}.js`);
  }

  /** The friendly type of a reply value; `raw` is the wire type's expression. */
  private outType(c: Conv | null, raw: () => string): string {
    if (c === null) return raw();
    switch (c.k) {
      case "handle":
        return this.cls(c.kind);
      case "uuid":
      case "chars":
        return "string";
      case "typed":
        return this.p.importType("TypedParams", API);
      case "fieldmap":
        return `Record<string, ${raw()}[number]["value"]>`;
      case "opt":
        return `${this.outType(c.of, () => `NonNullable<${raw()}>`)} | null`;
      case "array":
        return `${paren(this.outType(c.of, () => `${raw()}[number]`))}[]`;
      case "struct":
        return `Omit<${raw()}, ${c.fields.map(([f]) => `"${f}"`).join(" | ")}> & { ${c.fields.map(([f, fc]) => `${f}: ${this.outType(fc, () => `${raw()}["${f}"]`)}`).join("; ")} }`;
    }
  }

  private outExpr(c: Conv | null, e: string, depth: number): string {
    if (c === null) return e;
    const v = `v${depth}`;
    switch (c.k) {
      case "handle":
        return `new ${this.cls(c.kind)}(${this.conn}, ${e})`;
      case "uuid":
        return `${this.p.importValue("uuidToString", API)}(${e})`;
      case "chars":
        return `${this.p.importValue("charsToString", API)}(${e})`;
      case "typed":
        return `${this.p.importValue("fromTypedParams", API)}(${e})`;
      case "fieldmap":
        return `${this.p.importValue("fieldMap", API)}(${e})`;
      case "opt":
        return `${e} === null ? null : ${this.outExpr(c.of, e, depth + 1)}`;
      case "array":
        return `${e}.map((${v}) => ${this.outExpr(c.of, v, depth + 1)})`;
      case "struct":
        return `({ ...${e}, ${c.fields.map(([f, fc]) => `${f}: ${this.outExpr(fc, `${e}.${f}`, depth + 1)}`).join(", ")} })`;
    }
  }

  /** The friendly type of an argument. */
  private inType(c: Conv | null, raw: () => string): string {
    if (c === null || c.k === "chars" || c.k === "typed" || c.k === "fieldmap") return raw();
    switch (c.k) {
      case "handle":
        return this.cls(c.kind);
      case "uuid":
        return "string";
      case "opt":
        return `${this.inType(c.of, () => `NonNullable<${raw()}>`)} | null`;
      case "array":
        return `${paren(this.inType(c.of, () => `${raw()}[number]`))}[]`;
      case "struct":
        return `Omit<${raw()}, ${c.fields.map(([f]) => `"${f}"`).join(" | ")}> & { ${c.fields.map(([f, fc]) => `${f}: ${this.inType(fc, () => `${raw()}["${f}"]`)}`).join("; ")} }`;
    }
  }

  private inExpr(c: Conv | null, e: string, depth: number): string {
    if (c === null || c.k === "chars" || c.k === "typed" || c.k === "fieldmap") return e;
    const v = `v${depth}`;
    switch (c.k) {
      case "handle":
        return `${e}.ref`;
      case "uuid":
        return `${this.p.importValue("uuidFromString", API)}(${e})`;
      case "opt":
        return `${e} === null ? null : ${this.inExpr(c.of, e, depth + 1)}`;
      case "array":
        return `${e}.map((${v}) => ${this.inExpr(c.of, v, depth + 1)})`;
      case "struct":
        return `{ ...${e}, ${c.fields.map(([f, fc]) => `${f}: ${this.inExpr(fc, `${e}.${f}`, depth + 1)}`).join(", ")} }`;
    }
  }
}

function paren(t: string): string {
  return /[ |&]/.test(t) ? `(${t})` : t;
}
