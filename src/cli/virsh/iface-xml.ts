// A small well-formedness scanner for the interface definitions that
// iface-bridge and iface-unbridge take apart: elements with their
// attributes and their places in the source, so that a change is spliced
// into the text as the daemon gave it. It stands in for libxml2, whose
// words for a malformed document it does not repeat.

export interface XmlElement {
  name: string;
  /** Attribute values with their references resolved. */
  attrs: Map<string, string>;
  children: XmlElement[];
  /** Offsets in the source: the whole element, and its content between the tags (null when empty `<x/>`). */
  start: number;
  end: number;
  inner: [number, number] | null;
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** An attribute value's entity and character references, resolved. */
function decode(raw: string): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, ref: string) => {
    if (ref.startsWith("#x")) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith("#")) return String.fromCodePoint(Number(ref.slice(1)));
    return Object.hasOwn(ENTITIES, ref) ? ENTITIES[ref]! : whole;
  });
}

/** The elements at the top of `text`; throws on malformed XML. */
export function parseElements(text: string): XmlElement[] {
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
      el.attrs.set(attr, decode(text.slice(p + 1, e)));
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

/** An attribute value as XML needs it written between single quotes. */
export function quoteAttr(value: string): string {
  return `'${value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/'/g, "&apos;")}'`;
}
