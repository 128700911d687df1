// virsh-domain.c: a guest's CPUs and threads beyond vcpucount and the pin
// commands: cpu-stats, setvcpu, iothreadset, domdirtyrate-calc.

import { VirTypedParameterType } from "../../gen/libvirt_common.js";
import type { RemoteNonnullDomain, RemoteTypedParam } from "../../gen/remote_protocol.js";
import {
  VIR_DOMAIN_AFFECT_CONFIG,
  VIR_DOMAIN_AFFECT_CURRENT,
  VIR_DOMAIN_AFFECT_LIVE,
  VIR_DOMAIN_DIRTYRATE_MODE_DIRTY_BITMAP,
  VIR_DOMAIN_DIRTYRATE_MODE_DIRTY_RING,
  VIR_DOMAIN_DIRTYRATE_MODE_PAGE_SAMPLING,
  VIR_TYPED_PARAM_STRING_OKAY,
} from "../../gen/friendly/constants.js";
import type { Client } from "../../client/client.js";
import { CommandFailed, uintOpt, ullOpt, type VirshCommand, type VshContext } from "../vsh.js";
import { CONFIG_LIVE_CURRENT, DOMAIN, affectFlags, bool, exclusiveVars, intOpt } from "./dom-opts.js";
import { lookupDomain, stringReq, typedParamValue } from "./util.js";

/** The CPU time fields virsh prints as seconds. */
const TIMES = new Set(["cpu_time", "vcpu_time", "user_time", "system_time"]);

/** vshCPUStatsPrintField: a tab, the field in 12 columns, the value (times as %9lld.%09lld seconds). */
function statLine(p: RemoteTypedParam): string {
  const v = p.value;
  const value = TIMES.has(p.field) && v.type === VirTypedParameterType.VIR_TYPED_PARAM_ULLONG ? `${String(v.ul / 1000000000n).padStart(9)}.${String(v.ul % 1000000000n).padStart(9, "0")} seconds` : typedParamValue(v);
  return `\t${p.field.padEnd(12)} ${value}\n`;
}

/** virDomainGetCPUStats through the remote driver: the count it returns, and each CPU's parameters (as many CPUs as came back). */
async function cpuStats(c: Client, dom: RemoteNonnullDomain, nparams: number, start_cpu: number, ncpus: number): Promise<{ n: number; cpus: RemoteTypedParam[][] }> {
  const r = await c.domainGetCpuStats({ dom, nparams, start_cpu, ncpus, flags: VIR_TYPED_PARAM_STRING_OKAY });
  const cpus: RemoteTypedParam[][] = [];
  if (nparams > 0 && r.nparams > 0) for (let i = 0; i + r.nparams <= r.params.length; i += r.nparams) cpus.push(r.params.slice(i, i + r.nparams));
  return { n: r.nparams, cpus };
}

/** cmdCPUStats past its options: false where virsh ends with no error line (no stats to show). */
async function showCpuStats(ctx: VshContext, c: Client, dom: RemoteNonnullDomain, total: boolean, perCpu: boolean, start: number, count: number): Promise<boolean> {
  let cpu = start;
  let left = count;
  if (perCpu) {
    const maxId = (await cpuStats(c, dom, 0, 0, 0)).n;
    if (cpu >= maxId) throw new CommandFailed([`Start CPU ${cpu} is out of range (min: 0, max: ${maxId - 1})`]);
    if (left < 0 || left > maxId) {
      if (left > maxId) ctx.print(`Only ${maxId} CPUs available to show\n`);
      left = maxId - cpu;
    }
    const nparams = (await cpuStats(c, dom, 0, 0, 1)).n;
    if (nparams === 0) {
      ctx.print("No per-CPU stats available");
      if (!total) return false;
    } else {
      while (left > 0) {
        const ncpus = Math.min(left, 128);
        const { cpus } = await cpuStats(c, dom, nparams, cpu, ncpus);
        for (const [i, params] of cpus.entries()) {
          if (i >= ncpus || params[0]?.value.type === undefined) continue;
          ctx.print(`CPU${cpu + i}:\n${params.map(statLine).join("")}`);
        }
        cpu += ncpus;
        left -= ncpus;
      }
      if (!total) return true;
    }
  }
  const nparams = (await cpuStats(c, dom, 0, -1, 1)).n;
  if (nparams === 0) {
    ctx.print("No total stats available");
    return false;
  }
  const { n, cpus } = await cpuStats(c, dom, nparams, -1, 1);
  ctx.print(`Total:\n${(cpus[0] ?? []).slice(0, n).map(statLine).join("")}`);
  return true;
}

/** domdirtyrate-calc's --mode words. */
const DIRTYRATE_MODES: Record<string, number> = {
  "page-sampling": VIR_DOMAIN_DIRTYRATE_MODE_PAGE_SAMPLING,
  "dirty-bitmap": VIR_DOMAIN_DIRTYRATE_MODE_DIRTY_BITMAP,
  "dirty-ring": VIR_DOMAIN_DIRTYRATE_MODE_DIRTY_RING,
};

export const commands: VirshCommand[] = [
  {
    names: ["cpu-stats"],
    options: [DOMAIN, bool("total"), { name: "start", type: "int" }, { name: "count", type: "int" }],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      let total = opts.bool("total");
      let perCpu = false;
      const start = intOpt(opts, "start");
      if (start !== undefined) {
        if (start < 0) throw new CommandFailed(["Invalid value for start CPU"]);
        perCpu = true;
      }
      const count = intOpt(opts, "count");
      if (count !== undefined) {
        if (count < 0) throw new CommandFailed(["Invalid value for number of CPUs to show"]);
        perCpu = true;
      }
      if (!total && !perCpu) total = perCpu = true;
      try {
        return await showCpuStats(ctx, c, dom, total, perCpu, start ?? 0, count ?? -1);
      } catch (e) {
        if (e instanceof CommandFailed) throw e;
        throw new CommandFailed([`Failed to retrieve CPU statistics for domain '${dom.name}'`], { cause: e });
      }
    },
  },
  {
    names: ["setvcpu"],
    options: [DOMAIN, { name: "vcpulist", type: "data", required: true }, bool("enable"), bool("disable"), ...CONFIG_LIVE_CURRENT],
    async run(ctx, opts) {
      const enable = opts.bool("enable");
      exclusiveVars("enable", enable, "disable", opts.bool("disable"));
      exclusiveVars("current", opts.bool("current"), "live", opts.bool("live"));
      exclusiveVars("current", opts.bool("current"), "config", opts.bool("config"));
      const flags = VIR_DOMAIN_AFFECT_CURRENT | (opts.bool("config") ? VIR_DOMAIN_AFFECT_CONFIG : 0) | (opts.bool("live") ? VIR_DOMAIN_AFFECT_LIVE : 0);
      if (!enable && !opts.bool("disable")) throw new CommandFailed(["one of --enable, --disable is required"]);
      const cpumap = stringReq(opts, "vcpulist")!;
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      await c.domainSetVcpu({ dom, cpumap, state: enable ? 1 : 0, flags });
    },
  },
  {
    names: ["iothreadset"],
    options: [
      DOMAIN,
      { name: "id", type: "int", required: true },
      { name: "poll-max-ns", type: "int" },
      { name: "poll-grow", type: "int" },
      { name: "poll-shrink", type: "int" },
      { name: "thread-pool-min", type: "int" },
      { name: "thread-pool-max", type: "int" },
      ...CONFIG_LIVE_CURRENT,
    ],
    async run(ctx, opts) {
      const flags = affectFlags(opts);
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const iothread_id = intOpt(opts, "id")!;
      if (iothread_id <= 0) throw new CommandFailed([`Invalid IOThread id value: '${iothread_id}'`]);
      const params: RemoteTypedParam[] = [];
      const maxNs = ullOpt(opts, "poll-max-ns");
      if (maxNs !== undefined) params.push({ field: "poll_max_ns", value: { type: VirTypedParameterType.VIR_TYPED_PARAM_ULLONG, ul: maxNs } });
      for (const [opt, field] of [
        ["poll-grow", "poll_grow"],
        ["poll-shrink", "poll_shrink"],
      ] as const) {
        const v = uintOpt(opts, opt);
        if (v !== undefined) params.push({ field, value: { type: VirTypedParameterType.VIR_TYPED_PARAM_UINT, ui: v } });
      }
      for (const [opt, field] of [
        ["thread-pool-min", "thread_pool_min"],
        ["thread-pool-max", "thread_pool_max"],
      ] as const) {
        const v = intOpt(opts, opt);
        if (v !== undefined) params.push({ field, value: { type: VirTypedParameterType.VIR_TYPED_PARAM_INT, i: v } });
      }
      if (params.length === 0) throw new CommandFailed(["Not enough arguments passed, nothing to set"]);
      await c.domainSetIothreadParams({ dom, iothread_id, params, flags });
    },
  },
  {
    names: ["domdirtyrate-calc"],
    options: [DOMAIN, { name: "seconds", type: "int" }, { name: "mode", type: "string" }],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const seconds = intOpt(opts, "seconds") ?? 1;
      const mode = stringReq(opts, "mode");
      let flags = 0;
      if (mode !== undefined) {
        const m = DIRTYRATE_MODES[mode];
        if (m === undefined) throw new CommandFailed([`Unknown calculation mode '${mode}'`]);
        flags = m;
      }
      await c.domainStartDirtyRateCalc({ dom, seconds, flags });
      ctx.printExtra("Start to calculate domain's memory dirty rate successfully.\n");
    },
  },
];
