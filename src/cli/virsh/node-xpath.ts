// virshDumpXML's --xpath for the node device and interface dumps: the
// document read as libxml2 reads it with blanks not kept, the nodes an
// expression selects, each printed as xmlNodeDump prints it (indented, or
// under one <nodes> root with --wrap). The XPath is a subset: location
// paths (/, //, ., .., @, *, text(), node(), comment()) with predicates
// (positions, last(), comparisons with a literal or number, and, or,
// not()), joined by |; anything else is refused in words of our own.

import { CommandFailed } from "../vsh.js";

type Node = Element | Leaf | Attr;
interface Element {
  kind: "element";
  name: string;
  attrs: Attr[];
  children: Node[];
  parent: Element | null;
}
interface Leaf {
  kind: "text" | "cdata" | "comment";
  value: string;
  parent: Element;
}
interface Attr {
  kind: "attr";
  name: string;
  value: string;
  parent: Element;
}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
const decode = (raw: string): string =>
  raw.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, ref: string) =>
    ref.startsWith("#x") ? String.fromCodePoint(parseInt(ref.slice(2), 16)) : ref.startsWith("#") ? String.fromCodePoint(Number(ref.slice(1))) : Object.hasOwn(ENTITIES, ref) ? ENTITIES[ref]! : whole,
  );

class Unsupported extends Error {}

/** The document's root element, blank text dropped where libxml2's keepBlanks(0) heuristic drops it. */
function parseDocument(text: string): Element {
  let p = 0;
  const bad = (): never => {
    throw new Unsupported("malformed XML");
  };
  const root: Element = { kind: "element", name: "", attrs: [], children: [], parent: null };
  let cur = root;
  while (p < text.length) {
    if (text.startsWith("<!--", p)) {
      const e = text.indexOf("-->", p);
      if (e < 0) bad();
      if (cur !== root) cur.children.push({ kind: "comment", value: text.slice(p + 4, e), parent: cur });
      p = e + 3;
    } else if (text.startsWith("<![CDATA[", p)) {
      const e = text.indexOf("]]>", p);
      if (e < 0) bad();
      cur.children.push({ kind: "cdata", value: text.slice(p + 9, e), parent: cur });
      p = e + 3;
    } else if (text.startsWith("<?", p) || text.startsWith("<!", p)) {
      const e = text.indexOf(">", p);
      if (e < 0) bad();
      p = e + 1;
    } else if (text.startsWith("</", p)) {
      const m = /^<\/([^\s>]+)\s*>/.exec(text.slice(p));
      if (m === null || m[1] !== cur.name || cur.parent === null) return bad();
      p += m[0].length;
      cur = cur.parent;
    } else if (text[p] === "<") {
      const m = /^<([A-Za-z_:][-\w:.]*)((?:\s+[A-Za-z_:][-\w:.]*\s*=\s*(?:'[^']*'|"[^"]*"))*)\s*(\/?)>/.exec(text.slice(p));
      if (m === null) return bad();
      const el: Element = { kind: "element", name: m[1]!, attrs: [], children: [], parent: cur };
      for (const a of m[2]!.matchAll(/([A-Za-z_:][-\w:.]*)\s*=\s*(?:'([^']*)'|"([^"]*)")/g)) el.attrs.push({ kind: "attr", name: a[1]!, value: decode(a[2] ?? a[3]!), parent: el });
      cur.children.push(el);
      if (m[3] !== "/") cur = el;
      p += m[0].length;
    } else {
      const e = text.indexOf("<", p);
      const end = e < 0 ? text.length : e;
      const value = decode(text.slice(p, end));
      p = end;
      if (cur === root) continue;
      // areBlanks: blanks before a tag go, unless they are all the element holds or text is beside them.
      const blank = /^[ \t\n\r]*$/.test(value);
      const onlyContent = cur.children.length === 0 && text.startsWith("</", p);
      const last = cur.children[cur.children.length - 1];
      const first = cur.children[0];
      const besideText = (last !== undefined && last.kind === "text") || (first !== undefined && first.kind === "text");
      if (blank && p < text.length && !onlyContent && !besideText) continue;
      if (last?.kind === "text") last.value += value;
      else cur.children.push({ kind: "text", value, parent: cur });
    }
  }
  const top = root.children.find((n): n is Element => n.kind === "element");
  if (top === undefined || cur !== root) return bad();
  top.parent = null;
  return top;
}

// ---------------------------------------------------------------- XPath

type Token = string;

function tokenize(expr: string): Token[] {
  const out: Token[] = [];
  const re = /\s*(\/\/|\/|\.\.|\.|\||\[|\]|\(|\)|@|\*|!=|<=|>=|=|<|>|,|'[^']*'|"[^"]*"|\d+(?:\.\d*)?|[A-Za-z_][-\w.]*(?::[A-Za-z_][-\w.]*)?)\s*/y;
  let p = 0;
  while (p < expr.length) {
    re.lastIndex = p;
    const m = re.exec(expr);
    if (m === null) throw new Unsupported(expr);
    out.push(m[1]!);
    p = re.lastIndex;
  }
  return out;
}

type Value = Node[] | string | number | boolean;

const stringValue = (n: Node): string => (n.kind === "element" ? n.children.map(stringValue).join("") : n.kind === "comment" ? "" : n.value);

class Evaluator {
  private i = 0;
  constructor(private readonly t: Token[]) {}
  private peek(k = 0): Token | undefined {
    return this.t[this.i + k];
  }
  private take(want?: string): Token {
    const tok = this.t[this.i++];
    if (tok === undefined || (want !== undefined && tok !== want)) throw new Unsupported(want ?? "end");
    return tok;
  }
  done(): boolean {
    return this.i >= this.t.length;
  }

  /** A union of location paths (the whole expression); a function at the top is not a node set. */
  union(ctx: Node, root: Element): Node[] {
    const out = new Set<Node>(this.path(ctx, root));
    while (this.peek() === "|") {
      this.take();
      for (const n of this.path(ctx, root)) out.add(n);
    }
    return inDocumentOrder([...out], root);
  }

  private path(ctx: Node, root: Element): Node[] {
    let set: Node[];
    const t = this.peek();
    if (t === "/" || t === "//") {
      this.take();
      const docNode: Element = { kind: "element", name: "#document", attrs: [], children: [root], parent: null };
      set = [docNode];
      if (t === "//") set = descendantsOrSelf(set);
      else if (this.done() || [")", "]", "|", "=", "!=", "and", "or"].includes(this.peek()!)) return [docNode];
    } else set = [ctx];
    set = this.step(set, root);
    while (this.peek() === "/" || this.peek() === "//") {
      if (this.take() === "//") set = descendantsOrSelf(set);
      set = this.step(set, root);
    }
    return set;
  }

  private step(set: Node[], root: Element): Node[] {
    const t = this.take();
    let out: Node[];
    if (t === ".") return set;
    if (t === "..") return unique(set.map((n) => n.parent).filter((n): n is Element => n !== null));
    if (t === "@") {
      const name = this.take();
      out = set.flatMap((n) => (n.kind === "element" ? n.attrs.filter((a) => name === "*" || a.name === name) : []));
    } else if (this.peek() === "(") {
      this.take("(");
      this.take(")");
      const test = (n: Node): boolean => (t === "node" ? true : t === "text" ? n.kind === "text" || n.kind === "cdata" : t === "comment" ? n.kind === "comment" : false);
      if (!["node", "text", "comment"].includes(t)) throw new Unsupported(t);
      out = set.flatMap((n) => (n.kind === "element" ? n.children.filter(test) : []));
    } else {
      if (!(t === "*" || /^[A-Za-z_]/.test(t))) throw new Unsupported(t);
      out = set.flatMap((n) => (n.kind === "element" ? n.children.filter((k) => k.kind === "element" && (t === "*" || k.name === t)) : []));
    }
    out = unique(out);
    while (this.peek() === "[") {
      this.take("[");
      const start = this.i;
      const kept: Node[] = [];
      out.forEach((n, pos) => {
        this.i = start;
        const v = this.or(n, root, pos + 1, out.length);
        if (typeof v === "number" ? v === pos + 1 : truth(v)) kept.push(n);
      });
      if (out.length === 0) this.skipPredicate();
      this.take("]");
      out = kept;
    }
    return out;
  }

  private skipPredicate(): void {
    let depth = 0;
    while (!this.done() && !(depth === 0 && this.peek() === "]")) {
      const t = this.take();
      if (t === "[" || t === "(") depth++;
      if (t === "]" || t === ")") depth--;
    }
  }

  private or(n: Node, root: Element, pos: number, size: number): Value {
    let v = this.and(n, root, pos, size);
    while (this.peek() === "or") {
      this.take();
      const w = this.and(n, root, pos, size);
      v = truth(v) || truth(w);
    }
    return v;
  }

  private and(n: Node, root: Element, pos: number, size: number): Value {
    let v = this.compare(n, root, pos, size);
    while (this.peek() === "and") {
      this.take();
      const w = this.compare(n, root, pos, size);
      v = truth(v) && truth(w);
    }
    return v;
  }

  private compare(n: Node, root: Element, pos: number, size: number): Value {
    const a = this.primary(n, root, pos, size);
    const op = this.peek();
    if (op !== "=" && op !== "!=") return a;
    this.take();
    const b = this.primary(n, root, pos, size);
    const strings = (v: Value): string[] => (Array.isArray(v) ? v.map(stringValue) : [String(v)]);
    const eq = (x: string, y: string): boolean => (typeof a === "number" || typeof b === "number" ? Number(x) === Number(y) : x === y);
    return strings(a).some((x) => strings(b).some((y) => (op === "=" ? eq(x, y) : !eq(x, y))));
  }

  private primary(n: Node, root: Element, pos: number, size: number): Value {
    const t = this.peek();
    if (t === undefined) throw new Unsupported("end");
    if (/^['"]/.test(t)) return this.take().slice(1, -1);
    if (/^\d/.test(t)) return Number(this.take());
    if ((t === "last" || t === "position" || t === "not") && this.peek(1) === "(") {
      this.take();
      this.take("(");
      if (t === "not") {
        const v = this.or(n, root, pos, size);
        this.take(")");
        return !truth(v);
      }
      this.take(")");
      return t === "last" ? size : pos;
    }
    if (t === "(") {
      this.take();
      const v = this.or(n, root, pos, size);
      this.take(")");
      return v;
    }
    return this.path(n, root);
  }
}

const truth = (v: Value): boolean => (Array.isArray(v) ? v.length > 0 : typeof v === "string" ? v !== "" : typeof v === "number" ? v !== 0 && !Number.isNaN(v) : v);
const unique = <T>(xs: T[]): T[] => [...new Set(xs)];

function descendantsOrSelf(set: Node[]): Node[] {
  const out: Node[] = [];
  const walk = (n: Node): void => {
    out.push(n);
    if (n.kind === "element") n.children.forEach(walk);
  };
  set.forEach(walk);
  return unique(out);
}

function inDocumentOrder(nodes: Node[], root: Element): Node[] {
  const order = new Map<Node, number>();
  let i = 0;
  const walk = (n: Node): void => {
    order.set(n, i++);
    if (n.kind === "element") {
      n.attrs.forEach((a) => order.set(a, i++));
      n.children.forEach(walk);
    }
  };
  walk(root);
  return nodes.sort((a, b) => (order.get(a) ?? -1) - (order.get(b) ?? -1));
}

// ---------------------------------------------------------------- output

const escapeText = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#13;");
const escapeAttr = (s: string): string => escapeText(s).replace(/"/g, "&quot;").replace(/\n/g, "&#10;").replace(/\t/g, "&#9;");

/** The document node a bare "/" selects: xmlNodeDump writes it whole, declaration first, never indented. */
const isDocument = (n: Node): boolean => n.kind === "element" && n.name === "#document";

/** xmlNodeDump with format 1 from `level`: children indented two spaces a level unless text sits among them. */
function dump(n: Node, level = 0, format = true): string {
  switch (n.kind) {
    case "attr":
      return ` ${n.name}="${escapeAttr(n.value)}"`;
    case "text":
      return escapeText(n.value);
    case "cdata":
      return `<![CDATA[${n.value}]]>`;
    case "comment":
      return `<!--${n.value}-->`;
    case "element": {
      if (isDocument(n)) return `<?xml version="1.0" encoding="UTF-8"?>\n${dump(n.children[0]!, 0, true)}\n`;
      const open = `<${n.name}${n.attrs.map((a) => dump(a)).join("")}`;
      if (n.children.length === 0) return `${open}/>`;
      const indent = format && !n.children.some((k) => k.kind === "text" || k.kind === "cdata");
      if (!indent) return `${open}>${n.children.map((k) => dump(k, level + 1, false)).join("")}</${n.name}>`;
      const pad = (l: number): string => "  ".repeat(l);
      return `${open}>\n${n.children.map((k) => `${isDocument(k) ? "" : pad(level + 1)}${dump(k, level + 1, true)}\n`).join("")}${pad(level)}</${n.name}>`;
    }
  }
}

/**
 * What virshDumpXML prints for --xpath (and --wrap) on `xml`: each selected
 * node and a newline, or them all under <nodes>.
 */
export function xpathDump(xml: string, xpath: string, wrap: boolean): string {
  let nodes: Node[];
  let root: Element;
  try {
    root = parseDocument(xml);
    if (/^\s*(?:string|count|concat|boolean|number|name|local-name|sum|normalize-space|contains|starts-with|substring\w*|string-length|true|false)\s*\(/.test(xpath)) {
      throw new CommandFailed([], { cause: new Error(`internal error: Incorrect xpath '${xpath}'`) });
    }
    const ev = new Evaluator(tokenize(xpath));
    nodes = ev.union(root, root);
    if (!ev.done()) throw new Unsupported(xpath);
  } catch (e) {
    if (e instanceof Unsupported) throw new CommandFailed([`--xpath '${xpath}' is beyond what this client evaluates`]);
    throw e;
  }
  if (!wrap) return nodes.map((n) => `${dump(n)}\n`).join("");
  const holder: Element = { kind: "element", name: "nodes", attrs: [], children: [], parent: null };
  for (const n of nodes) {
    // xmlAddChild: an attribute replaces the one of its name, and goes last.
    if (n.kind === "attr") holder.attrs = [...holder.attrs.filter((a) => a.name !== n.name), n];
    else holder.children.push(n);
  }
  return `${dump(holder)}\n`;
}
