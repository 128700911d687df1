import type { Printer } from "./printer.js";
import type { Sym, Wire } from "./model.js";

export type WireKind = Wire["k"];
export type WireOf<K extends WireKind> = Extract<Wire, { k: K }>;

/** What a kind's rules may ask of the emitter printing them. */
export interface EmitContext {
  readonly p: Printer;
  /** A fresh local name, `base$N`. */
  fresh(base: string): string;
  /** A helper of the XDR runtime, imported on use. */
  rt(name: string): string;
  /** `encodeX` / `decodeX` of a named type, imported when it is another module's. */
  fn(prefix: "encode" | "decode", s: Sym): string;
  /** The TypeScript name of a named type, imported when it is another module's. */
  typeName(s: Sym): string;
  tsType(w: Wire): string;
  /** An expression reading one value, or null when it takes statements. */
  decodeExpr(w: Wire): string | null;
  /** Statements leaving the decoded value in a new `const name`. */
  decodeInto(w: Wire, name: string): void;
  encode(w: Wire, expr: string): void;
  schema(w: Wire): string;
  minSize(w: Wire): number;
}

/** What the size computation asks: nested wires, and named types (which may be recursive). */
export interface SizeContext {
  of(w: Wire): number;
  ofRef(s: Sym): number;
}

/**
 * Everything the generator knows about one wire kind. Each kind is one row
 * of WIRE below, so adding a kind means filling in every column, and no
 * emitter keeps its own `switch` over the kinds.
 */
export interface KindRules<W extends Wire> {
  /** The TypeScript type of a value (typedef aliases are handled before this). */
  ts(w: W, c: EmitContext): string;
  /** An expression reading one value from `r`, or null: then `decodeInto` prints statements. */
  decode(w: W, c: EmitContext): string | null;
  decodeInto?(w: W, name: string, c: EmitContext): void;
  /** Statements writing the value of `expr` to `w`. */
  encode(w: W, expr: string, c: EmitContext): void;
  /** The literal describing it in the module's run-time `schema` (src/xdr/schema.ts). */
  schema(w: W, c: EmitContext): string;
  /**
   * The smallest encoding in bytes: what an array count must be multiplied
   * by before a decoder may believe the bytes left can hold it.
   */
  minSize(w: W, c: SizeContext): number;
}

type Table = { readonly [K in WireKind]: KindRules<WireOf<K>> };

type Primitive = "int" | "uint" | "hyper" | "uhyper" | "float" | "double" | "bool";

/** A primitive: one reader and one writer method named after the kind. */
function primitive(ts: string, size: number): KindRules<WireOf<Primitive>> {
  return {
    ts: () => ts,
    decode: (w) => `r.${w.k}()`,
    encode: (w, expr, c) => c.p.line(`w.${w.k}(${expr});`),
    schema: (w) => `"${w.k}"`,
    minSize: () => size,
  };
}

/** enum, struct, union: the named type's own generated functions. */
function named(): KindRules<WireOf<"enum" | "struct" | "union">> {
  return {
    ts: (w, c) => c.typeName(w.ref),
    decode: (w, c) => `${c.fn("decode", w.ref)}(r)`,
    encode: (w, expr, c) => c.p.line(`${c.fn("encode", w.ref)}(w, ${expr});`),
    schema: (w) => `{ ref: "${w.ref.name}" }`,
    minSize: (w, c) => c.ofRef(w.ref),
  };
}

/** Elements are read and written in a loop whose catch adds `[i]` to the error path. */
function elements(): Omit<KindRules<WireOf<"array" | "fixedArray">>, "schema" | "minSize"> {
  return {
    ts: (w, c) => {
      const of = c.tsType(w.of);
      return /[|&]/.test(of) ? `(${of})[]` : `${of}[]`;
    },
    decode: () => null,
    decodeInto: (w, name, c) => {
      const { p } = c;
      const n = c.fresh("n");
      const i = c.fresh("i");
      p.line(w.k === "array" ? `const ${n} = r.count(${w.max}, ${c.minSize(w.of)});` : `const ${n} = ${w.size};`);
      p.line(`const ${name}: ${c.tsType(w)} = [];`);
      p.block(`for (let ${i} = 0; ${i} < ${n}; ${i}++)`, () => {
        p.tryCatch(
          () => {
            const inner = c.decodeExpr(w.of);
            if (inner !== null) {
              p.line(`${name}.push(${inner});`);
            } else {
              const t = c.fresh("e");
              c.decodeInto(w.of, t);
              p.line(`${name}.push(${t});`);
            }
          },
          () => p.line(`throw ${c.rt("within")}(e, \`[\${${i}}]\`);`),
        );
      });
    },
    encode: (w, expr, c) => {
      const { p } = c;
      const a = c.fresh("a");
      const i = c.fresh("i");
      p.line(`const ${a} = ${expr};`);
      if (w.k === "array") p.line(`${c.rt("arrayCount")}(w, ${a}, ${w.max});`);
      else p.line(`${c.rt("fixedLength")}(${a}, ${w.size});`);
      p.block(`for (let ${i} = 0; ${i} < ${a}.length; ${i}++)`, () => {
        p.tryCatch(
          () => c.encode(w.of, `${a}[${i}]!`),
          () => p.line(`throw ${c.rt("within")}(e, \`[\${${i}}]\`);`),
        );
      });
    },
  };
}

export const WIRE: Table = {
  int: primitive("number", 4),
  uint: primitive("number", 4),
  hyper: primitive("bigint", 8),
  uhyper: primitive("bigint", 8),
  float: primitive("number", 4),
  double: primitive("number", 8),
  bool: primitive("boolean", 4),
  ranged: {
    ts: () => "number",
    decode: (w) => (w.min < 0 ? `r.ranged(${w.min}, ${w.max})` : `r.unsignedRanged(${w.max})`),
    encode: (w, expr, c) => c.p.line(`w.ranged(${expr}, ${w.min}, ${w.max});`),
    schema: (w) => `{ ranged: [${w.min}, ${w.max}] }`,
    minSize: () => 4,
  },
  string: {
    ts: () => "string",
    decode: (w) => `r.string(${w.max})`,
    encode: (w, expr, c) => c.p.line(`w.string(${expr}, ${w.max});`),
    schema: (w) => `{ string: ${w.max} }`,
    minSize: () => 4,
  },
  opaque: {
    ts: () => "Uint8Array",
    decode: (w) => `r.opaque(${w.max})`,
    encode: (w, expr, c) => c.p.line(`w.opaque(${expr}, ${w.max});`),
    schema: (w) => `{ opaque: ${w.max} }`,
    minSize: () => 4,
  },
  fixedOpaque: {
    ts: () => "Uint8Array",
    decode: (w) => `r.fixedOpaque(${w.size})`,
    encode: (w, expr, c) => c.p.line(`w.fixedOpaque(${expr}, ${w.size});`),
    schema: (w) => `{ fixedOpaque: ${w.size} }`,
    minSize: (w) => (w.size + 3) & ~3,
  },
  array: {
    ...elements(),
    schema: (w, c) => `{ array: ${c.schema(w.of)}, max: ${w.max} }`,
    minSize: () => 4,
  },
  fixedArray: {
    ...elements(),
    schema: (w, c) => `{ fixedArray: ${c.schema(w.of)}, size: ${w.size} }`,
    minSize: (w, c) => w.size * c.of(w.of),
  },
  optional: {
    ts: (w, c) => `${c.tsType(w.of)} | null`,
    decode: (w, c) => {
      const inner = c.decodeExpr(w.of);
      return inner === null ? null : `r.present() ? ${inner} : null`;
    },
    decodeInto: (w, name, c) => {
      const { p } = c;
      p.line(`let ${name}: ${c.tsType(w)} = null;`);
      p.block("if (r.present())", () => {
        const t = c.fresh("o");
        c.decodeInto(w.of, t);
        p.line(`${name} = ${t};`);
      });
    },
    encode: (w, expr, c) => {
      const { p } = c;
      const o = /^[\w$]+$/.test(expr) ? expr : c.fresh("o");
      if (o !== expr) p.line(`const ${o} = ${expr};`);
      // undefined counts as absent too: JSON and plain JS callers omit fields.
      p.line(`if (${o} == null) {`);
      p.indent(() => p.line("w.int(0);"));
      p.line("} else {");
      p.indent(() => {
        p.line("w.int(1);");
        c.encode(w.of, o);
      });
      p.line("}");
    },
    schema: (w, c) => `{ optional: ${c.schema(w.of)} }`,
    minSize: () => 4,
  },
  enum: named(),
  struct: named(),
  union: named(),
};

/** The rules of `w`'s kind (TypeScript cannot correlate `WIRE[w.k]` with `w` by itself). */
export function rules(w: Wire): KindRules<Wire> {
  return WIRE[w.k] as KindRules<Wire>;
}
