// virt-admin's output, byte for byte: its table printer, typed parameter
// values and client timestamps (tools/vsh-table.c, tools/vsh.c, tools/virt-admin.c).

import { VirClientTransport } from "../../gen/libvirt_admin.js";

/**
 * A vshTable: each cell after one space, every column but the last padded
 * to its widest cell plus two, and under the header a dashed line of each
 * column's width plus three. Without the header (quiet), widths ignore it.
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], withHeader = true): string {
  const shown = rows.map((r) => r.map(safeCell));
  const head = header.map(safeCell);
  const widths = header.map((_, i) => Math.max(...(withHeader ? [head] : []).concat(shown).map((r) => displayWidth(r[i] ?? "")), 0));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => ` ${c}${i < cells.length - 1 ? " ".repeat(widths[i]! - displayWidth(c) + 2) : ""}`).join("") + "\n";
  let out = "";
  if (withHeader) out += line(head) + widths.map((w) => "-".repeat(w + 3)).join("") + "\n";
  for (const r of shown) out += line(r);
  return out;
}

/** vshTableSafeEncode: control characters (and a literal `\x`'s backslash) as `\xNN`, so widths stay countable. */
function safeCell(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const code = c.charCodeAt(0);
    if ((c === "\\" && s[i + 1] === "x") || code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += c;
  }
  return out;
}

/** Columns a string takes in a terminal: wide East Asian characters count two, combining marks none. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    if (/\p{Mn}|\p{Me}|\u200b/u.test(ch)) continue;
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]/u.test(ch) ? 2 : 1;
  }
  return w;
}

/** virt-admin's printf("%-Ns: %s\n"): the name padded to `width`, never cut. */
export function field(name: string, value: string, width: number): string {
  return `${name.padEnd(width)}: ${value}\n`;
}

const TRANSPORTS: Record<number, string> = {
  [VirClientTransport.VIR_CLIENT_TRANS_UNIX]: "unix",
  [VirClientTransport.VIR_CLIENT_TRANS_TCP]: "tcp",
  [VirClientTransport.VIR_CLIENT_TRANS_TLS]: "tls",
};

export function transportName(transport: number): string {
  return TRANSPORTS[transport] ?? "unknown";
}

/** g_date_time_format(local time, "%Y-%m-%d %H:%M:%S%z"): the machine's zone, as TZ sets it. */
export function localTimestamp(seconds: bigint): string {
  const d = new Date(Number(seconds) * 1000);
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  const offset = -d.getTimezoneOffset();
  const zone = `${offset < 0 ? "-" : "+"}${p(Math.floor(Math.abs(offset) / 60))}${p(Math.abs(offset) % 60)}`;
  return `${p(d.getFullYear(), 4)}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${zone}`;
}
