import { XGenError, locAt, type Loc } from "./errors.js";

/**
 * What virsh prints for events, read from virsh's own sources so that
 * `libvirt-remote events` can print the same words: the string tables of
 * its VIR_ENUM_IMPL blocks (index = enum value) and the event names of its
 * `virsh*EventCallbacks[]` tables (index = event ID).
 */
export interface VirshTables {
  enums: Record<string, string[]>;
  /** e.g. `Domain` -> ["lifecycle", "reboot", ...], `Network` -> [...]. */
  eventNames: Record<string, string[]>;
}

export function parseVirshSources(files: readonly { path: string; text: string }[]): VirshTables {
  const out: VirshTables = { enums: {}, eventNames: {} };
  for (const f of files) {
    // Comments become blanks of the same length, so offsets stay those of the file.
    const text = f.text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " "));
    for (const m of text.matchAll(/VIR_ENUM_IMPL\(\s*(\w+)\s*,\s*\w+\s*,([^;]*?)\)\s*;/g)) {
      const at = m.index + m[0].lastIndexOf(m[2]!);
      out.enums[m[1]!] = strings(m[2]!, (i) => locAt(text, at + i, f.path));
    }
    for (const m of text.matchAll(/virsh(\w+?)EventCallback\s+virsh\w+EventCallbacks\[\]\s*=\s*\{([\s\S]*?)\n\};/g)) {
      out.eventNames[m[1]!] = [...m[2]!.matchAll(/\{\s*"([^"]+)"\s*,/g)].map((n) => n[1]!);
    }
  }
  return out;
}

/** The C string literals of an argument list, N_("...") or plain. */
function strings(list: string, locOf: (index: number) => Loc): string[] {
  const out: string[] = [];
  for (const m of list.matchAll(/N_\(\s*"((?:[^"\\]|\\.)*)"\s*\)|"((?:[^"\\]|\\.)*)"/g)) {
    const raw = m[1] ?? m[2]!;
    if (/\\(?!["\\])/.test(raw)) throw new XGenError(locOf(m.index), `unsupported escape in "${raw}"`);
    out.push(raw.replace(/\\(["\\])/g, "$1"));
  }
  return out;
}
