// virsh-domain-monitor.c: list, dominfo, domstate, domstats.

import { formatTable } from "../format/admin.js";
import type { Client } from "../../client/client.js";
import type { RemoteNonnullDomain } from "../../gen/remote_protocol.js";
import { LibvirtError } from "../../rpc/errors.js";
import { exclusive, type OptDef, type VirshCommand } from "../vsh.js";
import { caseCompare, cString, fixed, idText, lookupDomain, typedParamValue } from "./util.js";
import { uuidToString } from "../../uuid.js";

const DOMAIN: OptDef = { name: "domain", type: "data", required: true };

const STATES = ["no state", "running", "idle", "paused", "in shutdown", "shut off", "crashed", "pmsuspended"];

/** virshDomainStateToString. */
export function stateText(state: number): string {
  return STATES[state] ?? "no state";
}

// virshDomain*Reason, per state.
const REASONS: readonly (readonly string[])[] = [
  ["unknown"],
  ["unknown", "booted", "migrated", "restored", "from snapshot", "unpaused", "migration canceled", "save canceled", "event wakeup", "crashed", "post-copy", "post-copy failed"],
  ["unknown"],
  ["unknown", "user", "migrating", "saving", "dumping", "I/O error", "watchdog", "from snapshot", "shutting down", "creating snapshot", "crashed", "starting up", "post-copy", "post-copy failed"],
  ["unknown", "user"],
  ["unknown", "shutdown", "destroyed", "crashed", "migrated", "saved", "failed", "from snapshot", "daemon"],
  ["unknown", "panicked"],
  ["unknown"],
];

function reasonText(state: number, reason: number): string {
  return REASONS[state]?.[reason] ?? "unknown";
}

/** virshDomainState: GetState, or GetInfo where the daemon lacks it. */
async function domainState(c: Client, dom: RemoteNonnullDomain): Promise<{ state: number; reason: number }> {
  try {
    return await c.domainGetState({ dom, flags: 0 });
  } catch (e) {
    if (!(e instanceof LibvirtError && e.code === "VIR_ERR_NO_SUPPORT")) throw e;
    return { state: (await c.domainGetInfo({ dom })).state, reason: -1 };
  }
}

/** virshDomainSorter: running domains by ID, then the others by name, case folded. */
function sortDomains(list: RemoteNonnullDomain[]): RemoteNonnullDomain[] {
  return list.sort((a, b) => {
    if (a.id === -1 && b.id === -1) return caseCompare(a.name, b.name);
    if (a.id !== -1 && b.id !== -1) return a.id - b.id;
    return a.id !== -1 ? -1 : 1;
  });
}

const LIST_FILTERS: readonly [string, number][] = [
  ["persistent", 4],
  ["transient", 8],
  ["with-managed-save", 256],
  ["without-managed-save", 512],
  ["autostart", 1024],
  ["no-autostart", 2048],
  ["with-snapshot", 4096],
  ["without-snapshot", 8192],
  ["with-checkpoint", 16384],
  ["without-checkpoint", 32768],
  ["state-running", 16],
  ["state-paused", 32],
  ["state-shutoff", 64],
  ["state-other", 128],
];

const bool = (name: string): OptDef => ({ name, type: "bool" });

const list: VirshCommand = {
  name: "list",
  options: [
    ...["inactive", "all", "transient", "persistent", "with-snapshot", "without-snapshot", "with-checkpoint", "without-checkpoint"].map(bool),
    ...["state-running", "state-paused", "state-shutoff", "state-other", "autostart", "no-autostart", "with-managed-save", "without-managed-save"].map(bool),
    ...["uuid", "name", "id", "table", "managed-save"].map(bool),
  ],
  async run(ctx, opts) {
    let flags = 1; // ACTIVE
    if (opts.bool("inactive") || opts.bool("state-shutoff")) flags = 2;
    if (opts.bool("all")) flags = 3;
    for (const [name, flag] of LIST_FILTERS) if (opts.bool(name)) flags |= flag;
    exclusive(opts, "table", "name");
    exclusive(opts, "table", "uuid");
    exclusive(opts, "table", "id");
    const [optUuid, optName, optId] = [opts.bool("uuid"), opts.bool("name"), opts.bool("id")];
    const table = opts.bool("table") || (!optUuid && !optName && !optId);
    const c = await ctx.client();
    const { domains } = await c.connectListAllDomains({ need_results: 1, flags });
    const rows: string[][] = [];
    for (const dom of sortDomains(domains)) {
      const id = idText(dom);
      if (table) {
        let state: number;
        try {
          state = (await domainState(c, dom)).state;
        } catch {
          continue; // gone in the meantime, as virsh skips it
        }
        let text = stateText(state);
        if (opts.bool("managed-save") && state === 5 && (await c.domainHasManagedSaveImage({ dom, flags: 0 })).result > 0) text = "saved";
        rows.push([id, dom.name, text]);
        continue;
      }
      const parts: string[] = [];
      if (optUuid) parts.push(uuidToString(dom.uuid));
      if (optId) {
        // IDs alone: live domains only.
        if (dom.id === -1 && !optUuid && !optName) continue;
        parts.push(id);
      }
      if (optName) parts.push(dom.name);
      ctx.print(`${parts.join(" ")}\n`);
    }
    if (table) ctx.print(formatTable(["Id", "Name", "State"], rows, !ctx.globals.quiet));
  },
};

const dominfo: VirshCommand = {
  name: "dominfo",
  options: [DOMAIN],
  async run(ctx, opts) {
    const c = await ctx.client();
    const dom = await lookupDomain(c, opts.string("domain")!);
    const row = (label: string, value: string): void => ctx.print(`${label.padEnd(15)} ${value}\n`);
    let ok = true;
    row("Id:", idText(dom));
    row("Name:", dom.name);
    row("UUID:", uuidToString(dom.uuid));
    const os = await c.domainGetOsType({ dom }).catch(() => null);
    if (os !== null) row("OS Type:", os.type);
    const info = await c.domainGetInfo({ dom }).catch(() => null);
    if (info !== null) {
      row("State:", stateText(info.state));
      row("CPU(s):", String(info.nrVirtCpu));
      if (info.cpuTime !== 0n) row("CPU time:", `${fixed(Number(info.cpuTime) / 1e9, 1)}s`);
      // The remote protocol carries unsigned long as hyper; UINT_MAX means no limit.
      if (info.maxMem !== 0xffffffffn) row("Max memory:", `${info.maxMem} KiB`);
      else row("Max memory:", "no limit");
      row("Used memory:", `${info.memory} KiB`);
    } else {
      ok = false;
    }
    const persistent = await c.domainIsPersistent({ dom }).then((r) => r.persistent, () => -1);
    row("Persistent:", persistent < 0 ? "unknown" : persistent ? "yes" : "no");
    const autostart = await c.domainGetAutostart({ dom }).catch(() => null);
    if (autostart !== null) row("Autostart:", autostart.autostart ? "enable" : "disable");
    const saved = await c.domainHasManagedSaveImage({ dom, flags: 0 }).then((r) => r.result, () => -1);
    row("Managed save:", saved < 0 ? "unknown" : saved ? "yes" : "no");
    let model: { model: number[]; doi: number[] } | null = null;
    try {
      model = await c.nodeGetSecurityModel();
    } catch (e) {
      if (!(e instanceof LibvirtError && e.code === "VIR_ERR_NO_SUPPORT")) throw e;
    }
    if (model !== null && cString(model.model) !== "") {
      row("Security model:", cString(model.model));
      row("Security DOI:", cString(model.doi));
      const label = await c.domainGetSecurityLabel({ dom });
      if (cString(label.label) !== "") row("Security label:", `${cString(label.label)} (${label.enforcing ? "enforcing" : "permissive"})`);
    }
    const messages = await c.domainGetMessages({ dom, flags: 0 }).then((r) => r.msgs, () => []);
    messages.forEach((m, i) => row(i === 0 ? "Messages:" : "", m));
    return ok;
  },
};

const domstate: VirshCommand = {
  name: "domstate",
  options: [DOMAIN, bool("reason")],
  async run(ctx, opts) {
    const c = await ctx.client();
    const dom = await lookupDomain(c, opts.string("domain")!);
    const { state, reason } = await domainState(c, dom);
    ctx.print(opts.bool("reason") ? `${stateText(state)} (${reasonText(state, reason)})\n` : `${stateText(state)}\n`);
  },
};

const STATS: readonly [string, number][] = [
  ["state", 1],
  ["cpu-total", 2],
  ["balloon", 4],
  ["vcpu", 8],
  ["interface", 16],
  ["block", 32],
  ["perf", 64],
  ["iothread", 128],
  ["memory", 256],
  ["dirtyrate", 512],
  ["vm", 1024],
];

const STATS_FLAGS: readonly [string, number][] = [
  ["list-active", 1],
  ["list-inactive", 2],
  ["list-persistent", 4],
  ["list-transient", 8],
  ["list-running", 16],
  ["list-paused", 32],
  ["list-shutoff", 64],
  ["list-other", 128],
  ["enforce", 2 ** 31],
  ["backing", 2 ** 30],
  ["nowait", 2 ** 29],
];

const domstats: VirshCommand = {
  name: "domstats",
  options: [...STATS.map(([n]) => bool(n)), ...STATS_FLAGS.slice(0, 8).map(([n]) => bool(n)), bool("raw"), bool("enforce"), bool("backing"), bool("nowait"), { name: "domain", type: "argv" }],
  async run(ctx, opts) {
    let stats = 0;
    let flags = 0;
    for (const [n, f] of STATS) if (opts.bool(n)) stats |= f;
    for (const [n, f] of STATS_FLAGS) if (opts.bool(n)) flags = (flags | f) >>> 0;
    const c = await ctx.client();
    const doms: RemoteNonnullDomain[] = [];
    for (const word of opts.argv("domain")) doms.push(await lookupDomain(c, word));
    // virDomainListGetStats and virConnectGetAllDomainStats are one procedure, with or without domains.
    const { retStats } = await c.connectGetAllDomainStats({ doms, stats, flags });
    ctx.print(
      retStats
        .map((r) => `Domain: '${r.dom.name}'\n${r.params.map((p) => `  ${p.field}=${typedParamValue(p.value)}\n`).join("")}`)
        .join("\n"),
    );
  },
};

export const commands: VirshCommand[] = [list, dominfo, domstate, domstats];
