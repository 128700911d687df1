/**
 * docs/names.md: where a libvirt-python method or a C function is in this
 * library, for everyone who knows libvirt by those names. Rows come from the
 * same tables as the doc comments (names.ts) and the friendly plan, so the
 * page and the reference cannot disagree.
 */
import { apiName } from "./emit-api.js";
import { FriendlyPlan } from "./friendly-model.js";
import type { Model, Procedure } from "./model.js";
import { referenceUrl, type CFunction, type KnownNames, type NameIndex } from "./names.js";
import type { ParamFamily } from "./param-tables.js";

/** One procedure (or a C function libvirt answers on the client side) with every name it goes by. */
export interface NameRow {
  program: string;
  /** Empty for a client-side function. */
  procedure: string;
  c: CFunction | null;
  python: readonly string[];
  /** `Domain.blockInfo`, `Connection.domain` (a lookup that calls it). */
  friendly: readonly string[];
  /** `Client.domainGetBlockInfo`, `QemuApi.domainMonitorCommand`; empty for a client-side function. */
  exact: string;
}

/** What the exact-layer cell says of a function libvirt answers without a procedure. */
export const CLIENT_SIDE = "(client side)";

/** Every callable procedure of every program, with its names; then the client-side functions the friendly handles answer. */
export function nameRows(model: Model, names: NameIndex, families: readonly ParamFamily[] = []): NameRow[] {
  const rows: NameRow[] = [];
  const friendly = friendlyNames(model, families);
  rows.push(...clientSide(model, names, families));
  for (const prog of model.modules.flatMap((m) => m.programs)) {
    if (prog.name === "keepalive") continue;
    for (const proc of prog.procedures) {
      if (proc.message !== null) continue;
      const known = names.of(prog, proc);
      rows.push({
        program: prog.name,
        procedure: proc.name,
        c: known.c,
        python: known.python,
        friendly: prog.name === "remote" ? (friendly.get(proc.name) ?? []) : [],
        exact: `${prog.name === "remote" ? "Client" : apiName(prog)}.${proc.method}`,
      });
    }
  }
  return rows;
}

/** The handles' getters (`dom.uuid`: virDomainGetUUIDString) and lookups by UUID string, which libvirt answers without a call. */
function clientSide(model: Model, names: NameIndex, families: readonly ParamFamily[]): NameRow[] {
  const program = model.modules.flatMap((m) => m.programs).find((p) => p.name === "remote");
  if (program === undefined) return [];
  const plan = new FriendlyPlan(model, program, families);
  const rows: NameRow[] = [];
  const row = (known: KnownNames, friendly: string): void => {
    if (known.c !== null) rows.push({ program: "remote", procedure: "", c: known.c, python: known.python, friendly: [friendly], exact: "" });
  };
  for (const owner of plan.owners) {
    const cls = owner.kind === null ? "Connection" : owner.kind.cls;
    for (const f of owner.kind?.struct.fields ?? []) {
      const getter = plan.getterName(f);
      for (const known of names.getters(cls, f.name, getter)) row(known, `${cls}.${getter}`);
    }
    for (const l of owner.lookups) {
      for (const v of l.variants) {
        const known = names.byString(names.of(program, v.method.proc));
        if (known !== null) row(known, `${cls}.${l.name}`);
      }
    }
  }
  return rows;
}

/** The friendly methods written by hand (src/api/domain-cpus.ts), which the plan leaves out. */
const HAND_WRITTEN: Readonly<Record<string, string>> = {
  REMOTE_PROC_DOMAIN_GET_VCPUS: "Domain.vcpus",
  REMOTE_PROC_DOMAIN_GET_VCPU_PIN_INFO: "Domain.vcpuPinInfo",
  REMOTE_PROC_DOMAIN_GET_EMULATOR_PIN_INFO: "Domain.emulatorPinInfo",
  REMOTE_PROC_DOMAIN_GET_IOTHREAD_INFO: "Domain.iothreadInfo",
  REMOTE_PROC_DOMAIN_PIN_VCPU_FLAGS: "Domain.pinVcpu",
  REMOTE_PROC_DOMAIN_PIN_EMULATOR: "Domain.pinEmulator",
  REMOTE_PROC_DOMAIN_PIN_IOTHREAD: "Domain.pinIothread",
};

/** Procedure name -> the friendly methods that call it (the connection's class is `Connection`). */
function friendlyNames(model: Model, families: readonly ParamFamily[]): Map<string, string[]> {
  const out = new Map<string, string[]>(Object.entries(HAND_WRITTEN).map(([proc, name]) => [proc, [name]]));
  const program = model.modules.flatMap((m) => m.programs).find((p) => p.name === "remote");
  if (program === undefined) return out;
  // Event registration is the events API's (conn.events), which registers once per family and fans out.
  for (const p of program.procedures) if (/^REMOTE_PROC_CONNECT_\w+_EVENT_(CALLBACK_)?REGISTER(_ANY)?$/.test(p.name)) out.set(p.name, ["Events.subscribe"]);
  const add = (proc: Procedure, name: string): void => {
    const list = out.get(proc.name) ?? [];
    if (!list.includes(name)) list.push(name);
    out.set(proc.name, list);
  };
  for (const owner of new FriendlyPlan(model, program, families).owners) {
    const cls = owner.kind === null ? "Connection" : owner.kind.cls;
    for (const l of owner.lookups) for (const v of l.variants) add(v.method.proc, `${cls}.${l.name}`);
    for (const m of owner.methods) add(m.proc, `${cls}.${m.name}`);
  }
  return out;
}

/** The page, in Markdown for TypeDoc's project documents. */
export function emitNamesPage(rows: readonly NameRow[], source: { libvirt: string; python: string }): string {
  const out: string[] = [
    "---",
    "title: Names from C and libvirt-python",
    "---",
    "",
    "# Names from C and libvirt-python",
    "",
    `<!-- Generated by npm run gen from libvirt ${source.libvirt} and ${source.python}. Do not edit. -->`,
    "",
    "Where each libvirt function is in this library. The friendly layer (`Connection`, `Domain`, ...) is what",
    "libvirt-python's classes are; the exact layer (`Client`, one method per remote procedure) is what its",
    "`libvirtmod` calls are. Functions libvirt answers on the client side (`virDomainGetUUIDString`) are the",
    "friendly handles' getters (`dom.uuid`), marked (client side); other functions with no remote procedure",
    "(`virDomainMigrate`, which libvirt runs as several) are not listed.",
    "",
    `The libvirt-python names are those of ${source.python}; the C names those of libvirt ${source.libvirt}'s headers.`,
    "",
    "## libvirt-python → this library",
    "",
    "| libvirt-python | C function | friendly | exact |",
    "| --- | --- | --- | --- |",
  ];
  const byPython = rows.flatMap((r) => r.python.map((p) => ({ p, r }))).sort((a, b) => compare(a.p, b.p) || compare(a.r.procedure, b.r.procedure));
  for (const { p, r } of byPython) out.push(`| \`${p}\` | ${cCell(r.c)} | ${friendlyCell(r)} | ${exactCell(r)} |`);
  out.push("", "## C → this library", "", "| C function | procedure | friendly | exact |", "| --- | --- | --- | --- |");
  const byC = rows.filter((r) => r.c !== null).sort((a, b) => compare(a.c!.name, b.c!.name) || compare(a.procedure, b.procedure));
  for (const r of byC) out.push(`| ${cCell(r.c)} | ${r.procedure === "" ? CLIENT_SIDE : r.procedure} | ${friendlyCell(r)} | ${exactCell(r)} |`);
  return `${out.join("\n")}\n`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function cCell(c: CFunction | null): string {
  if (c === null) return "";
  const url = referenceUrl(c);
  return url === null ? `\`${c.name}\` (internal)` : `[${c.name}](${url})`;
}

function friendlyCell(r: NameRow): string {
  return r.friendly.map((f) => `{@link libvirt-remote!${f}}`).join(", ");
}

function exactCell(r: NameRow): string {
  if (r.exact === "") return CLIENT_SIDE;
  return r.program === "remote" ? `{@link libvirt-remote!${r.exact}}` : `\`${r.exact}\``;
}
