// virsh-domain.c: a domain's tunables, shown or changed: schedinfo,
// memtune, blkiotune, numatune, perf, set-lifecycle-action.

import type { RemoteTypedParam } from "../../gen/remote_protocol.js";
import { VirTypedParameterType } from "../../gen/libvirt_common.js";
import { Opts } from "../command.js";
import { CommandFailed, type VirshCommand } from "../vsh.js";
import { CONFIG_LIVE_CURRENT, DOMAIN, affectFlags, intOpt, nonEmpty, scaledOpt } from "./dom-opts.js";
import { paramFromString, paramLine, typedParamLine } from "./dom-params.js";
import { lookupDomain, step } from "./util.js";
import { typedParamStringFlag } from "../../api/features.js";
import { VIR_DOMAIN_AFFECT_CURRENT } from "../../gen/friendly/constants.js";

const ULLONG = VirTypedParameterType.VIR_TYPED_PARAM_ULLONG;
/** VIR_DOMAIN_MEMORY_PARAM_UNLIMITED, a #define of libvirt-domain.h (2^53 - 1, no enum member). */
const UNLIMITED = 9007199254740991n;

/** blkiotune's per-device options and the fields they set. */
const BLKIO_DEVICE_OPTIONS: readonly (readonly [string, string])[] = [
  ["device-weights", "device_weight"],
  ["device-read-iops-sec", "device_read_iops_sec"],
  ["device-write-iops-sec", "device_write_iops_sec"],
  ["device-read-bytes-sec", "device_read_bytes_sec"],
  ["device-write-bytes-sec", "device_write_bytes_sec"],
];

/** set-lifecycle-action's words, in the order of their enums. */
const LIFECYCLE_TYPES = ["poweroff", "reboot", "crash"];
const LIFECYCLE_ACTIONS = ["destroy", "restart", "rename-restart", "preserve", "coredump-destroy", "coredump-restart"];

/** virDomainNumatuneMemMode's words. */
const NUMA_MODES = ["strict", "preferred", "interleave", "restrictive"];

/** virshMemtuneGetSize: KiB by default, any unit; a negative number is unlimited; null where it cannot be read. */
function memtuneSize(opts: Opts, name: string): bigint | null | undefined {
  const text = opts.string(name);
  if (text === undefined) return undefined;
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(text);
  if (m === null) return null;
  const n = BigInt(m[1]!);
  if (n < -(2n ** 63n) || n >= 2n ** 63n) return null;
  if (n < 0n) return UNLIMITED;
  try {
    const bytes = scaledOpt(new Opts(new Map([[name, [`${n}${text.slice(m[0].length)}`]]])), name, 1024n, 2n ** 63n - 1n);
    return (bytes! + 1023n) / 1024n;
  } catch {
    return null;
  }
}

export const commands: VirshCommand[] = [
  {
    names: ["schedinfo"],
    options: [
      DOMAIN,
      { name: "weight", type: "int", named: true },
      { name: "cap", type: "int", named: true },
      { name: "current", type: "bool" },
      { name: "config", type: "bool" },
      { name: "live", type: "bool" },
      { name: "set", type: "argv" },
    ],
    async run(ctx, opts) {
      const current = opts.bool("current");
      const config = opts.bool("config");
      const live = opts.bool("live");
      const flags = affectFlags(opts);
      // Live and config cannot be read at once: current is read then.
      const queryFlags = config && live ? VIR_DOMAIN_AFFECT_CURRENT : flags;
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const type = await c.domainGetSchedulerType({ dom }).catch((e: unknown) => {
        ctx.print(paramLine("Scheduler", "Unknown"));
        throw new CommandFailed([], { cause: e });
      });
      ctx.print(paramLine("Scheduler", type.type));
      if (type.nparams === 0) return false;
      const read = async (): Promise<RemoteTypedParam[]> =>
        flags !== 0 || current
          ? (await c.domainGetSchedulerParametersFlags({ dom, nparams: type.nparams, flags: queryFlags | (await typedParamStringFlag(c)) })).params
          : (await c.domainGetSchedulerParameters({ dom, nparams: type.nparams })).params;
      let params = await read();
      const updates: RemoteTypedParam[] = [];
      const updateOne = (field: string, value: string): void => {
        const known = params.find((p) => p.field === field);
        if (known === undefined) throw new CommandFailed([`invalid scheduler option: ${field}`]);
        updates.push(paramFromString(field, known.value.type, value));
      };
      for (const word of opts.argv("set")) {
        const at = word.indexOf("=");
        if (at < 0) throw new CommandFailed(["Invalid syntax for --set, expecting name=value"]);
        updateOne(word.slice(0, at), word.slice(at + 1));
      }
      for (const name of ["cap", "weight"]) {
        const v = nonEmpty(opts, name);
        if (v !== undefined) updateOne(name, v);
      }
      if (updates.length > 0) {
        if (flags !== 0 || current) await c.domainSetSchedulerParametersFlags({ dom, params: updates, flags });
        else await c.domainSetSchedulerParameters({ dom, params: updates });
        params = await read();
      } else if (live && config) {
        throw new CommandFailed(["cannot query both live and config at once"]);
      }
      for (const p of params) ctx.print(typedParamLine(p));
      return true;
    },
  },
  {
    names: ["memtune"],
    options: [
      DOMAIN,
      { name: "hard-limit", type: "int" },
      { name: "soft-limit", type: "int" },
      { name: "swap-hard-limit", type: "int" },
      { name: "min-guarantee", type: "int" },
      ...CONFIG_LIVE_CURRENT,
    ],
    async run(ctx, opts) {
      const flags = affectFlags(opts);
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const params: RemoteTypedParam[] = [];
      const fields: [string, string][] = [
        ["hard-limit", "hard_limit"],
        ["soft-limit", "soft_limit"],
        ["swap-hard-limit", "swap_hard_limit"],
        ["min-guarantee", "min_guarantee"],
      ];
      for (const [option, field] of fields) {
        const kib = memtuneSize(opts, option);
        if (kib === null) throw new CommandFailed([`Unable to parse integer parameter ${option}`]);
        if (kib !== undefined) params.push({ field, value: { type: ULLONG, ul: kib } });
      }
      if (params.length > 0) {
        await step("Unable to change memory parameters", () => c.domainSetMemoryParameters({ dom, params, flags }));
        return;
      }
      const getFlags = flags | (await typedParamStringFlag(c));
      const { nparams } = await step("Unable to get number of memory parameters", () => c.domainGetMemoryParameters({ dom, nparams: 0, flags: getFlags }));
      if (nparams === 0) return;
      const got = await step("Unable to get memory parameters", () => c.domainGetMemoryParameters({ dom, nparams, flags: getFlags }));
      for (const p of got.params) {
        if (p.value.type === ULLONG && p.value.ul === UNLIMITED) ctx.print(paramLine(p.field, "unlimited"));
        else ctx.print(typedParamLine(p));
      }
    },
  },
  {
    names: ["blkiotune"],
    options: [DOMAIN, { name: "weight", type: "int" }, ...BLKIO_DEVICE_OPTIONS.map(([o]) => ({ name: o, type: "string" as const })), ...CONFIG_LIVE_CURRENT],
    async run(ctx, opts) {
      const flags = affectFlags(opts);
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const params: RemoteTypedParam[] = [];
      const weight = intOpt(opts, "weight");
      if (weight !== undefined) {
        if (weight <= 0) throw new CommandFailed([`Invalid value of ${weight} for I/O weight`]);
        params.push({ field: "weight", value: { type: VirTypedParameterType.VIR_TYPED_PARAM_UINT, ui: weight } });
      }
      for (const [option, field] of BLKIO_DEVICE_OPTIONS) {
        const v = opts.string(option);
        if (v === "") throw new CommandFailed(["Unable to parse string parameter"]);
        if (v !== undefined) params.push({ field, value: { type: VirTypedParameterType.VIR_TYPED_PARAM_STRING, s: v } });
      }
      if (params.length > 0) {
        await step("Unable to change blkio parameters", () => c.domainSetBlkioParameters({ dom, params, flags }));
        return;
      }
      const getFlags = flags | (await typedParamStringFlag(c));
      const { nparams } = await step("Unable to get number of blkio parameters", () => c.domainGetBlkioParameters({ dom, nparams: 0, flags: getFlags }));
      if (nparams === 0) return;
      const got = await step("Unable to get blkio parameters", () => c.domainGetBlkioParameters({ dom, nparams, flags: getFlags }));
      for (const p of got.params) ctx.print(typedParamLine(p));
    },
  },
  {
    names: ["numatune"],
    options: [DOMAIN, { name: "mode", type: "string" }, { name: "nodeset", type: "string" }, ...CONFIG_LIVE_CURRENT],
    async run(ctx, opts) {
      const flags = affectFlags(opts);
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const params: RemoteTypedParam[] = [];
      const nodeset = nonEmpty(opts, "nodeset");
      if (nodeset !== undefined) params.push({ field: "numa_nodeset", value: { type: VirTypedParameterType.VIR_TYPED_PARAM_STRING, s: nodeset } });
      const mode = nonEmpty(opts, "mode");
      if (mode !== undefined) {
        let m = NUMA_MODES.indexOf(mode);
        if (m < 0) {
          // A number the daemon may know though these words do not.
          const parsed = strtolBase0(mode);
          if (parsed === null) throw new CommandFailed([`Invalid mode: ${mode}`]);
          m = parsed;
        }
        params.push({ field: "numa_mode", value: { type: VirTypedParameterType.VIR_TYPED_PARAM_INT, i: m } });
      }
      if (params.length > 0) {
        await step("Unable to change numa parameters", () => c.domainSetNumaParameters({ dom, params, flags }));
        return;
      }
      const getFlags = flags | (await typedParamStringFlag(c));
      const { nparams } = await step("Unable to get number of memory parameters", () => c.domainGetNumaParameters({ dom, nparams: 0, flags: getFlags }));
      if (nparams === 0) return;
      const got = await step("Unable to get numa parameters", () => c.domainGetNumaParameters({ dom, nparams, flags: getFlags }));
      for (const p of got.params) {
        if (p.value.type === VirTypedParameterType.VIR_TYPED_PARAM_INT && p.field === "numa_mode") ctx.print(paramLine(p.field, NUMA_MODES[p.value.i] ?? "(null)"));
        else ctx.print(typedParamLine(p));
      }
    },
  },
  {
    names: ["set-lifecycle-action"],
    options: [DOMAIN, { name: "type", type: "data", required: true }, { name: "action", type: "data", required: true }, ...CONFIG_LIVE_CURRENT],
    async run(ctx, opts) {
      const flags = affectFlags(opts);
      const typeWord = nonEmpty(opts, "type")!;
      const actionWord = nonEmpty(opts, "action")!;
      const type = LIFECYCLE_TYPES.indexOf(typeWord);
      if (type < 0) throw new CommandFailed([`Invalid lifecycle type '${typeWord}'.`]);
      const action = LIFECYCLE_ACTIONS.indexOf(actionWord);
      if (action < 0) throw new CommandFailed([`Invalid lifecycle action '${actionWord}'.`]);
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      await step("Unable to change lifecycle action.", () => c.domainSetLifecycleAction({ dom, type, action, flags }));
    },
  },
  {
    names: ["perf"],
    options: [DOMAIN, { name: "enable", type: "string" }, { name: "disable", type: "string" }, ...CONFIG_LIVE_CURRENT],
    async run(ctx, opts) {
      const flags = affectFlags(opts);
      const enable = nonEmpty(opts, "enable");
      const disable = nonEmpty(opts, "disable");
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const events = (text: string | undefined, on: boolean): RemoteTypedParam[] =>
        (text ?? "")
          .split(",")
          .filter((e) => e !== "")
          .map((field) => ({ field, value: { type: VirTypedParameterType.VIR_TYPED_PARAM_BOOLEAN, b: on ? 1 : 0 } }));
      let params = [...events(enable, true), ...events(disable, false)];
      if (params.length === 0) params = (await step("Unable to get perf events", () => c.domainGetPerfEvents({ dom, flags }))).params;
      else await step("Unable to enable/disable perf events", () => c.domainSetPerfEvents({ dom, params, flags }));
      for (const p of params) ctx.printExtra(paramLine(p.field, p.value.type === VirTypedParameterType.VIR_TYPED_PARAM_BOOLEAN && p.value.b !== 0 ? "enabled" : "disabled"));
    },
  },
];

/** virStrToLong_i with base 0: decimal, 0x hex or 0 octal, the whole word, an int. */
function strtolBase0(text: string): number | null {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$/.exec(text);
  if (m === null) return null;
  const digits = m[2]!;
  const magnitude = /^0[xX]/.test(digits) ? BigInt(digits) : digits.length > 1 && digits.startsWith("0") ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  const n = m[1] === "-" ? -magnitude : magnitude;
  return n >= -(2n ** 31n) && n < 2n ** 31n ? Number(n) : null;
}
