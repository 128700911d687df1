/**
 * A canonical text form of a decoded value, produced on both sides: in C
 * from the struct rpcgen's xdr_<type> filled in (every field read by name),
 * in TS from the value a codec took or returned. Equal dumps mean TS and C
 * agree on which bytes belong to which named field and union arm, something
 * a pure byte round trip cannot see (two same-typed fields swapped would
 * round-trip fine).
 *
 * Format: integers in decimal (bool as 0/1, enums as numbers); float/double
 * as `f`/`d` + the IEEE bits in hex; strings and opaques as `s`/`o` + length
 * + `:` + FNV-1a 32 of the bytes (the bytes themselves are compared
 * elsewhere); arrays `[a,b]`; optionals `null` or `*v`; structs
 * `{name=v;...}`; unions `<disc>` or `<disc:arm=v>`.
 *
 * The C side follows rpcgen's layout: `T x<N>` is `struct { u_int x_len;
 * T *x_val; } x` (for a typedef, named after the typedef), unions are
 * `{ disc; union { ... } <name>_u; }`, `T *x` is a pointer, strings `char *`.
 */
import type { EnumDef, Model, StructDef, TypedefDef, UnionDef, Wire } from "../../codegen/model.js";
import { lookup } from "./values.js";

const utf8 = new TextEncoder();

/** The TS half: the dump of a value of `wire` (use wireOf for a named type). */
export function dumpValue(model: Model, wire: Wire, v: unknown): string {
  const out: string[] = [];
  dumpInto(model, wire, v, out);
  return out.join("");
}

function dumpInto(model: Model, w: Wire, v: unknown, out: string[]): void {
  switch (w.k) {
    case "int":
    case "uint":
    case "ranged":
    case "enum":
      out.push(String(v as number));
      return;
    case "bool":
      out.push(v ? "1" : "0");
      return;
    case "hyper":
    case "uhyper":
      out.push((v as bigint).toString());
      return;
    case "float": {
      const d = new DataView(new ArrayBuffer(4));
      d.setFloat32(0, v as number);
      out.push(`f${d.getUint32(0).toString(16).padStart(8, "0")}`);
      return;
    }
    case "double": {
      const d = new DataView(new ArrayBuffer(8));
      d.setFloat64(0, v as number);
      out.push(`d${d.getBigUint64(0).toString(16).padStart(16, "0")}`);
      return;
    }
    case "string":
      out.push(hashed("s", utf8.encode(v as string)));
      return;
    case "opaque":
    case "fixedOpaque":
      out.push(hashed("o", v as Uint8Array));
      return;
    case "array":
    case "fixedArray":
      out.push("[");
      (v as unknown[]).forEach((e, i) => {
        if (i > 0) out.push(",");
        dumpInto(model, w.of, e, out);
      });
      out.push("]");
      return;
    case "optional":
      if (v === null || v === undefined) out.push("null");
      else {
        out.push("*");
        dumpInto(model, w.of, v, out);
      }
      return;
    case "struct": {
      const s = lookup(model, w.ref) as StructDef;
      const o = v as Record<string, unknown>;
      out.push("{");
      for (const f of s.fields) {
        out.push(`${f.name}=`);
        dumpInto(model, f.wire, o[f.name], out);
        out.push(";");
      }
      out.push("}");
      return;
    }
    case "union": {
      const u = lookup(model, w.ref) as UnionDef;
      const o = v as Record<string, unknown>;
      const disc = o[u.discriminant.name] as number | boolean;
      const n = typeof disc === "boolean" ? (disc ? 1 : 0) : disc;
      out.push(`<${n}`);
      const arm = u.arms.find((a) => a.cases.some((c) => c.value === n));
      const field = arm !== undefined ? arm.field : (u.default ?? null);
      if (field !== null) {
        out.push(`:${field.name}=`);
        dumpInto(model, field.wire, o[field.name], out);
      }
      out.push(">");
      return;
    }
  }
}

function hashed(tag: string, b: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return `${tag}${b.length}:${(h >>> 0).toString(16).padStart(8, "0")}`;
}

/**
 * The C half: `static void odump_<name>(struct obuf *, const <name> *)` for
 * every type in `types` (names of enums, structs, unions and typedefs of
 * `model`), plus the small buffer helpers they use.
 */
export function cDumpSource(model: Model, types: readonly string[]): string {
  const defs = new Map<string, EnumDef | StructDef | UnionDef | TypedefDef>();
  for (const m of model.modules) for (const d of [...m.enums, ...m.types]) if (types.includes(d.name)) defs.set(d.name, d);
  for (const t of types) if (!defs.has(t)) throw new Error(`cDumpSource: no type ${t} in the model`);
  const lines: string[] = [HELPERS];
  for (const name of defs.keys()) lines.push(`static void odump_${name}(struct obuf *b, const ${name} *p);`);
  for (const [name, d] of defs) {
    const body: string[] = [];
    const gen = new CDump(body);
    switch (d.kind) {
      case "enum":
        // GCC gives an enum without negative members an unsigned type, while
        // xdr_enum stores the wire's int32 in it: read it back as int32.
        body.push("oint(b, (long long)(int32_t)*p);");
        break;
      case "typedef":
        gen.decl(d.wire, "(*p)", d.name, 0);
        break;
      case "struct":
        body.push('oputs(b, "{");');
        for (const f of d.fields) {
          body.push(`oputs(b, "${f.name}=");`);
          gen.decl(f.wire, `p->${f.name}`, f.name, 0);
          body.push('oputs(b, ";");');
        }
        body.push('oputs(b, "}");');
        break;
      case "union": {
        const disc = `p->${d.discriminant.name}`;
        body.push('oputs(b, "<");', `oint(b, (long long)${disc});`, `switch ((long long)${disc}) {`);
        for (const a of d.arms) {
          for (const c of a.cases) body.push(`case ${c.value}LL:`);
          if (a.field !== null) {
            body.push(`oputs(b, ":${a.field.name}=");`);
            gen.decl(a.field.wire, `p->${d.name}_u.${a.field.name}`, a.field.name, 0);
          }
          body.push("break;");
        }
        body.push("default:");
        if (d.default) {
          body.push(`oputs(b, ":${d.default.name}=");`);
          gen.decl(d.default.wire, `p->${d.name}_u.${d.default.name}`, d.default.name, 0);
        }
        body.push("break;", "}", 'oputs(b, ">");');
        break;
      }
    }
    lines.push(`static void odump_${name}(struct obuf *b, const ${name} *p) {`, ...body.map((l) => `  ${l}`), "}");
  }
  return `${lines.join("\n")}\n`;
}

class CDump {
  constructor(private readonly out: string[]) {}

  /**
   * Statements dumping the declaration `decl` (its .x name, which rpcgen
   * uses for `_len`/`_val`) whose C lvalue is `lv`.
   */
  decl(w: Wire, lv: string, decl: string, depth: number): void {
    const o = this.out;
    if (w.alias !== undefined) {
      o.push(`odump_${w.alias.name}(b, &(${lv}));`);
      return;
    }
    switch (w.k) {
      case "int":
      case "hyper":
      case "ranged":
      case "bool":
        o.push(`oint(b, (long long)(${lv}));`);
        return;
      case "enum":
        // As for a named enum above: the storage may be unsigned, the wire value is int32.
        o.push(`oint(b, (long long)(int32_t)(${lv}));`);
        return;
      case "uint":
      case "uhyper":
        o.push(`ouint(b, (unsigned long long)(${lv}));`);
        return;
      case "float":
        o.push(`ofloat(b, ${lv});`);
        return;
      case "double":
        o.push(`odouble(b, ${lv});`);
        return;
      case "string":
        o.push(`ostr(b, ${lv});`);
        return;
      case "opaque":
        o.push(`obytes(b, "o", (${lv}).${decl}_val, (${lv}).${decl}_len);`);
        return;
      case "fixedOpaque":
        o.push(`obytes(b, "o", (${lv}), ${w.size});`);
        return;
      case "array":
      case "fixedArray": {
        const i = `i${depth}`;
        const len = w.k === "array" ? `(${lv}).${decl}_len` : String(w.size);
        const elem = w.k === "array" ? `(${lv}).${decl}_val[${i}]` : `(${lv})[${i}]`;
        o.push('oputs(b, "[");', `for (u_int ${i} = 0; ${i} < ${len}; ${i}++) {`, `  if (${i}) oputs(b, ",");`);
        this.decl(w.of, elem, decl, depth + 1);
        o.push("}", 'oputs(b, "]");');
        return;
      }
      case "optional":
        o.push(`if (!(${lv})) oputs(b, "null"); else {`, '  oputs(b, "*");');
        this.decl(w.of, `(*(${lv}))`, decl, depth + 1);
        o.push("}");
        return;
      case "struct":
      case "union":
        o.push(`odump_${w.ref.name}(b, &(${lv}));`);
        return;
    }
  }
}

const HELPERS = `
struct obuf { char *p; size_t len, cap; };

static void oput(struct obuf *b, const char *s, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) { fputs("oracle: out of memory\\n", stderr); exit(2); }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
}

static void oputs(struct obuf *b, const char *s) { oput(b, s, strlen(s)); }

static void oint(struct obuf *b, long long v) {
  char t[32];
  oput(b, t, (size_t)snprintf(t, sizeof t, "%lld", v));
}

static void ouint(struct obuf *b, unsigned long long v) {
  char t[32];
  oput(b, t, (size_t)snprintf(t, sizeof t, "%llu", v));
}

static void ofloat(struct obuf *b, float v) {
  uint32_t u;
  char t[16];
  memcpy(&u, &v, sizeof u);
  oput(b, t, (size_t)snprintf(t, sizeof t, "f%08x", (unsigned)u));
}

static void odouble(struct obuf *b, double v) {
  uint64_t u;
  char t[24];
  memcpy(&u, &v, sizeof u);
  oput(b, t, (size_t)snprintf(t, sizeof t, "d%016llx", (unsigned long long)u));
}

static void obytes(struct obuf *b, const char *tag, const char *p, size_t n) {
  uint32_t h = 0x811c9dc5u;
  char t[40];
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 0x01000193u;
  oput(b, t, (size_t)snprintf(t, sizeof t, "%s%zu:%08x", tag, n, (unsigned)h));
}

static void ostr(struct obuf *b, const char *s) {
  if (!s) oputs(b, "null"); else obytes(b, "s", s, strlen(s));
}
`;
