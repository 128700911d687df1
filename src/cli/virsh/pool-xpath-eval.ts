// XPath 1.0 over pool-xml-doc.ts's documents, for --xpath: location paths
// on every axis virsh users reach for, predicates, unions, comparisons,
// arithmetic and the core function library. Errors are libxml2's: a
// syntax error is an invalid expression, an unknown function unregistered.

import type { AnyNode, XmlDoc, XmlElem } from "./pool-xml-doc.js";

export type Value = AnyNode[] | string | number | boolean;

/** libxml2's message kinds for an expression it cannot run (what it prints, in order). */
export class XPathError extends Error {
  constructor(readonly lines: readonly string[]) {
    super(lines.join("; "));
  }
}
const invalid = (): XPathError => new XPathError(["XPath error : Invalid expression"]);

type Tok = { t: "num"; v: number } | { t: "str"; v: string } | { t: "name"; v: string } | { t: "op"; v: string };

const OPERATORS = new Set(["and", "or", "mod", "div", "*", "/", "//", "|", "+", "-", "=", "!=", "<", "<=", ">", ">="]);

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let p = 0;
  const operatorContext = (): boolean => {
    const prev = out[out.length - 1];
    return prev !== undefined && !(prev.t === "op" && (["@", "::", "(", "[", ","].includes(prev.v) || OPERATORS.has(prev.v)));
  };
  while (p < text.length) {
    const rest = text.slice(p);
    const ws = /^[ \t\r\n]+/.exec(rest);
    if (ws !== null) {
      p += ws[0].length;
      continue;
    }
    const num = /^(\d+(\.\d*)?|\.\d+)/.exec(rest);
    if (num !== null) {
      out.push({ t: "num", v: Number(num[0]) });
      p += num[0].length;
      continue;
    }
    const str = /^("[^"]*"|'[^']*')/.exec(rest);
    if (str !== null) {
      out.push({ t: "str", v: str[0].slice(1, -1) });
      p += str[0].length;
      continue;
    }
    const op = /^(\/\/|\.\.|::|!=|<=|>=|[/()[\].@,|+\-=<>*$])/.exec(rest);
    if (op !== null) {
      out.push({ t: "op", v: op[0] === "*" && !operatorContext() ? "name*" : op[0] });
      p += op[0].length;
      continue;
    }
    const name = /^[A-Za-z_][\w.-]*(:[A-Za-z_][\w.-]*)?/.exec(rest);
    if (name === null) throw invalid();
    const word = name[0];
    if (operatorContext() && ["and", "or", "mod", "div"].includes(word)) out.push({ t: "op", v: word });
    else out.push({ t: "name", v: word });
    p += word.length;
  }
  return out.map((k) => (k.t === "op" && k.v === "name*" ? { t: "name", v: "*" } : k));
}

type Test = { kind: "name"; name: string } | { kind: "type"; type: "node" | "text" | "comment" | "processing-instruction" };
interface Step {
  axis: string;
  test: Test;
  preds: Expr[];
}
type Expr =
  | { k: "num"; v: number }
  | { k: "str"; v: string }
  | { k: "fn"; name: string; args: Expr[] }
  | { k: "bin"; op: string; l: Expr; r: Expr }
  | { k: "neg"; e: Expr }
  | { k: "path"; abs: boolean; start: Expr | null; preds: Expr[]; steps: Step[] };

const AXES = new Set(["child", "descendant", "descendant-or-self", "parent", "ancestor", "ancestor-or-self", "self", "attribute", "following-sibling", "preceding-sibling", "following", "preceding"]);
const NODE_TYPES = new Set(["node", "text", "comment", "processing-instruction"]);

const FUNCTIONS = new Set([
  "last", "position", "count", "name", "local-name", "string", "concat", "starts-with", "contains", "substring-before", "substring-after", "substring",
  "string-length", "normalize-space", "translate", "boolean", "not", "true", "false", "number", "sum", "floor", "ceiling", "round",
]);

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}
  private peek(o = 0): Tok | undefined {
    return this.toks[this.i + o];
  }
  private isOp(v: string, o = 0): boolean {
    const t = this.peek(o);
    return t?.t === "op" && t.v === v;
  }
  private expect(v: string): void {
    if (!this.isOp(v)) throw invalid();
    this.i++;
  }
  parse(): Expr {
    const e = this.binary(0);
    if (this.i !== this.toks.length) throw invalid();
    return e;
  }
  private static readonly LEVELS = [["or"], ["and"], ["=", "!="], ["<", "<=", ">", ">="], ["+", "-"], ["*", "div", "mod"]];
  private binary(level: number): Expr {
    if (level === Parser.LEVELS.length) return this.unary();
    let l = this.binary(level + 1);
    for (;;) {
      const t = this.peek();
      const op = t?.t === "op" ? t.v : t?.t === "name" && t.v === "*" && level === 5 ? "*" : null;
      if (op === null || !Parser.LEVELS[level]!.includes(op)) return l;
      this.i++;
      l = { k: "bin", op, l, r: this.binary(level + 1) };
    }
  }
  private unary(): Expr {
    if (this.isOp("-")) {
      this.i++;
      return { k: "neg", e: this.unary() };
    }
    let l = this.pathExpr();
    while (this.isOp("|")) {
      this.i++;
      l = { k: "bin", op: "|", l, r: this.pathExpr() };
    }
    return l;
  }
  private pathExpr(): Expr {
    const t = this.peek();
    if (t === undefined) throw invalid();
    const primary = t.t === "num" || t.t === "str" || this.isOp("(") || this.isOp("$") || (t.t === "name" && this.isOp("(", 1) && !NODE_TYPES.has(t.v));
    if (!primary) return this.locationPath();
    const start = this.primary();
    const preds = this.predicates();
    if (!this.isOp("/") && !this.isOp("//")) return preds.length === 0 ? start : { k: "path", abs: false, start, preds, steps: [] };
    return { k: "path", abs: false, start, preds, steps: this.relative() };
  }
  private primary(): Expr {
    const t = this.peek()!;
    this.i++;
    if (t.t === "num") return { k: "num", v: t.v };
    if (t.t === "str") return { k: "str", v: t.v };
    if (t.t === "op" && t.v === "(") {
      const e = this.binary(0);
      this.expect(")");
      return e;
    }
    if (t.t === "op" && t.v === "$" && this.peek()?.t === "name") throw new XPathError(["XPath error : Undefined variable"]);
    if (t.t === "op") throw invalid();
    if (!FUNCTIONS.has(t.v)) throw new XPathError([`xmlXPathCompOpEval: function ${t.v} not found`, "XPath error : Unregistered function"]);
    this.expect("(");
    const args: Expr[] = [];
    if (!this.isOp(")")) {
      args.push(this.binary(0));
      while (this.isOp(",")) {
        this.i++;
        args.push(this.binary(0));
      }
    }
    this.expect(")");
    return { k: "fn", name: t.v, args };
  }
  private predicates(): Expr[] {
    const preds: Expr[] = [];
    while (this.isOp("[")) {
      this.i++;
      preds.push(this.binary(0));
      this.expect("]");
    }
    return preds;
  }
  private locationPath(): Expr {
    if (this.isOp("/")) {
      this.i++;
      const t = this.peek();
      const more = t !== undefined && (t.t === "name" || this.isOp(".") || this.isOp("..") || this.isOp("@"));
      return { k: "path", abs: true, start: null, preds: [], steps: more ? this.relativeSteps() : [] };
    }
    if (this.isOp("//")) return { k: "path", abs: true, start: null, preds: [], steps: this.relative() };
    return { k: "path", abs: false, start: null, preds: [], steps: this.relativeSteps() };
  }
  /** Steps after a '/' or '//' still to read. */
  private relative(): Step[] {
    const steps: Step[] = [];
    while (this.isOp("/") || this.isOp("//")) {
      if (this.isOp("//")) steps.push({ axis: "descendant-or-self", test: { kind: "type", type: "node" }, preds: [] });
      this.i++;
      steps.push(this.step());
    }
    return steps;
  }
  private relativeSteps(): Step[] {
    return [this.step(), ...this.relative()];
  }
  private step(): Step {
    if (this.isOp(".")) {
      this.i++;
      return { axis: "self", test: { kind: "type", type: "node" }, preds: [] };
    }
    if (this.isOp("..")) {
      this.i++;
      return { axis: "parent", test: { kind: "type", type: "node" }, preds: [] };
    }
    let axis = "child";
    if (this.isOp("@")) {
      this.i++;
      axis = "attribute";
    } else if (this.peek()?.t === "name" && this.isOp("::", 1)) {
      axis = (this.peek() as { v: string }).v;
      if (!AXES.has(axis)) throw invalid();
      this.i += 2;
    }
    const t = this.peek();
    if (t?.t !== "name") throw invalid();
    this.i++;
    let test: Test = { kind: "name", name: t.v };
    if (NODE_TYPES.has(t.v) && this.isOp("(")) {
      this.i++;
      if (this.peek()?.t === "str") this.i++;
      this.expect(")");
      test = { kind: "type", type: t.v as "node" };
    }
    return { axis, test, preds: this.predicates() };
  }
}

export function compile(text: string): Expr {
  return new Parser(tokenize(text)).parse();
}

// ---------------------------------------------------------------- evaluation

interface Ctx {
  node: AnyNode;
  pos: number;
  size: number;
}

const isNodes = (v: Value): v is AnyNode[] => Array.isArray(v);

export function stringValue(n: AnyNode): string {
  if (n.kind === "attribute" || n.kind === "text") return n.value;
  return n.children.map((c) => stringValue(c)).join("");
}

function toStr(v: Value): string {
  if (isNodes(v)) return v.length === 0 ? "" : stringValue(v[0]!);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return Number.isNaN(v) ? "NaN" : Number.isFinite(v) ? (Object.is(v, -0) ? "0" : String(v)) : v > 0 ? "Infinity" : "-Infinity";
  return v;
}
function toNum(v: Value): number {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  const s = toStr(v).trim();
  return /^-?(\d+(\.\d*)?|\.\d+)$/.test(s) ? Number(s) : NaN;
}
function toBool(v: Value): boolean {
  if (isNodes(v)) return v.length > 0;
  if (typeof v === "number") return v !== 0 && !Number.isNaN(v);
  if (typeof v === "string") return v.length > 0;
  return v;
}

function docOf(n: AnyNode): XmlDoc {
  let p: AnyNode = n;
  while (p.parent !== null) p = p.parent;
  return p;
}

function descendants(n: AnyNode): AnyNode[] {
  if (n.kind === "attribute" || n.kind === "text") return [];
  return n.children.flatMap((c) => [c, ...descendants(c)]);
}

function ancestors(n: AnyNode): AnyNode[] {
  const out: AnyNode[] = [];
  for (let p = n.parent; p !== null; p = p.parent) out.push(p);
  return out;
}

function siblings(n: AnyNode): AnyNode[] {
  return n.kind === "attribute" || n.parent === null ? [] : (n.parent as XmlElem | XmlDoc).children;
}

/** The nodes of an axis, in the axis's own order (reverse axes nearest first). */
function axisNodes(axis: string, n: AnyNode): AnyNode[] {
  switch (axis) {
    case "child":
      return n.kind === "element" || n.kind === "document" ? n.children : [];
    case "attribute":
      return n.kind === "element" ? n.attrs : [];
    case "self":
      return [n];
    case "parent":
      return n.parent === null ? [] : [n.parent];
    case "ancestor":
      return ancestors(n);
    case "ancestor-or-self":
      return [n, ...ancestors(n)];
    case "descendant":
      return descendants(n);
    case "descendant-or-self":
      return [n, ...descendants(n)];
    case "following-sibling": {
      const s = siblings(n);
      return s.slice(s.indexOf(n as never) + 1);
    }
    case "preceding-sibling": {
      const s = siblings(n);
      return s.slice(0, Math.max(0, s.indexOf(n as never))).reverse();
    }
    case "following":
      return [docOf(n), ...descendants(docOf(n))].filter((x) => x.order > n.order && !ancestors(x).includes(n) && x.kind !== "attribute");
    default: {
      const all = [docOf(n), ...descendants(docOf(n))];
      return all.filter((x) => x.order < n.order && !ancestors(n).includes(x)).reverse();
    }
  }
}

function matches(test: Test, axis: string, n: AnyNode): boolean {
  if (test.kind === "type") return test.type === "node" || (test.type === "text" && n.kind === "text");
  const principal = axis === "attribute" ? "attribute" : "element";
  if (n.kind !== principal) return false;
  return test.name === "*" || (n as { name: string }).name === test.name;
}

function inDocOrder(nodes: AnyNode[]): AnyNode[] {
  return [...new Set(nodes)].sort((a, b) => a.order - b.order);
}

function filter(nodes: AnyNode[], preds: readonly Expr[]): AnyNode[] {
  let here = nodes;
  for (const p of preds) {
    here = here.filter((node, i) => {
      const v = evaluate(p, { node, pos: i + 1, size: here.length });
      return typeof v === "number" ? v === i + 1 : toBool(v);
    });
  }
  return here;
}

function compare(op: string, a: Value, b: Value): boolean {
  if (isNodes(a) || isNodes(b)) {
    if (isNodes(a) && isNodes(b)) return a.some((x) => b.some((y) => compare(op, stringValue(x), stringValue(y))));
    if (isNodes(a)) return typeof b === "boolean" ? compare(op, toBool(a), b) : a.some((x) => compare(op, typeof b === "number" ? toNum(stringValue(x)) : stringValue(x), b));
    return typeof a === "boolean" ? compare(op, a, toBool(b)) : (b as AnyNode[]).some((y) => compare(op, a, typeof a === "number" ? toNum(stringValue(y)) : stringValue(y)));
  }
  if (op === "=" || op === "!=") {
    const eq = typeof a === "boolean" || typeof b === "boolean" ? toBool(a) === toBool(b) : typeof a === "number" || typeof b === "number" ? toNum(a) === toNum(b) : a === b;
    return op === "=" ? eq : !eq;
  }
  const [x, y] = [toNum(a), toNum(b)];
  return op === "<" ? x < y : op === "<=" ? x <= y : op === ">" ? x > y : x >= y;
}

function callFn(name: string, args: Expr[], ctx: Ctx): Value {
  const arg = (i: number): Value => evaluate(args[i]!, ctx);
  const strArg = (i: number): string => (args.length > i ? toStr(arg(i)) : stringValue(ctx.node));
  const nodesArg = (i: number): AnyNode[] => {
    const v = arg(i);
    if (!isNodes(v)) throw invalid();
    return v;
  };
  switch (name) {
    case "last":
      return ctx.size;
    case "position":
      return ctx.pos;
    case "count":
      return nodesArg(0).length;
    case "name":
    case "local-name": {
      const n = args.length > 0 ? nodesArg(0)[0] : ctx.node;
      const full = n !== undefined && (n.kind === "element" || n.kind === "attribute") ? n.name : "";
      return name === "name" ? full : full.replace(/^.*:/, "");
    }
    case "string":
      return strArg(0);
    case "concat":
      return args.map((_, i) => toStr(arg(i))).join("");
    case "starts-with":
      return toStr(arg(0)).startsWith(toStr(arg(1)));
    case "contains":
      return toStr(arg(0)).includes(toStr(arg(1)));
    case "substring-before": {
      const [s, t] = [toStr(arg(0)), toStr(arg(1))];
      return s.includes(t) ? s.slice(0, s.indexOf(t)) : "";
    }
    case "substring-after": {
      const [s, t] = [toStr(arg(0)), toStr(arg(1))];
      return s.includes(t) ? s.slice(s.indexOf(t) + t.length) : "";
    }
    case "substring": {
      const s = [...toStr(arg(0))];
      const start = Math.round(toNum(arg(1)));
      const end = args.length > 2 ? start + Math.round(toNum(arg(2))) : Infinity;
      return s.filter((_, i) => i + 1 >= start && i + 1 < end).join("");
    }
    case "string-length":
      return [...strArg(0)].length;
    case "normalize-space":
      return strArg(0).trim().replace(/[ \t\r\n]+/g, " ");
    case "translate": {
      const [s, from, to] = [toStr(arg(0)), [...toStr(arg(1))], [...toStr(arg(2))]];
      return [...s].map((ch) => (from.includes(ch) ? (to[from.indexOf(ch)] ?? "") : ch)).join("");
    }
    case "boolean":
      return toBool(arg(0));
    case "not":
      return !toBool(arg(0));
    case "true":
      return true;
    case "false":
      return false;
    case "number":
      return args.length > 0 ? toNum(arg(0)) : toNum(stringValue(ctx.node));
    case "sum":
      return nodesArg(0).reduce((s, n) => s + toNum(stringValue(n)), 0);
    case "floor":
      return Math.floor(toNum(arg(0)));
    case "ceiling":
      return Math.ceil(toNum(arg(0)));
    default:
      return Math.round(toNum(arg(0)));
  }
}

function evaluate(e: Expr, ctx: Ctx): Value {
  switch (e.k) {
    case "num":
      return e.v;
    case "str":
      return e.v;
    case "neg":
      return -toNum(evaluate(e.e, ctx));
    case "fn":
      return callFn(e.name, e.args, ctx);
    case "bin": {
      if (e.op === "or") return toBool(evaluate(e.l, ctx)) || toBool(evaluate(e.r, ctx));
      if (e.op === "and") return toBool(evaluate(e.l, ctx)) && toBool(evaluate(e.r, ctx));
      const [l, r] = [evaluate(e.l, ctx), evaluate(e.r, ctx)];
      if (e.op === "|") {
        if (!isNodes(l) || !isNodes(r)) throw invalid();
        return inDocOrder([...l, ...r]);
      }
      if (["=", "!=", "<", "<=", ">", ">="].includes(e.op)) return compare(e.op, l, r);
      const [x, y] = [toNum(l), toNum(r)];
      return e.op === "+" ? x + y : e.op === "-" ? x - y : e.op === "*" ? x * y : e.op === "div" ? x / y : x % y;
    }
    case "path": {
      let nodes: AnyNode[];
      if (e.start !== null) {
        const v = evaluate(e.start, ctx);
        if (!isNodes(v)) {
          if (e.preds.length > 0 || e.steps.length > 0) throw invalid();
          return v;
        }
        nodes = filter(v, e.preds);
      } else {
        nodes = [e.abs ? docOf(ctx.node) : ctx.node];
      }
      for (const step of e.steps) {
        nodes = inDocOrder(nodes.flatMap((n) => filter(axisNodes(step.axis, n).filter((x) => matches(step.test, step.axis, x)), step.preds)));
      }
      return nodes;
    }
  }
}

/** The value of an expression with `node` as context (virsh's: the root element). */
export function evaluateXPath(text: string, node: AnyNode): Value {
  return evaluate(compile(text), { node, pos: 1, size: 1 });
}
