// virsh-domain-monitor.c's commands that ask a domain for its counters and
// its state: domblkstat, domifstat, dommemstat, domblkerror, domcontrol,
// domtime, domifaddr.

import { LibvirtError } from "../../rpc/errors.js";
import type { RemoteTypedParam } from "../../gen/remote_protocol.js";
import type { OptDef, Opts } from "../command.js";
import { CommandFailed, exclusive, type VirshCommand } from "../vsh.js";
import { domainWord } from "./monitor-opts.js";
import { fixed, lookupDomain, step, typedParamValue, stringReq } from "./util.js";
import {
  VIR_DOMAIN_AFFECT_CONFIG,
  VIR_DOMAIN_AFFECT_CURRENT,
  VIR_DOMAIN_AFFECT_LIVE,
  VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT,
  VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP,
  VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE,
  VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON,
  VIR_DOMAIN_MEMORY_STAT_AVAILABLE,
  VIR_DOMAIN_MEMORY_STAT_DISK_CACHES,
  VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGALLOC,
  VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGFAIL,
  VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE,
  VIR_DOMAIN_MEMORY_STAT_MAJOR_FAULT,
  VIR_DOMAIN_MEMORY_STAT_MINOR_FAULT,
  VIR_DOMAIN_MEMORY_STAT_NR,
  VIR_DOMAIN_MEMORY_STAT_RSS,
  VIR_DOMAIN_MEMORY_STAT_SWAP_IN,
  VIR_DOMAIN_MEMORY_STAT_SWAP_OUT,
  VIR_DOMAIN_MEMORY_STAT_UNUSED,
  VIR_DOMAIN_MEMORY_STAT_USABLE,
  VIR_DOMAIN_TIME_SYNC,
  VIR_IP_ADDR_TYPE_IPV4,
  VIR_IP_ADDR_TYPE_IPV6,
} from "../../gen/friendly/constants.js";

const DOMAIN: OptDef = { name: "domain", type: "data", required: true };
const bool = (name: string): OptDef => ({ name, type: "bool" });

/** vshCommandOptInt / vshCommandOptLongLong: strtol's base-10 number, whole, within `bits` signed bits. */
function signedOpt(opts: Opts, name: string, bits: 32 | 64): bigint | undefined {
  const text = opts.string(name);
  if (text === undefined) return undefined;
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)$/.exec(text);
  const n = m === null ? null : BigInt(m[1]!);
  const limit = 1n << BigInt(bits - 1);
  if (n === null || n >= limit || n < -limit) throw new CommandFailed([`Numeric value '${text}' for <${name}> option is malformed or out of range`]);
  return n;
}

// domblkstat's fields in virsh's order: the typed parameter, its old name, its --human words.
const BLOCK_FIELDS: readonly (readonly [string, string | null, string])[] = [
  ["rd_operations", "rd_req", "number of read operations:"],
  ["rd_bytes", "rd_bytes", "number of bytes read:"],
  ["wr_operations", "wr_req", "number of write operations:"],
  ["wr_bytes", "wr_bytes", "number of bytes written:"],
  ["errs", "errs", "error count:"],
  ["flush_operations", null, "number of flush operations:"],
  ["rd_total_times", null, "total duration of reads (ns):"],
  ["wr_total_times", null, "total duration of writes (ns):"],
  ["flush_total_times", null, "total duration of flushes (ns):"],
];

const domblkstat: VirshCommand = {
  names: ["domblkstat"],
  options: [DOMAIN, { name: "device", type: "string" }, bool("human")],
  async run(ctx, opts) {
    const human = opts.bool("human");
    const name = domainWord(opts);
    const c = await ctx.client();
    const dom = await lookupDomain(c, name);
    // No device (or an empty one) means every device together.
    const path = opts.string("device") ?? "";
    let device = path;
    const line = (field: string, value: string): void => ctx.print(`${device} ${human ? field.padEnd(31) : field} ${value}\n`);
    let count: number;
    try {
      count = (await c.domainBlockStatsFlags({ dom, path, nparams: 0, flags: 0 })).nparams;
    } catch (e) {
      if (!(e instanceof LibvirtError && e.code === "VIR_ERR_NO_SUPPORT")) throw e;
      const s = await step(`Failed to get block stats ${name} ${path}`, () => c.domainBlockStats({ dom, path }));
      if (human) {
        ctx.print(`Device: ${device}\n`);
        device = "";
      }
      const values = [s.rd_req, s.rd_bytes, s.wr_req, s.wr_bytes, s.errs];
      values.forEach((v, i) => {
        if (v >= 0n) line(human ? BLOCK_FIELDS[i]![2] : BLOCK_FIELDS[i]![1]!, String(v));
      });
      return;
    }
    const { params } = await step(`Failed to get block stats for domain '${name}' device '${path}'`, () =>
      c.domainBlockStatsFlags({ dom, path, nparams: count, flags: 0 }),
    );
    if (human) {
      ctx.print(`Device: ${device}\n`);
      device = "";
    }
    const printed = new Set<RemoteTypedParam>();
    for (const [field, legacy, words] of BLOCK_FIELDS) {
      const p = params.find((q) => q.field === field && !printed.has(q));
      if (p === undefined) continue;
      printed.add(p);
      line(human ? words : (legacy ?? field), typedParamValue(p.value));
    }
    for (const p of params) if (!printed.has(p) && p.field !== "") ctx.print(`${device} ${p.field} ${typedParamValue(p.value)}\n`);
  },
};

const domifstat: VirshCommand = {
  names: ["domifstat"],
  options: [DOMAIN, { name: "interface", type: "data", required: true }],
  async run(ctx, opts) {
    const name = domainWord(opts);
    const c = await ctx.client();
    const dom = await lookupDomain(c, name);
    const device = stringReq(opts, "interface")!;
    const s = await step(`Failed to get interface stats ${name} ${device}`, () => c.domainInterfaceStats({ dom, device }));
    const fields: [string, bigint][] = [
      ["rx_bytes", s.rx_bytes],
      ["rx_packets", s.rx_packets],
      ["rx_errs", s.rx_errs],
      ["rx_drop", s.rx_drop],
      ["tx_bytes", s.tx_bytes],
      ["tx_packets", s.tx_packets],
      ["tx_errs", s.tx_errs],
      ["tx_drop", s.tx_drop],
    ];
    for (const [field, v] of fields) if (v >= 0n) ctx.print(`${device} ${field} ${v}\n`);
  },
};

const MEMORY_TAGS: ReadonlyMap<number, string> = new Map([
  [VIR_DOMAIN_MEMORY_STAT_SWAP_IN, "swap_in"],
  [VIR_DOMAIN_MEMORY_STAT_SWAP_OUT, "swap_out"],
  [VIR_DOMAIN_MEMORY_STAT_MAJOR_FAULT, "major_fault"],
  [VIR_DOMAIN_MEMORY_STAT_MINOR_FAULT, "minor_fault"],
  [VIR_DOMAIN_MEMORY_STAT_UNUSED, "unused"],
  [VIR_DOMAIN_MEMORY_STAT_AVAILABLE, "available"],
  [VIR_DOMAIN_MEMORY_STAT_USABLE, "usable"],
  [VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON, "actual"],
  [VIR_DOMAIN_MEMORY_STAT_RSS, "rss"],
  [VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE, "last_update"],
  [VIR_DOMAIN_MEMORY_STAT_DISK_CACHES, "disk_caches"],
  [VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGALLOC, "hugetlb_pgalloc"],
  [VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGFAIL, "hugetlb_pgfail"],
]);

const dommemstat: VirshCommand = {
  names: ["dommemstat"],
  options: [DOMAIN, { name: "period", type: "int", named: true }, bool("config"), bool("live"), bool("current")],
  async run(ctx, opts) {
    exclusive(opts, "current", "live");
    exclusive(opts, "current", "config");
    let flags = VIR_DOMAIN_AFFECT_CURRENT;
    if (opts.bool("config")) flags |= VIR_DOMAIN_AFFECT_CONFIG;
    if (opts.bool("live")) flags |= VIR_DOMAIN_AFFECT_LIVE;
    const name = domainWord(opts);
    const c = await ctx.client();
    const dom = await lookupDomain(c, name);
    if (!opts.bool("current") && !opts.bool("live") && !opts.bool("config")) {
      const active = await c.domainIsActive({ dom }).then((r) => r.active, () => -1);
      if (active === 1) flags |= VIR_DOMAIN_AFFECT_LIVE;
    }
    const period = signedOpt(opts, "period", 32);
    if (period !== undefined) {
      if (period < 0n) throw new CommandFailed([`Invalid collection period value '${period}'`]);
      await step("Unable to change balloon collection period.", () => c.domainSetMemoryStatsPeriod({ dom, period: Number(period), flags }));
      return;
    }
    const { stats } = await step(`Failed to get memory statistics for domain ${name}`, () => c.domainMemoryStats({ dom, maxStats: VIR_DOMAIN_MEMORY_STAT_NR, flags: 0 }));
    for (const s of stats) {
      const tag = MEMORY_TAGS.get(s.tag);
      if (tag !== undefined) ctx.print(`${tag} ${s.val}\n`);
    }
  },
};

const IO_ERRORS = ["no error", "unspecified error", "no space"];

const domblkerror: VirshCommand = {
  names: ["domblkerror"],
  options: [DOMAIN],
  async run(ctx, opts) {
    const c = await ctx.client();
    const dom = await lookupDomain(c, domainWord(opts));
    const count = (await c.domainGetDiskErrors({ dom, maxerrors: 0, flags: 0 })).nerrors;
    const errors = count > 0 ? (await c.domainGetDiskErrors({ dom, maxerrors: count, flags: 0 })).errors : [];
    if (errors.length === 0) ctx.print("No errors found\n");
    for (const e of errors) ctx.print(`${e.disk}: ${IO_ERRORS[e.error] ?? "unknown error"}\n`);
  },
};

const CONTROL_STATES = ["ok", "background job", "occupied", "error"];
const CONTROL_ERRORS = ["", "unknown", "monitor failure", "internal (locking) error"];
const CONTROL_OK = 0;
const CONTROL_ERROR = 3;

const domcontrol: VirshCommand = {
  names: ["domcontrol"],
  options: [DOMAIN],
  async run(ctx, opts) {
    const c = await ctx.client();
    const dom = await lookupDomain(c, domainWord(opts));
    const info = await c.domainGetControlInfo({ dom, flags: 0 });
    const state = CONTROL_STATES[info.state] ?? "unknown";
    if (info.state !== CONTROL_OK && info.state !== CONTROL_ERROR) ctx.print(`${state} (${fixed(Number(info.stateTime) / 1000, 3)}s)\n`);
    else if (info.state === CONTROL_ERROR && info.details > 0) ctx.print(`${state}: ${CONTROL_ERRORS[info.details] ?? "unknown"}\n`);
    else ctx.print(`${state}\n`);
  },
};

const domtime: VirshCommand = {
  names: ["domtime"],
  options: [DOMAIN, bool("now"), bool("pretty"), bool("sync"), { name: "time", type: "int" }],
  async run(ctx, opts) {
    const given = (o: string): boolean => opts.bool(o) || opts.string(o) !== undefined;
    for (const [a, b] of [
      ["time", "now"],
      ["time", "sync"],
      ["now", "sync"],
    ] as const) {
      if (given(a) && given(b)) throw new CommandFailed([`Options --${a} and --${b} are mutually exclusive`]);
    }
    const c = await ctx.client();
    const dom = await lookupDomain(c, domainWord(opts));
    let seconds = signedOpt(opts, "time", 64);
    if (seconds !== undefined || opts.bool("now") || opts.bool("sync")) {
      if (opts.bool("now")) seconds = BigInt(Math.floor(Date.now() / 1000));
      await c.domainSetTime({ dom, seconds: seconds ?? 0n, nseconds: 0, flags: opts.bool("sync") ? VIR_DOMAIN_TIME_SYNC : 0 });
      return;
    }
    const t = await c.domainGetTime({ dom, flags: 0 });
    if (opts.bool("pretty")) {
      const d = new Date(Number(t.seconds) * 1000);
      const two = (n: number): string => String(n).padStart(2, "0");
      ctx.print(`Time: ${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`);
    } else {
      ctx.print(`Time: ${t.seconds}`);
    }
  },
};

const ADDRESS_SOURCES: Record<string, number> = {
  lease: VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE,
  agent: VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT,
  arp: VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP,
};

const domifaddr: VirshCommand = {
  names: ["domifaddr"],
  options: [DOMAIN, { name: "interface", type: "string" }, bool("full"), { name: "source", type: "string" }],
  async run(ctx, opts) {
    const only = stringReq(opts, "interface");
    const sourceWord = stringReq(opts, "source");
    const source = sourceWord === undefined ? VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE : ADDRESS_SOURCES[sourceWord];
    if (source === undefined) throw new CommandFailed([`Unknown data source '${sourceWord}'`]);
    const c = await ctx.client();
    const dom = await lookupDomain(c, domainWord(opts));
    const { ifaces } = await step("Failed to query for interfaces addresses", () => c.domainInterfaceAddresses({ dom, source, flags: 0 }));
    ctx.printExtra(` ${"Name".padEnd(10)} ${"MAC address".padEnd(20)} ${"Protocol".padEnd(8)}     Address\n${"-".repeat(79)}\n`);
    const row = (a: string, b: string, rest: string): void => ctx.print(` ${a.padEnd(10)} ${b.padEnd(17)}    ${rest}\n`);
    for (const iface of ifaces) {
      if (only !== undefined && only !== iface.name) continue;
      if (iface.addrs.length === 0) {
        row(iface.name, iface.hwaddr ?? "N/A", `${"N/A".padEnd(12)} N/A`);
        continue;
      }
      iface.addrs.forEach((a, j) => {
        const type = a.type === VIR_IP_ADDR_TYPE_IPV4 ? "ipv4" : a.type === VIR_IP_ADDR_TYPE_IPV6 ? "ipv6" : "(null)";
        const text = `${type.padEnd(12)} ${a.addr}/${a.prefix}`;
        if (opts.bool("full") || j === 0) row(iface.name, iface.hwaddr ?? "", text);
        else row("-", "-", text);
      });
    }
  },
};

export const commands: VirshCommand[] = [domblkstat, domifstat, dommemstat, domblkerror, domcontrol, domtime, domifaddr];
