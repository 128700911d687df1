// The volume XML virsh writes itself: vol-create-as's from its options,
// and vol-clone's, the original with a new name as libxml2 prints a
// parsed document back (attributes in double quotes, no final newline).

/** vol-create-as's document (cmdVolCreateAs's buffer). */
export function volCreateAsXml(v: { name: string; capacity: bigint; allocation?: bigint; format?: string; backing?: { path: string; format?: string } }): string {
  const lines = ["<volume>", `  <name>${v.name}</name>`, `  <capacity>${v.capacity}</capacity>`];
  if (v.allocation !== undefined) lines.push(`  <allocation>${v.allocation}</allocation>`);
  if (v.format !== undefined) lines.push("  <target>", `    <format type='${v.format}'/>`, "  </target>");
  if (v.backing !== undefined) {
    lines.push("  <backingStore>", `    <path>${v.backing.path}</path>`);
    if (v.backing.format !== undefined) lines.push(`    <format type='${v.backing.format}'/>`);
    lines.push("  </backingStore>");
  }
  lines.push("</volume>");
  return `${lines.join("\n")}\n`;
}

const ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", apos: "'", quot: '"' };

function decode(text: string): string {
  return text.replace(/&(lt|gt|amp|apos|quot|#\d+|#x[0-9a-fA-F]+);/g, (all, name: string) => {
    if (name.startsWith("#x")) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith("#")) return String.fromCodePoint(parseInt(name.slice(1), 10));
    return ENTITIES[name] ?? all;
  });
}

/** libxml2's escaping of text content. */
const textOut = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#13;");
/** libxml2's escaping of an attribute value in double quotes. */
const attrOut = (s: string): string => textOut(s).replace(/"/g, "&quot;").replace(/\n/g, "&#10;").replace(/\t/g, "&#9;");

/**
 * virshMakeCloneXML: the daemon's volume document with /volume/name's
 * content replaced, re-serialized the way libxml2 does; null where there
 * is no /volume/name.
 */
export function cloneXml(original: string, newName: string): string | null {
  const body = original.replace(/^<\?xml[^>]*\?>\s*/, "").replace(/\s+$/, "");
  let depth = 0;
  let named = false;
  let out = "";
  // Tags and the text between them; libvirt's documents hold no comments or CDATA.
  const tokens = body.match(/<[^>]*>|[^<]+/g) ?? [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!t.startsWith("<")) {
      out += textOut(decode(t));
      continue;
    }
    if (t.startsWith("</")) {
      depth--;
      out += t;
      continue;
    }
    const selfClosing = t.endsWith("/>");
    const tag = t.replace(/(\s[\w:.-]+)\s*=\s*(?:'([^']*)'|"([^"]*)")/g, (_all, attr: string, single?: string, double?: string) => `${attr}="${attrOut(decode(single ?? double ?? ""))}"`);
    out += tag;
    if (selfClosing) continue;
    depth++;
    if (!named && depth === 2 && /^<name[\s>]/.test(t)) {
      named = true;
      out += textOut(newName);
      // Skip the old content up to its end tag.
      while (i + 1 < tokens.length && !tokens[i + 1]!.startsWith("</")) i++;
    }
  }
  return named ? out : null;
}
