// virsh-domain-monitor.c: list, dominfo, domstate, domstats.

import { formatTable } from "../format/admin.js";
import type { Client } from "../../client/client.js";
import type { RemoteNonnullDomain } from "../../gen/remote_protocol.js";
import { LibvirtError } from "../../rpc/errors.js";
import type { OptDef } from "../command.js";
import { exclusive, type VirshCommand } from "../vsh.js";
import { caseCompare, cString, fixed, idText, lookupDomain, typedParamValue } from "./util.js";
import { uuidToString } from "../../uuid.js";
import {
  VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE,
  VIR_CONNECT_GET_ALL_DOMAINS_STATS_BACKING,
  VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS,
  VIR_CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE,
  VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT,
  VIR_CONNECT_GET_ALL_DOMAINS_STATS_OTHER,
  VIR_CONNECT_GET_ALL_DOMAINS_STATS_PAUSED,
  VIR_CONNECT_GET_ALL_DOMAINS_STATS_PERSISTENT,
  VIR_CONNECT_GET_ALL_DOMAINS_STATS_RUNNING,
  VIR_CONNECT_GET_ALL_DOMAINS_STATS_SHUTOFF,
  VIR_CONNECT_GET_ALL_DOMAINS_STATS_TRANSIENT,
  VIR_CONNECT_LIST_DOMAINS_ACTIVE,
  VIR_CONNECT_LIST_DOMAINS_AUTOSTART,
  VIR_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT,
  VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT,
  VIR_CONNECT_LIST_DOMAINS_INACTIVE,
  VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE,
  VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART,
  VIR_CONNECT_LIST_DOMAINS_NO_CHECKPOINT,
  VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE,
  VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT,
  VIR_CONNECT_LIST_DOMAINS_OTHER,
  VIR_CONNECT_LIST_DOMAINS_PAUSED,
  VIR_CONNECT_LIST_DOMAINS_PERSISTENT,
  VIR_CONNECT_LIST_DOMAINS_RUNNING,
  VIR_CONNECT_LIST_DOMAINS_SHUTOFF,
  VIR_CONNECT_LIST_DOMAINS_TRANSIENT,
  VIR_DOMAIN_SHUTOFF,
  VIR_DOMAIN_STATS_BALLOON,
  VIR_DOMAIN_STATS_BLOCK,
  VIR_DOMAIN_STATS_CPU_TOTAL,
  VIR_DOMAIN_STATS_DIRTYRATE,
  VIR_DOMAIN_STATS_INTERFACE,
  VIR_DOMAIN_STATS_IOTHREAD,
  VIR_DOMAIN_STATS_MEMORY,
  VIR_DOMAIN_STATS_PERF,
  VIR_DOMAIN_STATS_STATE,
  VIR_DOMAIN_STATS_VCPU,
  VIR_DOMAIN_STATS_VM,
} from "../../gen/friendly/constants.js";

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
  ["persistent", VIR_CONNECT_LIST_DOMAINS_PERSISTENT],
  ["transient", VIR_CONNECT_LIST_DOMAINS_TRANSIENT],
  ["with-managed-save", VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE],
  ["without-managed-save", VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE],
  ["autostart", VIR_CONNECT_LIST_DOMAINS_AUTOSTART],
  ["no-autostart", VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART],
  ["with-snapshot", VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT],
  ["without-snapshot", VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT],
  ["with-checkpoint", VIR_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT],
  ["without-checkpoint", VIR_CONNECT_LIST_DOMAINS_NO_CHECKPOINT],
  ["state-running", VIR_CONNECT_LIST_DOMAINS_RUNNING],
  ["state-paused", VIR_CONNECT_LIST_DOMAINS_PAUSED],
  ["state-shutoff", VIR_CONNECT_LIST_DOMAINS_SHUTOFF],
  ["state-other", VIR_CONNECT_LIST_DOMAINS_OTHER],
];

const bool = (name: string): OptDef => ({ name, type: "bool" });

const list: VirshCommand = {
  names: ["list"],
  options: [
    ...["inactive", "all", "transient", "persistent", "with-snapshot", "without-snapshot", "with-checkpoint", "without-checkpoint"].map(bool),
    ...["state-running", "state-paused", "state-shutoff", "state-other", "autostart", "no-autostart", "with-managed-save", "without-managed-save"].map(bool),
    ...["uuid", "name", "id", "table", "managed-save"].map(bool),
  ],
  async run(ctx, opts) {
    let flags: number = VIR_CONNECT_LIST_DOMAINS_ACTIVE;
    if (opts.bool("inactive") || opts.bool("state-shutoff")) flags = VIR_CONNECT_LIST_DOMAINS_INACTIVE;
    if (opts.bool("all")) flags = VIR_CONNECT_LIST_DOMAINS_ACTIVE | VIR_CONNECT_LIST_DOMAINS_INACTIVE;
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
        if (opts.bool("managed-save") && state === VIR_DOMAIN_SHUTOFF && (await c.domainHasManagedSaveImage({ dom, flags: 0 })).result > 0) text = "saved";
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
  names: ["dominfo"],
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
  names: ["domstate"],
  options: [DOMAIN, bool("reason")],
  async run(ctx, opts) {
    const c = await ctx.client();
    const dom = await lookupDomain(c, opts.string("domain")!);
    const { state, reason } = await domainState(c, dom);
    ctx.print(opts.bool("reason") ? `${stateText(state)} (${reasonText(state, reason)})\n` : `${stateText(state)}\n`);
  },
};

const STATS: readonly [string, number][] = [
  ["state", VIR_DOMAIN_STATS_STATE],
  ["cpu-total", VIR_DOMAIN_STATS_CPU_TOTAL],
  ["balloon", VIR_DOMAIN_STATS_BALLOON],
  ["vcpu", VIR_DOMAIN_STATS_VCPU],
  ["interface", VIR_DOMAIN_STATS_INTERFACE],
  ["block", VIR_DOMAIN_STATS_BLOCK],
  ["perf", VIR_DOMAIN_STATS_PERF],
  ["iothread", VIR_DOMAIN_STATS_IOTHREAD],
  ["memory", VIR_DOMAIN_STATS_MEMORY],
  ["dirtyrate", VIR_DOMAIN_STATS_DIRTYRATE],
  ["vm", VIR_DOMAIN_STATS_VM],
];

const STATS_FLAGS: readonly [string, number][] = [
  ["list-active", VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE],
  ["list-inactive", VIR_CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE],
  ["list-persistent", VIR_CONNECT_GET_ALL_DOMAINS_STATS_PERSISTENT],
  ["list-transient", VIR_CONNECT_GET_ALL_DOMAINS_STATS_TRANSIENT],
  ["list-running", VIR_CONNECT_GET_ALL_DOMAINS_STATS_RUNNING],
  ["list-paused", VIR_CONNECT_GET_ALL_DOMAINS_STATS_PAUSED],
  ["list-shutoff", VIR_CONNECT_GET_ALL_DOMAINS_STATS_SHUTOFF],
  ["list-other", VIR_CONNECT_GET_ALL_DOMAINS_STATS_OTHER],
  ["enforce", VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS],
  ["backing", VIR_CONNECT_GET_ALL_DOMAINS_STATS_BACKING],
  ["nowait", VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT],
];

const domstats: VirshCommand = {
  names: ["domstats"],
  options: [...STATS.map(([n]) => bool(n)), ...STATS_FLAGS.slice(0, 8).map(([n]) => bool(n)), bool("raw"), bool("enforce"), bool("backing"), bool("nowait"), { name: "domain", type: "argv" }],
  async run(ctx, opts) {
    let stats = 0;
    let flags = 0;
    for (const [n, f] of STATS) if (opts.bool(n)) stats |= f;
    for (const [n, f] of STATS_FLAGS) if (opts.bool(n)) flags = (flags | f) >>> 0;
    const c = await ctx.client();
    const doms: RemoteNonnullDomain[] = [];
    for (const word of opts.argv("domain")) doms.push(await lookupDomain(c, word, { id: true, uuid: true, name: true, item: true }));
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
