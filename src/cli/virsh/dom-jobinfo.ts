// virsh-domain.c: domjobinfo, a domain's current (or last completed) job
// and its statistics, line by line as virsh prints them.

import type { RemoteTypedParam } from "../../gen/remote_protocol.js";
import { VirTypedParameterType } from "../../gen/libvirt_common.js";
import { LibvirtError } from "../../rpc/errors.js";
import { CommandFailed, type VirshCommand } from "../vsh.js";
import { DOMAIN, bool, requireVar } from "./dom-opts.js";
import { fixed, lookupDomain } from "./util.js";
import {
  VIR_DOMAIN_JOB_BOUNDED,
  VIR_DOMAIN_JOB_COMPLETED,
  VIR_DOMAIN_JOB_NONE,
  VIR_DOMAIN_JOB_STATS_COMPLETED,
  VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED,
  VIR_DOMAIN_JOB_UNBOUNDED,
} from "../../gen/friendly/constants.js";

const JOB_TYPES = ["None", "Bounded", "Unbounded", "Completed", "Failed", "Cancelled"];
const OPERATIONS = ["Unknown", "Start", "Save", "Restore", "Incoming migration", "Outgoing migration", "Snapshot", "Snapshot revert", "Dump", "Backup", "Snapshot delete"];

/** vshPrettyCapacity with "%-.3lf %s". */
function capacity(bytes: bigint): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = Number(bytes);
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  if (i === units.length - 1 && value >= 1024) return `${fixed(value / 1024, 3)} EiB`;
  return `${fixed(value, 3)} ${units[i]}`;
}

/** printf's %g (six significant digits, trailing zeros dropped), as virTypedParameterToString prints a double. */
function gFormat(d: number): string {
  if (!Number.isFinite(d)) return d > 0 ? "inf" : d < 0 ? "-inf" : "nan";
  if (d === 0) return Object.is(d, -0) ? "-0" : "0";
  const exp = Math.floor(Math.log10(Math.abs(Number(d.toPrecision(6)))));
  if (exp < -4 || exp >= 6) {
    const [m, e] = d.toExponential(5).split("e");
    const mant = m!.includes(".") ? m!.replace(/0+$/, "").replace(/\.$/, "") : m!;
    const n = Number(e);
    return `${mant}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  }
  const t = d.toFixed(Math.max(0, 5 - exp));
  return t.includes(".") ? t.replace(/0+$/, "").replace(/\.$/, "") : t;
}

/** virTypedParameterToString. */
function rawValue(p: RemoteTypedParam): string {
  const v = p.value;
  switch (v.type) {
    case VirTypedParameterType.VIR_TYPED_PARAM_INT:
      return String(v.i);
    case VirTypedParameterType.VIR_TYPED_PARAM_UINT:
      return String(v.ui);
    case VirTypedParameterType.VIR_TYPED_PARAM_LLONG:
      return String(v.l);
    case VirTypedParameterType.VIR_TYPED_PARAM_ULLONG:
      return String(v.ul);
    case VirTypedParameterType.VIR_TYPED_PARAM_DOUBLE:
      return gFormat(v.d);
    case VirTypedParameterType.VIR_TYPED_PARAM_BOOLEAN:
      return String(v.b);
    case VirTypedParameterType.VIR_TYPED_PARAM_STRING:
      return v.s;
  }
}

const label = (text: string): string => text.padEnd(17);
const num = (n: bigint | number, width = 12): string => String(n).padEnd(width);

export const commands: VirshCommand[] = [
  {
    names: ["domjobinfo"],
    options: [DOMAIN, bool("completed"), bool("keep-completed"), bool("anystats"), bool("rawstats")],
    async run(ctx, opts) {
      requireVar("keep-completed", opts.bool("keep-completed"), "completed", opts.bool("completed"));
      const rawstats = opts.bool("rawstats");
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const flags = (opts.bool("completed") ? VIR_DOMAIN_JOB_STATS_COMPLETED : 0) | (opts.bool("keep-completed") ? VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED : 0);
      let type: number;
      let params: RemoteTypedParam[] = [];
      const ull = (field: string): bigint | undefined => {
        const p = params.find((x) => x.field === field);
        return p?.value.type === VirTypedParameterType.VIR_TYPED_PARAM_ULLONG ? p.value.ul : undefined;
      };
      let info: Record<string, bigint>;
      try {
        const r = await c.domainGetJobStats({ dom, flags });
        type = r.type;
        params = r.params;
        const f = (name: string): bigint => ull(name) ?? 0n;
        info = {
          timeElapsed: f("time_elapsed"),
          timeRemaining: f("time_remaining"),
          dataTotal: f("data_total"),
          dataProcessed: f("data_processed"),
          dataRemaining: f("data_remaining"),
          memTotal: f("memory_total"),
          memProcessed: f("memory_processed"),
          memRemaining: f("memory_remaining"),
          fileTotal: f("disk_total"),
          fileProcessed: f("disk_processed"),
          fileRemaining: f("disk_remaining"),
        };
      } catch (e) {
        if (!(e instanceof LibvirtError) || e.code !== "VIR_ERR_NO_SUPPORT") throw e;
        if (flags !== 0 || rawstats) throw new CommandFailed(["Optional flags or --rawstats are not supported by the daemon"], { cause: e });
        const { type: t, ...rest } = await c.domainGetJobInfo({ dom });
        type = t;
        info = rest;
      }
      if (rawstats) {
        ctx.print(`Job type: ${type}\n\n`);
        for (const p of params) ctx.print(`${p.field}: ${rawValue(p)}\n`);
        return;
      }
      let out = `${label("Job type:")} ${(JOB_TYPES[type] ?? "unknown").padEnd(12)}\n`;
      if (type === VIR_DOMAIN_JOB_NONE) {
        ctx.print(out);
        return;
      }
      const opParam = params.find((p) => p.field === "operation");
      const op = opParam?.value.type === VirTypedParameterType.VIR_TYPED_PARAM_INT ? opParam.value.i : 0;
      out += `${label("Operation:")} ${(OPERATIONS[op] ?? "unknown").padEnd(12)}\n`;
      const stats =
        opts.bool("anystats") || type === VIR_DOMAIN_JOB_BOUNDED || type === VIR_DOMAIN_JOB_UNBOUNDED || ((flags & VIR_DOMAIN_JOB_STATS_COMPLETED) !== 0 && type === VIR_DOMAIN_JOB_COMPLETED);
      if (!stats) {
        ctx.print(out);
        return;
      }
      const line = (name: string, value: string): void => void (out += `${label(name)} ${value}\n`);
      const ifUll = (field: string, fn: (v: bigint) => void): void => {
        const v = ull(field);
        if (v !== undefined) fn(v);
      };
      line("Time elapsed:", `${num(info.timeElapsed!)} ms`);
      ifUll("time_elapsed_net", (v) => line("Time elapsed w/o network:", `${num(v)} ms`));
      if (type === VIR_DOMAIN_JOB_BOUNDED) line("Time remaining:", `${num(info.timeRemaining!)} ms`);
      if (info.dataTotal || info.dataRemaining || info.dataProcessed) {
        line("Data processed:", capacity(info.dataProcessed!));
        line("Data remaining:", capacity(info.dataRemaining!));
        line("Data total:", capacity(info.dataTotal!));
      }
      if (info.memTotal || info.memRemaining || info.memProcessed) {
        line("Memory processed:", capacity(info.memProcessed!));
        line("Memory remaining:", capacity(info.memRemaining!));
        line("Memory total:", capacity(info.memTotal!));
        ifUll("memory_bps", (v) => v !== 0n && line("Memory bandwidth:", `${capacity(v)}/s`));
        ifUll("memory_dirty_rate", (v) => line("Dirty rate:", `${num(v)} pages/s`));
        ifUll("memory_page_size", (v) => line("Page size:", `${num(v)} bytes`));
        ifUll("memory_iteration", (v) => line("Iteration:", num(v)));
        ifUll("memory_postcopy_requests", (v) => line("Postcopy requests:", num(v)));
      }
      if (info.fileTotal || info.fileRemaining || info.fileProcessed) {
        line("File processed:", capacity(info.fileProcessed!));
        line("File remaining:", capacity(info.fileRemaining!));
        line("File total:", capacity(info.fileTotal!));
        ifUll("disk_bps", (v) => v !== 0n && line("File bandwidth:", `${capacity(v)}/s`));
      }
      ifUll("memory_constant", (v) => line("Constant pages:", num(v)));
      ifUll("memory_normal", (v) => line("Normal pages:", num(v)));
      ifUll("memory_normal_bytes", (v) => line("Normal data:", capacity(v)));
      ifUll("downtime", (v) => line(type === VIR_DOMAIN_JOB_COMPLETED ? "Total downtime:" : "Expected downtime:", `${num(v)} ms`));
      ifUll("downtime_net", (v) => line("Downtime w/o network:", `${num(v)} ms`));
      ifUll("setup_time", (v) => line("Setup time:", `${num(v)} ms`));
      ifUll("compression_cache", (v) => line("Compression cache:", capacity(v)));
      ifUll("compression_bytes", (v) => line("Compressed data:", capacity(v)));
      ifUll("compression_pages", (v) => line("Compressed pages:", num(v, 13)));
      ifUll("compression_cache_misses", (v) => line("Compression cache misses:", num(v, 13)));
      ifUll("compression_overflow", (v) => line("Compression overflows:", num(v, 13)));
      const throttle = params.find((p) => p.field === "auto_converge_throttle");
      if (throttle?.value.type === VirTypedParameterType.VIR_TYPED_PARAM_INT) line("Auto converge throttle:", num(throttle.value.i, 13));
      ifUll("disk_temp_used", (v) => line("Temporary disk space use:", capacity(v)));
      ifUll("disk_temp_total", (v) => line("Temporary disk space total:", capacity(v)));
      const err = params.find((p) => p.field === "errmsg");
      if (err?.value.type === VirTypedParameterType.VIR_TYPED_PARAM_STRING) line("Error message:", err.value.s);
      ctx.print(out);
    },
  },
];
