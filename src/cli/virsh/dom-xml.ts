// A domain's XML as a small element tree, for the few XPath reads virsh's
// domain commands make (`string(/domain/devices/graphics[@type='vnc']/@port)`,
// the <vcpu> count): elements, attributes and text of the XML libvirt
// writes, not a general XML parser (no DTDs, no namespaces resolved).

export interface XmlElement {
  name: string;
  attrs: ReadonlyMap<string, string>;
  children: XmlElement[];
  /** The element's own text, its children's left out. */
  text: string;
}

const TOKEN = /<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<[?!][^>]*>|<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
const ATTR = /([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const ENTITY = /&(?:#x([0-9a-fA-F]+)|#(\d+)|(lt|gt|amp|quot|apos));/g;
const NAMED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(ENTITY, (_m, hex?: string, dec?: string, name?: string) =>
    hex !== undefined ? String.fromCodePoint(parseInt(hex, 16)) : dec !== undefined ? String.fromCodePoint(Number(dec)) : NAMED[name!]!,
  );
}

/** The document's root element; null where the text holds none. */
export function parseXml(xml: string): XmlElement | null {
  const root: XmlElement = { name: "", attrs: new Map(), children: [], text: "" };
  const stack: XmlElement[] = [root];
  for (const m of xml.matchAll(TOKEN)) {
    const top = stack[stack.length - 1]!;
    if (m[6] !== undefined) top.text += decode(m[6]);
    else if (m[1] !== undefined) top.text += m[1];
    else if (m[3] === undefined) continue; // a comment, a declaration
    else if (m[2] === "/") {
      if (stack.length > 1) stack.pop();
    } else {
      const attrs = new Map([...(m[4] ?? "").matchAll(ATTR)].map((a) => [a[1]!, decode(a[2] ?? a[3] ?? "")] as const));
      const el: XmlElement = { name: m[3], attrs, children: [], text: "" };
      top.children.push(el);
      if (m[5] !== "/") stack.push(el);
    }
  }
  return root.children[0] ?? null;
}

/** The element's children of one name. */
export function childrenNamed(el: XmlElement | null | undefined, name: string): XmlElement[] {
  return el === null || el === undefined ? [] : el.children.filter((c) => c.name === name);
}

/** Its first child of that name. */
export function child(el: XmlElement | null | undefined, name: string): XmlElement | undefined {
  return childrenNamed(el, name)[0];
}

/** The first of the elements that a path of names reaches (`devices/console`), from `el`, in document order. */
export function first(el: XmlElement | null | undefined, path: readonly string[], where?: (e: XmlElement) => boolean): XmlElement | undefined {
  return all(el, path, where)[0];
}

/** Every element that a path of names reaches, in document order; `where` tests the last step's. */
export function all(el: XmlElement | null | undefined, path: readonly string[], where?: (e: XmlElement) => boolean): XmlElement[] {
  let here = el === null || el === undefined ? [] : [el];
  path.forEach((name, i) => {
    here = here.flatMap((e) => childrenNamed(e, name));
    if (i === path.length - 1 && where !== undefined) here = here.filter(where);
  });
  return here;
}

/** XPath's string() of an element: all of its text, its descendants' included. */
export function textOf(el: XmlElement | undefined): string {
  if (el === undefined) return "";
  return el.text + el.children.map(textOf).join("");
}

/** virXPathInt on a string: 0 and the number, or an error where it is empty or no whole int. */
export function xpathInt(text: string | undefined): number | null {
  if (text === undefined || !/^\s*[+-]?\d+$/.test(text)) return null;
  const n = Number(text);
  return n >= -(2 ** 31) && n <= 2 ** 31 - 1 ? n : null;
}
