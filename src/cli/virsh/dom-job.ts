// virsh-domain.c: a domain's jobs and migration tunables: domjobabort,
// dump, migrate-setmaxdowntime, migrate-getmaxdowntime, migrate-compcache,
// migrate-setspeed, migrate-getspeed, migrate-postcopy.

import { CommandFailed, ullOpt, type VirshCommand } from "../vsh.js";
import { absPath } from "./dom-files.js";
import { DOMAIN, bool, exclusiveFlags, nonEmpty } from "./dom-opts.js";
import { watchJob } from "./dom-watch.js";
import { fixed, lookupDomain, step } from "./util.js";
import {
  VIR_DOMAIN_ABORT_JOB_POSTCOPY,
  VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_LZO,
  VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_SNAPPY,
  VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB,
  VIR_DOMAIN_CORE_DUMP_FORMAT_RAW,
  VIR_DOMAIN_CORE_DUMP_FORMAT_WIN_DMP,
  VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY,
  VIR_DUMP_BYPASS_CACHE,
  VIR_DUMP_CRASH,
  VIR_DUMP_LIVE,
  VIR_DUMP_MEMORY_ONLY,
  VIR_DUMP_RESET,
} from "../../gen/friendly/constants.js";

/** dump --format words. */
const DUMP_FORMATS: Record<string, number> = {
  elf: VIR_DOMAIN_CORE_DUMP_FORMAT_RAW,
  "kdump-zlib": VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB,
  "kdump-lzo": VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_LZO,
  "kdump-snappy": VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_SNAPPY,
  "win-dmp": VIR_DOMAIN_CORE_DUMP_FORMAT_WIN_DMP,
};

/** vshPrettyCapacity: the value in the largest unit under 1024 of it. */
export function prettyCapacity(bytes: bigint): [number, string] {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = Number(bytes);
  for (const unit of units) {
    if (value < 1024 || unit === "PiB") return [value, unit];
    value /= 1024;
  }
  return [value, "EiB"];
}

export const commands: VirshCommand[] = [
  {
    names: ["domjobabort"],
    options: [DOMAIN, bool("postcopy")],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      if (opts.bool("postcopy")) await c.domainAbortJobFlags({ dom, flags: VIR_DOMAIN_ABORT_JOB_POSTCOPY });
      else await c.domainAbortJob({ dom });
    },
  },
  {
    names: ["dump"],
    options: [
      DOMAIN,
      { name: "file", type: "data", required: true },
      bool("live"),
      bool("crash"),
      bool("bypass-cache"),
      bool("reset"),
      bool("verbose"),
      bool("memory-only"),
      { name: "format", type: "string" },
    ],
    async run(ctx, opts) {
      const c = await ctx.client();
      const name = opts.string("domain")!;
      const dom = await lookupDomain(c, name);
      const to = nonEmpty(opts, "file")!;
      const flags =
        (opts.bool("live") ? VIR_DUMP_LIVE : 0) |
        (opts.bool("crash") ? VIR_DUMP_CRASH : 0) |
        (opts.bool("bypass-cache") ? VIR_DUMP_BYPASS_CACHE : 0) |
        (opts.bool("reset") ? VIR_DUMP_RESET : 0) |
        (opts.bool("memory-only") ? VIR_DUMP_MEMORY_ONLY : 0);
      let format = VIR_DOMAIN_CORE_DUMP_FORMAT_RAW;
      const word = opts.string("format");
      if (word !== undefined) {
        if ((flags & VIR_DUMP_MEMORY_ONLY) === 0) throw new CommandFailed(["--format only works with --memory-only"]);
        if (word !== "") {
          const f = DUMP_FORMATS[word];
          if (f === undefined) throw new CommandFailed([`format '${word}' is not supported, expecting 'kdump-zlib', 'kdump-lzo', 'kdump-snappy', 'win-dmp' or 'elf'`]);
          format = f;
        }
      }
      const failed = `Failed to core dump domain '${name}' to ${to}`;
      exclusiveFlags(
        flags,
        [
          [VIR_DUMP_CRASH, "VIR_DUMP_CRASH", VIR_DUMP_LIVE, "VIR_DUMP_LIVE"],
          [VIR_DUMP_CRASH, "VIR_DUMP_CRASH", VIR_DUMP_RESET, "VIR_DUMP_RESET"],
          [VIR_DUMP_LIVE, "VIR_DUMP_LIVE", VIR_DUMP_RESET, "VIR_DUMP_RESET"],
        ],
        [failed],
      );
      const path = absPath(to);
      await step(failed, () =>
        watchJob(
          c,
          dom,
          "Dump",
          opts.bool("verbose"),
          format !== VIR_DOMAIN_CORE_DUMP_FORMAT_RAW ? c.domainCoreDumpWithFormat({ dom, to: path, dumpformat: format, flags }) : c.domainCoreDump({ dom, to: path, flags }),
        ),
      );
      ctx.printExtra(`\nDomain '${name}' dumped to ${to}\n`);
    },
  },
  {
    names: ["migrate-setmaxdowntime"],
    options: [DOMAIN, { name: "downtime", type: "int", required: true }],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const downtime = ullOpt(opts, "downtime")!;
      if (downtime < 1n) throw new CommandFailed(["migrate: Invalid downtime"]);
      await c.domainMigrateSetMaxDowntime({ dom, downtime, flags: 0 });
    },
  },
  {
    names: ["migrate-getmaxdowntime"],
    options: [DOMAIN],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const { downtime } = await c.domainMigrateGetMaxDowntime({ dom, flags: 0 });
      ctx.print(`${downtime}\n`);
    },
  },
  {
    names: ["migrate-compcache"],
    options: [DOMAIN, { name: "size", type: "int", named: true }],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const size = ullOpt(opts, "size");
      if (size !== undefined) await c.domainMigrateSetCompressionCache({ dom, cacheSize: size, flags: 0 });
      const { cacheSize } = await c.domainMigrateGetCompressionCache({ dom, flags: 0 });
      const [value, unit] = prettyCapacity(cacheSize);
      ctx.print(`Compression cache: ${fixed(value, 3)} ${unit}`);
    },
  },
  {
    names: ["migrate-setspeed"],
    options: [DOMAIN, { name: "bandwidth", type: "int", required: true }, bool("postcopy")],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const bandwidth = ullOpt(opts, "bandwidth", true)!;
      await c.domainMigrateSetMaxSpeed({ dom, bandwidth, flags: opts.bool("postcopy") ? VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY : 0 });
    },
  },
  {
    names: ["migrate-getspeed"],
    options: [DOMAIN, bool("postcopy")],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const { bandwidth } = await c.domainMigrateGetMaxSpeed({ dom, flags: opts.bool("postcopy") ? VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY : 0 });
      ctx.print(`${bandwidth}\n`);
    },
  },
  {
    names: ["migrate-postcopy"],
    options: [DOMAIN],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      await c.domainMigrateStartPostCopy({ dom, flags: 0 });
    },
  },
];
