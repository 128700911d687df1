// virsh-host.c's questions to the hypervisor and the node: sysinfo,
// maxvcpus, domcapabilities, cpu-models, nodecpumap, nodecpustats,
// nodememstats, nodesevinfo and nodesuspend.

import { setTimeout as sleep } from "node:timers/promises";
import type { OptDef } from "../command.js";
import { CommandFailed, type VirshCommand } from "../vsh.js";
import { parseDoc } from "./pool-xml-doc.js";
import { evaluateXPath } from "./pool-xpath-eval.js";
import { fixed, step, stringReq, typedParamValue } from "./util.js";
import { intOpt, llOpt } from "./node-options.js";
import {
  VIR_NODE_CPU_STATS_ALL_CPUS,
  VIR_NODE_MEMORY_STATS_ALL_CELLS,
  VIR_NODE_SUSPEND_TARGET_DISK,
  VIR_NODE_SUSPEND_TARGET_HYBRID,
  VIR_NODE_SUSPEND_TARGET_MEM,
} from "../../gen/friendly/constants.js";

const str = (name: string): OptDef => ({ name, type: "string" });
const int = (name: string, required = false): OptDef => ({ name, type: "int", required });

/** virNodeGetCPUStats' fields in virsh's order, with the labels it prints; the last is the driver's own usage. */
const CPU_FIELDS = [
  ["user", "user:"],
  ["kernel", "system:"],
  ["idle", "idle:"],
  ["iowait", "iowait:"],
  ["intr", "intr:"],
  ["utilization", "usage:"],
] as const;
const USAGE = 5;

const SUSPEND_TARGETS = new Map<string, number>([
  ["mem", VIR_NODE_SUSPEND_TARGET_MEM],
  ["disk", VIR_NODE_SUSPEND_TARGET_DISK],
  ["hybrid", VIR_NODE_SUSPEND_TARGET_HYBRID],
]);

/** virBitmapDataFormat: the set bits as ranges ("0-3,6"). */
function bitmapRanges(map: Uint8Array): string {
  const bits: number[] = [];
  map.forEach((byte, i) => {
    for (let b = 0; b < 8; b++) if ((byte >> b) & 1) bits.push(i * 8 + b);
  });
  const parts: string[] = [];
  for (let i = 0; i < bits.length; ) {
    let j = i;
    while (j + 1 < bits.length && bits[j + 1] === bits[j]! + 1) j++;
    parts.push(j === i ? String(bits[i]) : `${bits[i]}-${bits[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** printf's "%-15s %5.1lf%%"; NaN only comes of 0/0 here, which x86 makes a negative NaN ("-nan"). */
const percentLine = (label: string, value: number): string => `${label.padEnd(15)} ${(Number.isNaN(value) ? "-nan" : fixed(value, 1)).padStart(5)}%\n`;

export const commands: VirshCommand[] = [
  {
    names: ["sysinfo"],
    options: [],
    async run(ctx) {
      const c = await ctx.client();
      ctx.print((await step("failed to get sysinfo", () => c.connectGetSysinfo({ flags: 0 }))).sysinfo);
    },
  },
  {
    names: ["maxvcpus"],
    options: [str("type")],
    async run(ctx, opts) {
      const type = stringReq(opts, "type") ?? null;
      const c = await ctx.client();
      let vcpus = -1;
      // The domain capabilities' <vcpu max=.../> first; a driver without them answers the older call.
      const caps = await c.connectGetDomainCapabilities({ emulatorbin: null, arch: null, machine: null, virttype: type, flags: 0 }).catch(() => null);
      if (caps !== null) {
        const doc = parseDoc(caps.capabilities);
        if (doc === null) return false;
        // virXPathInt("string(./vcpu[1]/@max)") from the root: a whole number, else vcpus stays unset.
        const max = evaluateXPath("string(/*/vcpu[1]/@max)", doc);
        if (typeof max === "string" && /^\s*[+-]?\d+$/.test(max)) vcpus = Number(max);
      }
      if (vcpus < 0) vcpus = (await c.connectGetMaxVcpus({ type })).max_vcpus;
      ctx.print(`${vcpus}\n`);
      return true;
    },
  },
  {
    names: ["domcapabilities"],
    options: ["virttype", "emulatorbin", "arch", "machine"].map(str),
    async run(ctx, opts) {
      const [virttype, emulatorbin, arch, machine] = ["virttype", "emulatorbin", "arch", "machine"].map((n) => stringReq(opts, n));
      const c = await ctx.client();
      const { capabilities } = await step("failed to get emulator capabilities", () =>
        c.connectGetDomainCapabilities({ emulatorbin: emulatorbin ?? null, arch: arch ?? null, machine: machine ?? null, virttype: virttype ?? null, flags: 0 }),
      );
      ctx.print(`${capabilities}\n`);
    },
  },
  {
    names: ["cpu-models"],
    options: [{ name: "arch", type: "data", required: true }],
    async run(ctx, opts) {
      const arch = stringReq(opts, "arch")!;
      const c = await ctx.client();
      const { models } = await step("failed to get CPU model names", () => c.connectGetCpuModelNames({ arch, need_results: 1, flags: 0 }));
      if (models.length === 0) ctx.printExtra("all CPU models are accepted\n");
      for (const m of models) ctx.print(`${m}\n`);
    },
  },
  {
    names: ["nodecpumap"],
    options: [{ name: "pretty", type: "bool" }],
    async run(ctx, opts) {
      const c = await ctx.client();
      const r = await step("Unable to get cpu map", () => c.nodeGetCpuMap({ need_map: 1, need_online: 1, flags: 0 }));
      ctx.print(`${"CPUs present:".padEnd(15)} ${r.ret}\n`);
      ctx.print(`${"CPUs online:".padEnd(15)} ${r.online}\n`);
      ctx.print(`${"CPU map:".padEnd(15)} `);
      const map = r.cpumap.subarray(0, Math.ceil(r.ret / 8));
      if (opts.bool("pretty")) ctx.print(bitmapRanges(map));
      else for (let cpu = 0; cpu < r.ret; cpu++) ctx.print(((map[cpu >> 3] ?? 0) >> (cpu & 7)) & 1 ? "y" : "-");
      ctx.print("\n");
    },
  },
  {
    names: ["nodecpustats"],
    options: [int("cpu"), { name: "percent", type: "bool" }],
    async run(ctx, opts) {
      const percent = opts.bool("percent");
      const cpuNum = intOpt(opts, "cpu") ?? VIR_NODE_CPU_STATS_ALL_CPUS;
      const c = await ctx.client();
      const invalid = new Error("cpuNum in virNodeGetCPUStats only accepts -1 as a negative value");
      const { nparams } = await step("Unable to get number of cpu stats", () => (cpuNum < -1 ? Promise.reject(invalid) : c.nodeGetCpuStats({ cpuNum, nparams: 0, flags: 0 })));
      if (nparams === 0) return;
      const stats = new Array<bigint>(CPU_FIELDS.length).fill(0n);
      const present = new Array<boolean>(CPU_FIELDS.length).fill(false);
      for (let round = 0; round < 2; round++) {
        const { params } = await step("Unable to get node cpu stats", () => c.nodeGetCpuStats({ cpuNum, nparams, flags: 0 }));
        for (const p of params) {
          const field = CPU_FIELDS.findIndex(([f]) => f === p.field);
          if (field < 0) continue;
          if (round === 0) {
            stats[field] = p.value;
            present[field] = true;
          } else if (present[field]) {
            stats[field] = BigInt.asUintN(64, p.value - stats[field]!);
          }
        }
        if (present[USAGE] || !percent) break;
        await sleep(1000);
      }
      if (!percent) {
        for (let i = 0; i < USAGE; i++) if (present[i]) ctx.print(`${CPU_FIELDS[i]![1].padEnd(15)} ${String(stats[i]).padStart(20)}\n`);
        return;
      }
      if (present[USAGE]) {
        ctx.print(`${"usage:".padEnd(15)} ${String(stats[USAGE]).padStart(5)}%\n`);
        ctx.print(`${"idle:".padEnd(15)} ${String(BigInt.asUintN(64, 100n - stats[USAGE]!)).padStart(5)}%\n`);
        return;
      }
      const total = stats.slice(0, USAGE).reduce((sum, v) => sum + Number(v), 0);
      ctx.print(percentLine("usage:", ((Number(stats[0]) + Number(stats[1])) / total) * 100));
      for (let i = 0; i < USAGE; i++) if (present[i]) ctx.print(percentLine(CPU_FIELDS[i]![1], (Number(stats[i]) / total) * 100));
    },
  },
  {
    names: ["nodememstats"],
    options: [int("cell")],
    async run(ctx, opts) {
      const cellNum = intOpt(opts, "cell") ?? VIR_NODE_MEMORY_STATS_ALL_CELLS;
      const c = await ctx.client();
      const invalid = new Error("cellNum in virNodeGetMemoryStats only accepts -1 as a negative value");
      const { nparams } = await step("Unable to get number of memory stats", () => (cellNum < -1 ? Promise.reject(invalid) : c.nodeGetMemoryStats({ cellNum, nparams: 0, flags: 0 })));
      if (nparams === 0) return;
      const { params } = await step("Unable to get memory stats", () => c.nodeGetMemoryStats({ cellNum, nparams, flags: 0 }));
      for (const p of params) ctx.print(`${p.field.padEnd(7)}: ${String(p.value).padStart(20)} KiB\n`);
    },
  },
  {
    names: ["nodesevinfo"],
    options: [],
    async run(ctx) {
      const c = await ctx.client();
      const { params } = await step("Unable to get host SEV information", () => c.nodeGetSevInfo({ nparams: 0, flags: 0 }));
      for (const p of params) ctx.print(`${p.field.padEnd(18)}: ${typedParamValue(p.value)}\n`);
    },
  },
  {
    names: ["nodesuspend"],
    options: [
      { name: "target", type: "data", required: true },
      int("duration", true),
    ],
    async run(ctx, opts) {
      const c = await ctx.client();
      const target = stringReq(opts, "target")!;
      const duration = llOpt(opts, "duration")!;
      const suspendTarget = SUSPEND_TARGETS.get(target);
      if (suspendTarget === undefined) throw new CommandFailed(["Invalid target"]);
      if (duration < 0n) throw new CommandFailed(["Invalid duration"]);
      await step("The host was not suspended", () => c.nodeSuspendForDuration({ target: suspendTarget, duration, flags: 0 }));
    },
  },
];
