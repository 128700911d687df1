// libvirt 9.0's JSON (src/util/virjson.c over yajl 2.1) as virsh's QEMU
// commands use it: a parse that keeps each number's text and the keys'
// order, refuses what yajl refuses (its error text included, for the lines
// virsh prints), and yajl's generator, compact or beautified.

/** A parsed value: numbers keep the text they were written with, as virJSONValue does. */
export type JsonValue =
  | { readonly type: "object"; readonly pairs: readonly (readonly [string, JsonValue])[] }
  | { readonly type: "array"; readonly values: readonly JsonValue[] }
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "number"; readonly text: string }
  | { readonly type: "boolean"; readonly value: boolean }
  | { readonly type: "null" };

/** A refused text, with the message virJSONValueFromString reports ("internal error: " is the caller's). */
export class JsonParseError extends Error {}

/** yajl 2.1's lexical error words, by kind. */
const LEX_WORDS = {
  utf8: "invalid bytes in UTF8 string.",
  char: "invalid char in json text.",
  literal: "invalid string in json text.",
  escape: "inside a string, '\\' occurs before a character which it may not.",
  stringChar: "invalid character inside string.",
  hex: "invalid (non-hex) character occurs after '\\u' inside string.",
  exponent: "malformed number, a digit is required after the exponent.",
  decimal: "malformed number, a digit is required after the decimal point.",
  minus: "malformed number, a digit is required after the minus sign.",
  comment: "probable comment found in input text, comments are not enabled.",
} as const;

type Token =
  | { kind: "{" | "}" | "[" | "]" | ":" | "," | "eof" }
  | { kind: "string"; value: string }
  | { kind: "number"; text: string }
  | { kind: "literal"; value: JsonValue };

class Failure {
  constructor(
    readonly type: "lexical" | "parse",
    readonly text: string,
    /** Where yajl's offset stood, in the text with the one blank yajl_complete_parse feeds after it. */
    readonly at: number,
    /** Whether reading the failing token went past the text (yajl then reports from its second, one-blank pass). */
    readonly late: boolean,
  ) {}
}

/** The text and yajl's finishing blank, read byte by byte. */
class Lexer {
  pos = 0;
  /** The furthest byte read: past the text means yajl's second pass. */
  far = 0;
  /** Where the last token began (after the blanks before it). */
  start = 0;
  constructor(
    readonly bytes: Buffer,
    readonly len: number,
  ) {}
  read(): number {
    const c = this.bytes[this.pos]!;
    this.pos++;
    if (this.pos > this.far) this.far = this.pos;
    return c;
  }
  eof(): boolean {
    return this.pos >= this.bytes.length;
  }
  fail(kind: keyof typeof LEX_WORDS): Failure {
    return new Failure("lexical", LEX_WORDS[kind], this.pos, this.far > this.len);
  }
  next(): Token {
    for (;;) {
      if (this.eof()) return { kind: "eof" };
      this.start = this.pos;
      const c = this.read();
      switch (c) {
        case 0x20:
        case 0x09:
        case 0x0a:
        case 0x0b:
        case 0x0c:
        case 0x0d:
          continue;
        case 0x7b:
          return { kind: "{" };
        case 0x7d:
          return { kind: "}" };
        case 0x5b:
          return { kind: "[" };
        case 0x5d:
          return { kind: "]" };
        case 0x3a:
          return { kind: ":" };
        case 0x2c:
          return { kind: "," };
        case 0x74:
          return this.literal("rue", { type: "boolean", value: true });
        case 0x66:
          return this.literal("alse", { type: "boolean", value: false });
        case 0x6e:
          return this.literal("ull", { type: "null" });
        case 0x22:
          return this.string();
        case 0x2f:
          this.pos--;
          throw this.fail("comment");
        default:
          if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
            this.pos--;
            return this.number();
          }
          throw this.fail("char");
      }
    }
  }
  private literal(rest: string, value: JsonValue): Token {
    for (const ch of rest) {
      if (this.eof()) throw new Failure("parse", "premature EOF", this.bytes.length, true);
      if (this.read() !== ch.charCodeAt(0)) {
        this.pos--;
        throw this.fail("literal");
      }
    }
    return { kind: "literal", value };
  }
  private string(): Token {
    const start = this.pos;
    for (;;) {
      if (this.eof()) throw new Failure("parse", "premature EOF", this.bytes.length, true);
      const c = this.read();
      if (c === 0x22) break;
      if (c === 0x5c) {
        if (this.eof()) throw new Failure("parse", "premature EOF", this.bytes.length, true);
        const e = this.read();
        if (e === 0x75) {
          for (let i = 0; i < 4; i++) {
            if (this.eof()) throw new Failure("parse", "premature EOF", this.bytes.length, true);
            if (!isHex(this.read())) {
              this.pos--;
              throw this.fail("hex");
            }
          }
        } else if (!'"\\/bfnrt'.includes(String.fromCharCode(e))) {
          this.pos--;
          throw this.fail("escape");
        }
      } else if (c < 0x20) {
        this.pos--;
        throw this.fail("stringChar");
      } else if (c >= 0x80) {
        const more = c >> 5 === 0x6 ? 1 : c >> 4 === 0xe ? 2 : c >> 3 === 0x1e ? 3 : -1;
        if (more < 0) throw this.fail("utf8");
        for (let i = 0; i < more; i++) {
          if (this.eof()) throw new Failure("parse", "premature EOF", this.bytes.length, true);
          if (this.read() >> 6 !== 0x2) throw this.fail("utf8");
        }
      }
    }
    return { kind: "string", value: decodeString(this.bytes.subarray(start, this.pos - 1)) };
  }
  private number(): Token {
    const start = this.pos;
    let c = this.read();
    if (c === 0x2d) c = this.read();
    if (c === 0x30) c = this.read();
    else if (c >= 0x31 && c <= 0x39) {
      do c = this.read();
      while (c >= 0x30 && c <= 0x39);
    } else {
      this.pos--;
      throw this.fail("minus");
    }
    if (c === 0x2e) {
      let digits = 0;
      c = this.read();
      while (c >= 0x30 && c <= 0x39) {
        digits++;
        c = this.read();
      }
      if (digits === 0) {
        this.pos--;
        throw this.fail("decimal");
      }
    }
    if (c === 0x65 || c === 0x45) {
      c = this.read();
      if (c === 0x2b || c === 0x2d) c = this.read();
      if (c >= 0x30 && c <= 0x39) {
        do c = this.read();
        while (c >= 0x30 && c <= 0x39);
      } else {
        this.pos--;
        throw this.fail("exponent");
      }
    }
    this.pos--;
    return { kind: "number", text: this.bytes.subarray(start, this.pos).toString("latin1") };
  }
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** yajl_string_decode: the escapes undone (a lone high surrogate becomes '?'). */
function decodeString(raw: Buffer): string {
  const text = raw.toString("utf8");
  return text.replace(/\\(?:u([0-9a-fA-F]{4})(?:\\u([0-9a-fA-F]{4}))?|(.))/g, (_m, hex: string | undefined, low: string | undefined, ch: string | undefined) => {
    if (ch !== undefined) return ({ b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" } as Record<string, string>)[ch] ?? ch;
    const cp = Number.parseInt(hex!, 16);
    if ((cp & 0xfc00) === 0xd800) {
      if (low === undefined) return "?";
      return String.fromCodePoint(((cp & 0x3ff) << 10) + (Number.parseInt(low, 16) & 0x3ff) + 0x10000);
    }
    const single = String.fromCharCode(cp);
    return low === undefined ? single : single + String.fromCharCode(Number.parseInt(low, 16));
  });
}

/** The parser's state machine, yajl's: each container as it is being filled. */
interface Frame {
  value: { type: "object"; pairs: [string, JsonValue][] } | { type: "array"; values: JsonValue[] };
  key: string | null;
  /** map_start, need_key, sep, need_val, got_val; array_start, need_val, got_val. */
  state: "start" | "needKey" | "sep" | "needVal" | "gotVal";
}

function parseTree(lx: Lexer): JsonValue {
  const stack: Frame[] = [];
  let root: JsonValue | null = null;
  const parseError = (text: string, at = lx.pos): Failure => new Failure("parse", text, at, lx.far > lx.len);
  const insert = (v: JsonValue): void => {
    const top = stack[stack.length - 1];
    if (top === undefined) root = v;
    else if (top.value.type === "array") {
      top.value.values.push(v);
      top.state = "gotVal";
    } else {
      // virJSONValueObjectAppend refuses a key twice: yajl reports the callback's refusal.
      if (top.value.pairs.some(([k]) => k === top.key)) throw parseError("client cancelled parse via callback return value");
      top.value.pairs.push([top.key!, v]);
      top.key = null;
      top.state = "gotVal";
    }
  };
  const value = (t: Token): void => {
    switch (t.kind) {
      case "string":
        insert({ type: "string", value: t.value });
        return;
      case "number":
        insert({ type: "number", text: t.text });
        return;
      case "literal":
        insert(t.value);
        return;
      case "{": {
        const v = { type: "object" as const, pairs: [] as [string, JsonValue][] };
        insert(v);
        stack.push({ value: v, key: null, state: "start" });
        return;
      }
      case "[": {
        const v = { type: "array" as const, values: [] as JsonValue[] };
        insert(v);
        stack.push({ value: v, key: null, state: "start" });
        return;
      }
      case "eof":
        throw new Failure("parse", "premature EOF", lx.pos, true);
      case "]": {
        const top = stack[stack.length - 1];
        if (top !== undefined && top.value.type === "array" && top.state === "start") {
          stack.pop();
          return;
        }
        throw parseError("unallowed token at this point in JSON text");
      }
      default:
        throw parseError("unallowed token at this point in JSON text");
    }
  };
  value(lx.next());
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const t = lx.next();
    if (t.kind === "eof") throw new Failure("parse", "premature EOF", lx.pos, true);
    if (top.value.type === "object") {
      if (top.state === "start" || top.state === "needKey") {
        if (t.kind === "string") {
          top.key = t.value;
          top.state = "sep";
        } else if (t.kind === "}" && top.state === "start") stack.pop();
        else throw parseError("invalid object key (must be a string)");
      } else if (top.state === "sep") {
        if (t.kind !== ":") throw parseError("object key and value must be separated by a colon (':')");
        top.state = "needVal";
      } else if (top.state === "needVal") {
        value(t);
      } else if (t.kind === "}") stack.pop();
      else if (t.kind === ",") top.state = "needKey";
      // yajl steps its offset back by the token's length here (a string's without its quotes).
      else throw parseError("after key and value, inside map, I expect ',' or '}'", lx.start + (t.kind === "string" ? 2 : 0));
    } else if (top.state === "gotVal") {
      if (t.kind === "]") stack.pop();
      else if (t.kind === ",") top.state = "needVal";
      else throw parseError("after array element, I expect ',' or ']'");
    } else value(t);
  }
  // Past the value, yajl looks at one more token: anything but the end is trailing garbage.
  if (!lx.eof()) {
    const t = (() => {
      try {
        return lx.next();
      } catch (e) {
        if (e instanceof Failure) return null;
        throw e;
      }
    })();
    if (t === null || t.kind !== "eof") throw parseError("trailing garbage");
  }
  return root!;
}

/** yajl_get_error(verbose): the error, then up to 30 bytes either side with the offending one under an arrow. */
function renderError(f: Failure, text: Buffer): string {
  const offset = f.late ? Math.max(0, f.at - text.length) : f.at;
  const head = `${f.type} error: ${f.text}\n`;
  const spaces = offset < 30 ? 40 - offset : 10;
  const start = offset >= 30 ? offset - 30 : 0;
  const end = Math.min(offset + 30, text.length);
  const shown = Buffer.from(text.subarray(start, end).map((c) => (c === 0x0a || c === 0x0d ? 0x20 : c)));
  return `${head}${" ".repeat(spaces)}${shown.toString("utf8")}\n                     (right here) ------^\n`;
}

/** virJSONValueFromString: the value, or JsonParseError with libvirt's words after "internal error: ". */
export function parseJson(text: string): JsonValue {
  const bytes = Buffer.from(text, "utf8");
  const lx = new Lexer(Buffer.concat([bytes, Buffer.from(" ")]), bytes.length);
  try {
    return parseTree(lx);
  } catch (e) {
    if (!(e instanceof Failure)) throw e;
    throw new JsonParseError(`cannot parse json ${text}: ${renderError(e, bytes)}`);
  }
}

/** Whether virJSONValueFromString takes the text (and it is an object, where asked). */
export function tryParseJson(text: string): JsonValue | null {
  try {
    return parseJson(text);
  } catch (e) {
    if (e instanceof JsonParseError) return null;
    throw e;
  }
}

/** yajl_string_encode: quotes, backslashes and control bytes escaped; '/' and the rest as they are. */
function encodeString(s: string): string {
  const named: Record<string, string> = { "\r": "\\r", "\n": "\\n", "\\": "\\\\", '"': '\\"', "\f": "\\f", "\b": "\\b", "\t": "\\t" };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the control bytes are what yajl escapes
  return `"${s.replace(/[\u0000-\u001f"\\]/g, (c) => named[c] ?? `\\u00${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`)}"`;
}

/**
 * virJSONValueToString: yajl's generator. Beautified, each member on its
 * own line indented two blanks, an empty container as an open line and a
 * close line with a blank line between, and a newline after the whole.
 */
export function formatJson(v: JsonValue, pretty: boolean): string {
  if (!pretty) return compact(v);
  return `${beautify(v, 0)}\n`;
}

function compact(v: JsonValue): string {
  switch (v.type) {
    case "object":
      return `{${v.pairs.map(([k, x]) => `${encodeString(k)}:${compact(x)}`).join(",")}}`;
    case "array":
      return `[${v.values.map(compact).join(",")}]`;
    case "string":
      return encodeString(v.value);
    case "number":
      return v.text;
    case "boolean":
      return v.value ? "true" : "false";
    case "null":
      return "null";
  }
}

function beautify(v: JsonValue, depth: number): string {
  const inner = "  ".repeat(depth + 1);
  const close = "  ".repeat(depth);
  if (v.type === "object") return `{\n${v.pairs.map(([k, x]) => `${inner}${encodeString(k)}: ${beautify(x, depth + 1)}`).join(",\n")}\n${close}}`;
  if (v.type === "array") return `[\n${v.values.map((x) => `${inner}${beautify(x, depth + 1)}`).join(",\n")}\n${close}]`;
  return compact(v);
}

/** virJSONValueObjectGet. */
export function member(v: JsonValue, key: string): JsonValue | undefined {
  return v.type === "object" ? v.pairs.find(([k]) => k === key)?.[1] : undefined;
}
