// A daemon's XML document as libxml2 holds it for virshDumpXML (parsed
// with blanks dropped, xmlKeepBlanksDefault(0)), and printed back as
// libxml2's xmlNodeDump prints a node with formatting on. Enough of XML
// for what libvirt writes: elements, attributes, text, comments skipped.

export interface XmlDoc {
  kind: "document";
  children: XmlNode[];
  parent: null;
  order: number;
}
export interface XmlElem {
  kind: "element";
  name: string;
  attrs: XmlAttr[];
  children: XmlNode[];
  parent: XmlElem | XmlDoc;
  order: number;
}
export interface XmlAttr {
  kind: "attribute";
  name: string;
  value: string;
  parent: XmlElem;
  order: number;
}
export interface XmlText {
  kind: "text";
  value: string;
  parent: XmlElem;
  order: number;
}
export type XmlNode = XmlElem | XmlText;
export type AnyNode = XmlDoc | XmlElem | XmlAttr | XmlText;

const TOKEN = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[([\s\S]*?)\]\]>|<!DOCTYPE[^>]*>|<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
const ATTR = /([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const ENTITY = /&(?:#x([0-9a-fA-F]+)|#(\d+)|(lt|gt|amp|quot|apos));/g;
const NAMED: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(ENTITY, (_m, hex?: string, dec?: string, name?: string) =>
    hex !== undefined ? String.fromCodePoint(parseInt(hex, 16)) : dec !== undefined ? String.fromCodePoint(Number(dec)) : NAMED[name!]!,
  );
}

/**
 * libxml2's areBlanks with keepBlanks off: whitespace between elements
 * goes, except as an element's only content or next to other text.
 */
function keepsBlank(parent: XmlElem | XmlDoc, nextIsEndTag: boolean): boolean {
  if (parent.kind === "document") return false;
  const kids = parent.children;
  if (kids.length === 0) return nextIsEndTag;
  return kids[kids.length - 1]!.kind === "text" || kids[0]!.kind === "text";
}

/**
 * The document, or null where the text is not one this reader follows.
 * `keepBlanks`: every blank text inside the root kept, as libxml2 parses
 * by default (virXMLParseString), rather than dropped as virshDumpXML has it.
 */
export function parseDoc(xml: string, options: { keepBlanks?: boolean } = {}): XmlDoc | null {
  const doc: XmlDoc = { kind: "document", children: [], parent: null, order: 0 };
  const stack: (XmlElem | XmlDoc)[] = [doc];
  const tokens = [...xml.matchAll(TOKEN)];
  for (let i = 0; i < tokens.length; i++) {
    const m = tokens[i]!;
    const top = stack[stack.length - 1]!;
    const text = m[6] ?? m[1];
    if (text !== undefined) {
      if (top.kind === "document") continue;
      const value = m[6] !== undefined ? decode(text) : text;
      const nextIsEndTag = tokens[i + 1]?.[2] === "/";
      if (options.keepBlanks !== true && /^[ \t\r\n]*$/.test(value) && m[1] === undefined && !keepsBlank(top, nextIsEndTag)) continue;
      const last = top.children[top.children.length - 1];
      if (last?.kind === "text") last.value += value;
      else top.children.push({ kind: "text", value, parent: top, order: 0 });
      continue;
    }
    if (m[3] === undefined) continue;
    if (m[2] === "/") {
      if (stack.length <= 1 || (top as XmlElem).name !== m[3]) return null;
      stack.pop();
      continue;
    }
    const el: XmlElem = { kind: "element", name: m[3], attrs: [], children: [], parent: top, order: 0 };
    el.attrs = [...(m[4] ?? "").matchAll(ATTR)].map((a) => ({ kind: "attribute", name: a[1]!, value: decode(a[2] ?? a[3] ?? ""), parent: el, order: 0 }));
    top.children.push(el);
    if (m[5] !== "/") stack.push(el);
  }
  if (stack.length !== 1 || doc.children.filter((c) => c.kind === "element").length !== 1) return null;
  number(doc, 0);
  return doc;
}

/** Document order, attributes right after their element. */
function number(node: XmlDoc | XmlNode, next: number): number {
  node.order = next++;
  if (node.kind === "text") return next;
  if (node.kind === "element") for (const a of node.attrs) a.order = next++;
  for (const c of node.children) next = number(c, next);
  return next;
}

const textOut = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#13;");
const attrOut = (s: string): string => textOut(s).replace(/"/g, "&quot;").replace(/\n/g, "&#10;").replace(/\t/g, "&#9;");

function elementOut(el: XmlElem, level: number, format: boolean): string {
  let out = `<${el.name}${el.attrs.map((a) => ` ${a.name}="${attrOut(a.value)}"`).join("")}`;
  if (el.children.length === 0) return `${out}/>`;
  out += ">";
  // Formatting stops inside an element that holds text (mixed content).
  const indent = format && el.children.every((c) => c.kind === "element");
  if (indent) out += "\n";
  for (const c of el.children) {
    if (indent) out += "  ".repeat(level + 1);
    out += c.kind === "text" ? textOut(c.value) : elementOut(c, level + 1, indent);
    if (indent) out += "\n";
  }
  if (indent) out += "  ".repeat(level);
  return `${out}</${el.name}>`;
}

/** virXMLNodeToString: xmlNodeDump of one node at level 0, formatted. */
export function nodeToString(node: AnyNode): string {
  switch (node.kind) {
    case "document":
      return `<?xml version="1.0" encoding="UTF-8"?>\n${node.children.map((c) => (c.kind === "element" ? elementOut(c, 0, true) : textOut(c.value))).join("\n")}\n`;
    case "element":
      return elementOut(node, 0, true);
    case "attribute":
      return ` ${node.name}="${attrOut(node.value)}"`;
    case "text":
      return textOut(node.value);
  }
}

/**
 * --wrap: the nodes copied under a new <nodes> root. An attribute becomes
 * the root's (replacing one of the same name), a copied document is
 * printed whole where it falls, unindented.
 */
export function wrapNodes(nodes: readonly AnyNode[]): string {
  const attrs: XmlAttr[] = [];
  const kids: (XmlNode | XmlDoc)[] = [];
  for (const n of nodes) {
    if (n.kind === "attribute") {
      const same = attrs.findIndex((a) => a.name === n.name);
      if (same >= 0) attrs.splice(same, 1);
      attrs.push(n);
    } else {
      kids.push(n);
    }
  }
  const head = `<nodes${attrs.map((a) => ` ${a.name}="${attrOut(a.value)}"`).join("")}`;
  if (kids.length === 0) return `${head}/>`;
  const indent = kids.every((c) => c.kind !== "text");
  let out = `${head}>${indent ? "\n" : ""}`;
  // Beside a copied document, libxml2 indents nothing.
  const pad = kids.some((c) => c.kind === "document") ? "" : "  ";
  for (const c of kids) {
    if (c.kind === "document") out += `${nodeToString(c)}${indent ? "\n" : ""}`;
    else if (c.kind === "text") out += textOut(c.value);
    else out += indent ? `${pad}${elementOut(c, 1, true)}\n` : elementOut(c, 0, false);
  }
  return `${out}</nodes>`;
}
