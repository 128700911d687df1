// The XML that libvirt writes (domains, snapshots, checkpoints) as a small
// element tree, for the few XPath reads the monitoring, snapshot and
// checkpoint commands make (`string(./target/@dev)`,
// `string(/domainsnapshot/state)`), and virBuffer's escaping for the XML
// they write. Not a general XML parser: no DTDs, no namespaces resolved.

export interface XmlNode {
  name: string;
  attrs: ReadonlyMap<string, string>;
  children: XmlNode[];
  /** The element's text, its children's included (XPath's string()). */
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
export function parseXml(xml: string): XmlNode | null {
  const top: XmlNode = { name: "", attrs: new Map(), children: [], text: "" };
  const stack: XmlNode[] = [top];
  for (const m of xml.matchAll(TOKEN)) {
    const text = m[1] ?? m[6];
    if (text !== undefined) {
      const t = m[1] !== undefined ? text : decode(text);
      for (const open of stack) open.text += t;
      continue;
    }
    const name = m[3];
    if (name === undefined) continue; // a comment or a declaration
    if (m[2] === "/") {
      if (stack.length > 1) stack.pop();
      continue;
    }
    const attrs = new Map([...(m[4] ?? "").matchAll(ATTR)].map((a) => [a[1]!, decode(a[2] ?? a[3] ?? "")] as const));
    const node: XmlNode = { name, attrs, children: [], text: "" };
    stack[stack.length - 1]!.children.push(node);
    if (m[5] !== "/") stack.push(node);
  }
  return top.children[0] ?? null;
}

/** The children named `name`, or the elements a path of names reaches (`devices/disk`). */
export function select(node: XmlNode, path: string): XmlNode[] {
  let here = [node];
  for (const step of path.split("/")) here = here.flatMap((n) => n.children.filter((c) => c.name === step));
  return here;
}

/** virXPathString of `string(path)`: the first element's text; undefined where none or empty. */
export function textAt(node: XmlNode, path: string): string | undefined {
  const text = select(node, path)[0]?.text;
  return text === "" ? undefined : text;
}

/**
 * virXPathString of `string(path/@a|path/@b...)`: the first of `names` the
 * first element at `path` carries, in document order as XPath's union
 * gives it; undefined where none, or where it is empty (virXPathString
 * gives NULL for an empty string).
 */
export function attrAt(node: XmlNode, path: string, ...names: string[]): string | undefined {
  const el = path === "." ? node : select(node, path)[0];
  if (el === undefined) return undefined;
  for (const [k, v] of el.attrs) if (names.includes(k)) return v === "" ? undefined : v;
  return undefined;
}

/** virBufferEscapeString's escaping of a value put in XML: the five entities, other control characters but tab, newline and CR dropped. */
export function escapeXml(text: string): string {
  const entity: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters libvirt drops
  return text.replace(/[&<>"']|[\x01-\x08\x0b\x0c\x0e-\x19]/g, (c) => entity[c] ?? "");
}
