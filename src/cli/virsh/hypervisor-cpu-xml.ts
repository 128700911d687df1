// vshExtractCPUDefXMLs: the <cpu> elements of a file that holds CPU
// definitions, a domain, host capabilities or domain capabilities, found
// where virsh's XPath finds them. A small well-formedness scanner stands in
// for libxml2: the elements are sent as the file spells them.

import { CommandFailed } from "../vsh.js";
import { readXmlFile } from "./node-options.js";

interface XmlElement {
  name: string;
  attrs: Map<string, string>;
  children: XmlElement[];
  /** Offsets in the source: the whole element, and its content between the tags (null when empty `<x/>`). */
  start: number;
  end: number;
  inner: [number, number] | null;
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;

/** The elements at the top of `text` (any number of them, as inside virsh's <container>); throws on malformed XML. */
function parseElements(text: string): XmlElement[] {
  let p = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at offset ${p}`);
  };
  const skipMisc = (): void => {
    for (;;) {
      if (text.startsWith("<!--", p)) {
        const e = text.indexOf("-->", p + 4);
        if (e < 0) fail("unterminated comment");
        p = e + 3;
      } else if (text.startsWith("<?", p)) {
        const e = text.indexOf("?>", p + 2);
        if (e < 0) fail("unterminated processing instruction");
        p = e + 2;
      } else if (text.startsWith("<![CDATA[", p)) {
        const e = text.indexOf("]]>", p + 9);
        if (e < 0) fail("unterminated CDATA section");
        p = e + 3;
      } else if (text.startsWith("<!", p)) {
        const e = text.indexOf(">", p + 2);
        if (e < 0) fail("unterminated declaration");
        p = e + 1;
      } else if (p < text.length && text[p] !== "<") {
        const e = text.indexOf("<", p);
        p = e < 0 ? text.length : e;
      } else return;
    }
  };
  const name = (): string => {
    NAME.lastIndex = p;
    const m = NAME.exec(text);
    if (m === null) return fail("name expected");
    p += m[0].length;
    return m[0];
  };
  const blanks = (): void => {
    while (/\s/.test(text[p] ?? "")) p++;
  };
  const element = (): XmlElement => {
    const start = p;
    p++;
    const el: XmlElement = { name: name(), attrs: new Map(), children: [], start, end: 0, inner: null };
    for (;;) {
      blanks();
      if (text.startsWith("/>", p)) {
        p += 2;
        el.end = p;
        return el;
      }
      if (text[p] === ">") break;
      const attr = name();
      blanks();
      if (text[p] !== "=") fail("'=' expected");
      p++;
      blanks();
      const q = text[p];
      if (q !== "'" && q !== '"') return fail("quoted value expected");
      const e = text.indexOf(q, p + 1);
      if (e < 0) fail("unterminated attribute value");
      el.attrs.set(attr, text.slice(p + 1, e));
      p = e + 1;
    }
    p++;
    const innerStart = p;
    for (;;) {
      skipMisc();
      if (p >= text.length) fail(`missing </${el.name}>`);
      if (text.startsWith("</", p)) {
        const innerEnd = p;
        p += 2;
        if (name() !== el.name) fail(`mismatched </...> for <${el.name}>`);
        blanks();
        if (text[p] !== ">") fail("'>' expected");
        p++;
        el.inner = [innerStart, innerEnd];
        el.end = p;
        return el;
      }
      el.children.push(element());
    }
  };
  const top: XmlElement[] = [];
  for (;;) {
    skipMisc();
    if (p >= text.length) return top;
    top.push(element());
  }
}

const kids = (els: readonly XmlElement[], name: string): XmlElement[] => els.flatMap((e) => e.children.filter((c) => c.name === name));

/**
 * The CPU definitions of a file, in document order: top-level <cpu>s, a
 * domain's, the host capabilities' and the domain capabilities' supported
 * host-model (renamed <cpu>, without its attributes).
 */
export async function extractCpuXmls(file: string): Promise<string[]> {
  let text = await readXmlFile(file);
  const decl = text.startsWith("<?xml") ? text.indexOf("?>") : -1;
  if (decl >= 0) text = text.slice(decl + 2);
  let top: XmlElement[];
  try {
    top = parseElements(text);
  } catch (e) {
    throw new CommandFailed([`${file}: ${(e as Error).message}`]);
  }
  const found = [
    ...top.filter((e) => e.name === "cpu"),
    ...kids(top.filter((e) => e.name === "domain"), "cpu"),
    ...kids(kids(top.filter((e) => e.name === "capabilities"), "host"), "cpu"),
    ...kids(kids(top.filter((e) => e.name === "domainCapabilities"), "cpu"), "mode").filter((m) => m.attrs.get("name") === "host-model" && m.attrs.get("supported") === "yes"),
  ].sort((a, b) => a.start - b.start);
  if (found.length === 0) {
    throw new CommandFailed([`File '${file}' does not contain any <cpu> element or valid domain XML, host capabilities XML, or domain capabilities XML`]);
  }
  return found.map((e) => {
    if (e.name === "cpu") return text.slice(e.start, e.end);
    return e.inner === null ? "<cpu/>" : `<cpu>${text.slice(e.inner[0], e.inner[1])}</cpu>`;
  });
}
