// virsh-host.c's CPU comparisons and baselines: cpu-compare, cpu-baseline,
// hypervisor-cpu-compare and hypervisor-cpu-baseline.

import {
  VIR_CONNECT_BASELINE_CPU_EXPAND_FEATURES,
  VIR_CONNECT_BASELINE_CPU_MIGRATABLE,
  VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE,
  VIR_CONNECT_COMPARE_CPU_VALIDATE_XML,
  VIR_CPU_COMPARE_IDENTICAL,
  VIR_CPU_COMPARE_INCOMPATIBLE,
  VIR_CPU_COMPARE_SUPERSET,
} from "../../gen/friendly/constants.js";
import type { OptDef, Opts } from "../command.js";
import { CommandFailed, type VirshCommand, type VshContext } from "../vsh.js";
import { extractCpuXmls } from "./hypervisor-cpu-xml.js";
import { step, stringReq } from "./util.js";

const FILE: OptDef = { name: "file", type: "data", required: true };
const bool = (name: string): OptDef => ({ name, type: "bool" });
const str = (name: string): OptDef => ({ name, type: "string" });
const HYPERVISOR = ["virttype", "emulator", "arch", "machine"].map(str);

const compareFlags = (opts: Opts): number =>
  (opts.bool("error") ? VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE : 0) | (opts.bool("validate") ? VIR_CONNECT_COMPARE_CPU_VALIDATE_XML : 0);
const baselineFlags = (opts: Opts): number =>
  (opts.bool("features") ? VIR_CONNECT_BASELINE_CPU_EXPAND_FEATURES : 0) | (opts.bool("migratable") ? VIR_CONNECT_BASELINE_CPU_MIGRATABLE : 0);

/** The hypervisor the hypervisor-cpu-* commands name: each value not empty, null where not given. */
function hypervisorOf(opts: Opts): { virttype: string | null; emulator: string | null; arch: string | null; machine: string | null } {
  const [virttype, emulator, arch, machine] = ["virttype", "emulator", "arch", "machine"].map((n) => stringReq(opts, n) ?? null);
  return { virttype: virttype!, emulator: emulator!, arch: arch!, machine: machine! };
}

/** What virsh prints for a comparison's result; false where it fails the command. */
function reportComparison(ctx: VshContext, result: number, words: { incompatible: string; identical: string; superset: string; failed: string }): boolean {
  switch (result) {
    case VIR_CPU_COMPARE_INCOMPATIBLE:
      ctx.print(words.incompatible);
      return false;
    case VIR_CPU_COMPARE_IDENTICAL:
      ctx.print(words.identical);
      return true;
    case VIR_CPU_COMPARE_SUPERSET:
      ctx.print(words.superset);
      return true;
    default:
      throw new CommandFailed([words.failed]);
  }
}

export const commands: VirshCommand[] = [
  {
    names: ["cpu-compare"],
    options: [FILE, bool("error"), bool("validate")],
    async run(ctx, opts) {
      const flags = compareFlags(opts);
      const from = stringReq(opts, "file")!;
      const c = await ctx.client();
      const cpus = await extractCpuXmls(from);
      const failed = `Failed to compare host CPU with ${from}`;
      const { result } = await step(failed, () => c.connectCompareCpu({ xml: cpus[0]!, flags }));
      return reportComparison(ctx, result, {
        incompatible: `CPU described in ${from} is incompatible with host CPU\n`,
        identical: `CPU described in ${from} is identical to host CPU\n`,
        superset: `Host CPU is a superset of CPU described in ${from}\n`,
        failed,
      });
    },
  },
  {
    names: ["cpu-baseline"],
    options: [FILE, bool("features"), bool("migratable")],
    async run(ctx, opts) {
      const flags = baselineFlags(opts);
      const from = stringReq(opts, "file")!;
      const c = await ctx.client();
      const xmlCPUs = await extractCpuXmls(from);
      ctx.print((await c.connectBaselineCpu({ xmlCPUs, flags })).cpu);
    },
  },
  {
    names: ["hypervisor-cpu-compare"],
    options: [FILE, ...HYPERVISOR, bool("error"), bool("validate")],
    async run(ctx, opts) {
      const flags = compareFlags(opts);
      const from = stringReq(opts, "file")!;
      const hv = hypervisorOf(opts);
      const c = await ctx.client();
      const cpus = await extractCpuXmls(from);
      const failed = `Failed to compare hypervisor CPU with ${from}`;
      const { result } = await step(failed, () => c.connectCompareHypervisorCpu({ ...hv, xmlCPU: cpus[0]!, flags }));
      return reportComparison(ctx, result, {
        incompatible: `CPU described in ${from} is incompatible with the CPU provided by hypervisor on the host\n`,
        identical: `CPU described in ${from} is identical to the CPU provided by hypervisor on the host\n`,
        superset: `The CPU provided by hypervisor on the host is a superset of CPU described in ${from}\n`,
        failed,
      });
    },
  },
  {
    names: ["hypervisor-cpu-baseline"],
    options: [str("file"), ...HYPERVISOR, bool("features"), bool("migratable"), str("model")],
    async run(ctx, opts) {
      const flags = baselineFlags(opts);
      const from = stringReq(opts, "file");
      const hv = hypervisorOf(opts);
      const model = stringReq(opts, "model");
      if (from !== undefined && model !== undefined) throw new CommandFailed(["Options --file and --model are mutually exclusive"]);
      if (from === undefined && model === undefined) throw new CommandFailed(["Either --file or --model must be provided"]);
      const c = await ctx.client();
      const xmlCPUs = from !== undefined ? await extractCpuXmls(from) : [`<cpu><model>${model}</model></cpu>`];
      ctx.print((await c.connectBaselineHypervisorCpu({ ...hv, xmlCPUs, flags })).cpu);
    },
  },
];
