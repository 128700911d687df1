// The disks of a domain's XML as virsh's undefine reads them with XPath
// (./devices/disk, then string(./target/@dev) and string(./source/@file|
// @dir|@name|@dev|@volume) and ./source/@pool): a scan of the elements and
// attributes libvirt writes, not a general XML parser.

export interface DomainDisk {
  target: string;
  /** The first of file, dir, name, dev, volume on its <source>, in document order; "" when none (an empty drive). */
  source: string;
  pool: string | null;
}

const SOURCE_ATTRS = new Set(["file", "dir", "name", "dev", "volume"]);
const TAG = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<[?!][^>]*>|<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
const ATTR = /([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const ENTITY = /&(?:#x([0-9a-fA-F]+)|#(\d+)|(lt|gt|amp|quot|apos));/g;
const NAMED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(ENTITY, (_m, hex?: string, dec?: string, name?: string) =>
    hex !== undefined ? String.fromCodePoint(parseInt(hex, 16)) : dec !== undefined ? String.fromCodePoint(Number(dec)) : NAMED[name!]!,
  );
}

function attributes(text: string): [string, string][] {
  return [...text.matchAll(ATTR)].map((m) => [m[1]!, decode(m[2] ?? m[3] ?? "")]);
}

/** Every <disk> of <domain><devices>, in order. */
export function domainDisks(xml: string): DomainDisk[] {
  const disks: DomainDisk[] = [];
  const path: string[] = [];
  let disk: { target: string | null; source: [string, string][] | null } | null = null;
  for (const m of xml.matchAll(TAG)) {
    const name = m[2];
    if (name === undefined) continue; // a comment, CDATA, a declaration
    if (m[1] === "/") {
      path.pop();
      if (path.length === 2 && disk !== null && name === "disk") {
        const source = disk.source?.find(([k]) => SOURCE_ATTRS.has(k))?.[1] ?? "";
        if (disk.target !== null && disk.target !== "") disks.push({ target: disk.target, source, pool: disk.source?.find(([k]) => k === "pool")?.[1] ?? null });
        disk = null;
      }
      continue;
    }
    const here = [...path, name].join("/");
    if (here === "domain/devices/disk") disk = { target: null, source: null };
    else if (disk !== null && path.length === 3) {
      // Only the disk's own children: a backing store's <source> is not the disk's.
      if (name === "target" && disk.target === null) disk.target = attributes(m[3] ?? "").find(([k]) => k === "dev")?.[1] ?? "";
      if (name === "source" && disk.source === null) disk.source = attributes(m[3] ?? "");
    }
    if (m[4] !== "/") path.push(name);
    else if (here === "domain/devices/disk") disk = null; // <disk/>: nothing to find
  }
  return disks;
}
