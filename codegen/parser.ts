import type { Declaration, Definition, EnumMember, PrimitiveName, Shape, TypeSpec, UnionCase, Value, VoidArm, XFile } from "./ast.js";
import { XGenError } from "./errors.js";
import { lex, type Token } from "./lexer.js";

/** Parses one `.x` file into its definitions, in source order. */
export function parse(source: string, file: string): XFile {
  return new Parser(lex(source, file)).file(file);
}

const KEYWORDS = new Set([
  "bool", "case", "char", "const", "default", "double", "enum", "float", "hyper", "int", "long",
  "opaque", "program", "quadruple", "short", "string", "struct", "switch", "typedef", "union",
  "unsigned", "version", "void",
]);

class Parser {
  private at = 0;

  constructor(private readonly tokens: Token[]) {}

  file(file: string): XFile {
    const definitions: Definition[] = [];
    while (this.peek().kind !== "eof") {
      const d = this.definition();
      if (d !== null) definitions.push(d);
    }
    return { file, definitions };
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.at + ahead, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== "eof") this.at++;
    return t;
  }

  private is(text: string): boolean {
    const t = this.peek();
    return t.kind !== "number" && t.text === text;
  }

  private accept(text: string): boolean {
    if (!this.is(text)) return false;
    this.next();
    return true;
  }

  private expect(text: string): Token {
    const t = this.peek();
    if (!this.is(text)) throw new XGenError(t.loc, `expected '${text}', found ${describe(t)}`);
    return this.next();
  }

  private ident(what: string): Token {
    const t = this.peek();
    if (t.kind !== "ident" || KEYWORDS.has(t.text)) {
      throw new XGenError(t.loc, `expected ${what}, found ${describe(t)}`);
    }
    return this.next();
  }

  /** A comment that starts on the line of the token just consumed. */
  private trailingNote(): string | null {
    const notes = this.peek().comments.filter((c) => c.trailing).map((c) => stripComment(c.text));
    return notes.length > 0 ? notes.join(" ") : null;
  }

  /** null for a definition that defines nothing new (`typedef struct x x;`). */
  private definition(): Definition | null {
    const t = this.peek();
    switch (t.text) {
      case "const": {
        this.next();
        const name = this.ident("a constant name").text;
        this.expect("=");
        const value = this.value();
        this.expect(";");
        return { kind: "const", name, value, loc: t.loc };
      }
      case "enum": {
        this.next();
        const name = this.ident("an enum name").text;
        const members = this.enumBody();
        this.expect(";");
        return { kind: "enum", name, members, loc: t.loc };
      }
      case "struct": {
        this.next();
        const name = this.ident("a struct name").text;
        this.expect("{");
        const note = this.trailingNote();
        const fields: Declaration[] = [];
        do {
          fields.push(this.declaration());
          this.expect(";");
          const fieldNote = this.trailingNote();
          if (fieldNote !== null) fields[fields.length - 1]!.note = fieldNote;
        } while (!this.is("}"));
        this.expect("}");
        this.expect(";");
        return { kind: "struct", name, fields, loc: t.loc, note };
      }
      case "union":
        return this.union();
      case "typedef": {
        this.next();
        const decl = this.declaration();
        if (decl.type.kind === "primitive" && decl.name === "void") throw new XGenError(t.loc, "typedef of void");
        this.expect(";");
        // C's `typedef struct x x;`, which rpcgen output already has: a no-op.
        if (decl.type.kind === "ref" && decl.type.name === decl.name && decl.shape.kind === "scalar") return null;
        return { kind: "typedef", name: decl.name, decl, loc: t.loc };
      }
      case "program":
        throw new XGenError(t.loc, "rpcgen 'program' definitions are not supported (libvirt does not use them)");
      default:
        throw new XGenError(t.loc, `expected a definition (const, enum, struct, union, typedef), found ${describe(t)}`);
    }
  }

  private enumBody(): EnumMember[] {
    this.expect("{");
    const members: EnumMember[] = [];
    let implicit = 0;
    do {
      const t = this.ident("an enum member");
      const docs = t.comments.filter((c) => !c.trailing && c.text.startsWith("/**"));
      let value: Value;
      if (this.accept("=")) {
        value = this.value();
      } else {
        // rpcgen allows an omitted value: one more than the member before.
        const prev = members[members.length - 1];
        if (prev !== undefined && prev.value.kind !== "number") {
          throw new XGenError(t.loc, "a member without '=' must follow a numeric one");
        }
        implicit = prev === undefined ? 0 : (prev.value as { value: number }).value + 1;
        value = { kind: "number", value: implicit, radix: 10, loc: t.loc };
      }
      const more = this.accept(",");
      members.push({
        name: t.text,
        value,
        loc: t.loc,
        doc: docs.length > 0 ? docs[docs.length - 1]!.text : null,
        note: this.trailingNote(),
      });
      if (!more) break;
    } while (!this.is("}"));
    this.expect("}");
    return members;
  }

  private union(): Definition {
    const t = this.expect("union");
    const name = this.ident("a union name").text;
    this.expect("switch");
    this.expect("(");
    const discriminant = this.declaration();
    this.expect(")");
    this.expect("{");
    const cases: UnionCase[] = [];
    let dflt: Declaration | VoidArm | null = null;
    while (this.is("case")) {
      const values: Value[] = [];
      while (this.accept("case")) {
        values.push(this.value());
        this.expect(":");
      }
      cases.push({ values, arm: this.armDeclaration() });
      this.expect(";");
    }
    if (this.accept("default")) {
      this.expect(":");
      dflt = this.armDeclaration();
      this.expect(";");
    }
    if (cases.length === 0) throw new XGenError(t.loc, `union ${name} has no case`);
    this.expect("}");
    this.expect(";");
    return { kind: "union", name, discriminant, cases, default: dflt, loc: t.loc };
  }

  private armDeclaration(): Declaration | VoidArm {
    const t = this.peek();
    if (this.accept("void")) return { kind: "void", loc: t.loc };
    return this.declaration();
  }

  private declaration(): Declaration {
    const start = this.peek();
    const type = this.typeSpec();
    if (this.accept("*")) {
      const name = this.ident("a field name").text;
      return this.checked({ name, type, shape: { kind: "optional" }, loc: start.loc, note: null });
    }
    const name = this.ident("a field name").text;
    let shape: Shape = { kind: "scalar" };
    if (this.accept("[")) {
      shape = { kind: "fixed", size: this.value() };
      this.expect("]");
    } else if (this.accept("<")) {
      shape = { kind: "variable", max: this.is(">") ? null : this.value() };
      this.expect(">");
    }
    return this.checked({ name, type, shape, loc: start.loc, note: null });
  }

  private checked(d: Declaration): Declaration {
    if (d.type.kind === "string" && d.shape.kind !== "variable") {
      throw new XGenError(d.loc, `string ${d.name} must be declared string ${d.name}<> or <max>`);
    }
    if (d.type.kind === "opaque" && (d.shape.kind === "scalar" || d.shape.kind === "optional")) {
      throw new XGenError(d.loc, `opaque ${d.name} needs [size] or <max>`);
    }
    return d;
  }

  private typeSpec(): TypeSpec {
    const t = this.next();
    const prim = (name: PrimitiveName): TypeSpec => ({ kind: "primitive", name });
    switch (t.text) {
      case "unsigned": {
        const n = this.peek().text;
        if (n === "int" || n === "hyper" || n === "char" || n === "short") {
          this.next();
          return prim(`unsigned ${n}`);
        }
        if (n === "long" || n === "quadruple") throw new XGenError(this.peek().loc, `unsigned ${n} is not supported`);
        return prim("unsigned int");
      }
      case "int":
      case "hyper":
      case "float":
      case "double":
      case "bool":
      case "char":
      case "short":
        return prim(t.text);
      case "opaque":
        return { kind: "opaque" };
      case "string":
        return { kind: "string" };
      case "struct":
      case "enum":
      case "union": {
        const n = this.ident(`a ${t.text} name`);
        return { kind: "ref", name: n.text, loc: n.loc };
      }
      case "long":
      case "quadruple":
        throw new XGenError(t.loc, `${t.text} is not supported`);
      default:
        if (t.kind !== "ident" || KEYWORDS.has(t.text)) {
          throw new XGenError(t.loc, `expected a type, found ${describe(t)}`);
        }
        return { kind: "ref", name: t.text, loc: t.loc };
    }
  }

  private value(): Value {
    const t = this.peek();
    const negative = this.accept("-");
    const v = this.next();
    if (v.kind === "number") {
      const n = parseNumber(v.text, t.loc);
      return negative ? { ...n, value: -n.value } : n;
    }
    if (v.kind === "ident" && !KEYWORDS.has(v.text) && !negative) return { kind: "name", name: v.text, loc: v.loc };
    throw new XGenError(t.loc, `expected a number or constant name, found ${describe(v)}`);
  }
}

function parseNumber(text: string, loc: Token["loc"]): Extract<Value, { kind: "number" }> {
  let radix: 8 | 10 | 16 = 10;
  let digits = text;
  if (/^0[xX]/.test(text)) {
    radix = 16;
    digits = text.slice(2);
  } else if (text.length > 1 && text.startsWith("0")) {
    radix = 8;
    digits = text.slice(1);
  }
  const valid = radix === 16 ? /^[0-9a-fA-F]+$/ : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!valid.test(digits)) throw new XGenError(loc, `malformed number '${text}'`);
  const value = Number.parseInt(digits, radix);
  if (!Number.isSafeInteger(value)) throw new XGenError(loc, `number '${text}' is too large`);
  return { kind: "number", value, radix, loc };
}

function describe(t: Token): string {
  return t.kind === "eof" ? "end of file" : `'${t.text}'`;
}

/** The text inside a comment, without its markers. */
export function stripComment(text: string): string {
  if (text.startsWith("//")) return text.slice(2).trim();
  return text.replace(/^\/\*+/, "").replace(/\*+\/$/, "").trim();
}
