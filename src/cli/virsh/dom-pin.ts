// virsh-domain.c: which host CPUs a domain's vCPUs, emulator and
// IOThreads may run on: vcpuinfo, vcpupin, emulatorpin, iothreadpin.

import type { Client } from "../../client/client.js";
import type { RemoteNonnullDomain } from "../../gen/remote_protocol.js";
import { formatTable } from "../format/admin.js";
import type { Opts } from "../command.js";
import { CommandFailed, uintOpt, type VirshCommand } from "../vsh.js";
import { cpumapText } from "./dom-iothread.js";
import { CONFIG_LIVE_CURRENT, DOMAIN, affectFlags, bool, exclusiveVars, nonEmpty } from "./dom-opts.js";
import { all, first, parseXml, xpathInt } from "./dom-xml.js";
import { fixed, lookupDomain } from "./util.js";
import { cpuCount } from "./dom-vcpu.js";
import {
  VIR_DOMAIN_AFFECT_CONFIG,
  VIR_DOMAIN_AFFECT_CURRENT,
  VIR_DOMAIN_AFFECT_LIVE,
  VIR_DOMAIN_SHUTOFF,
  VIR_DOMAIN_VCPU_MAXIMUM,
  VIR_DOMAIN_XML_INACTIVE,
} from "../../gen/friendly/constants.js";

const VCPU_STATES = ["offline", "running", "blocked"];

/** VIR_CPU_MAPLEN. */
const mapLen = (cpus: number): number => Math.floor((cpus + 7) / 8);

/** virshNodeGetCPUCount: the host's CPUs, from its CPU map, else its node info. */
async function hostCpus(c: Client): Promise<number> {
  try {
    return (await c.nodeGetCpuMap({ need_map: 0, need_online: 0, flags: 0 })).ret;
  } catch {
    const info = await c.nodeGetInfo();
    return info.nodes * info.sockets * info.cores * info.threads;
  }
}

/**
 * virshParseCPUList: "r" for every host CPU, else virBitmapParse's list
 * (N, N-M, ^N, commas), as the bytes of a CPU map no longer than its last CPU needs.
 */
function parseCpuList(text: string, maxcpu: number): Uint8Array {
  const bits = new Set<number>();
  if (text.startsWith("r")) {
    for (let i = 0; i < maxcpu; i++) bits.add(i);
  } else {
    const parsed = parseBitmap(text);
    if (parsed === null) throw new CommandFailed([`Invalid cpulist '${text}'`], { cause: new Error(`invalid argument: Failed to parse bitmap '${text}'`) });
    if (parsed.size === 0) throw new CommandFailed([`Invalid cpulist '${text}'`]);
    const last = Math.max(...parsed);
    if (last >= maxcpu) throw new CommandFailed([`CPU ${last} in cpulist '${text}' exceed the maxcpu ${maxcpu}`]);
    for (const b of parsed) bits.add(b);
  }
  const last = bits.size === 0 ? -1 : Math.max(...bits);
  const map = new Uint8Array(last < 0 ? 1 : Math.floor((last + 8) / 8));
  for (const b of bits) map[b >> 3]! |= 1 << (b & 7);
  return map;
}

/** virBitmapParse with a 1024-bit map: null where the text is no list of CPUs. */
function parseBitmap(text: string): Set<number> | null {
  const set = new Set<number>();
  const s = text.replace(/^[ \t\n\v\f\r]+/, "");
  if (s === "") return null;
  let p = 0;
  const spaces = (): void => {
    while (/[ \t\n\v\f\r]/.test(s[p] ?? "")) p++;
  };
  const number = (): number | null => {
    const m = /^[ \t\n\v\f\r]*[+-]?\d+/.exec(s.slice(p));
    if (m === null) return null;
    p += m[0].length;
    const n = Number(m[0].trim());
    return n >= -(2 ** 31) && n < 2 ** 31 ? n : null;
  };
  while (p < s.length) {
    let neg = false;
    if (s[p] === "^") {
      p++;
      neg = true;
    }
    if (!/\d/.test(s[p] ?? "")) return null;
    const start = number();
    if (start === null || start < 0) return null;
    spaces();
    if (s[p] === "," || p >= s.length) {
      if (start >= 1024) return null;
      if (neg) set.delete(start);
      else set.add(start);
    } else if (s[p] === "-") {
      if (neg) return null;
      p++;
      spaces();
      const last = number();
      if (last === null || last < start) return null;
      for (let i = start; i <= last; i++) {
        if (i >= 1024) return null;
        set.add(i);
      }
      spaces();
    }
    if (s[p] === ",") {
      p++;
      spaces();
    } else if (p >= s.length) break;
    else return null;
  }
  return set;
}

/** One CPU's map out of a run of them. */
const mapOf = (maps: Uint8Array, len: number, i: number): Uint8Array => maps.subarray(i * len, (i + 1) * len);

/** virshVcpuinfoPrintAffinity. */
function affinityLine(map: Uint8Array, maxcpu: number, pretty: boolean): string {
  let text = "";
  if (pretty) text = `${cpumapText(map)} (out of ${maxcpu})`;
  else for (let i = 0; i < maxcpu; i++) text += (map[i >> 3]! & (1 << (i & 7))) !== 0 ? "y" : "-";
  return `${"CPU Affinity:".padEnd(15)} ${text}\n`;
}

/** virshDomainGetVcpuBitmap: which vCPUs of the inactive definition are online. */
async function onlineVcpus(c: Client, dom: RemoteNonnullDomain): Promise<number[]> {
  const root = parseXml((await c.domainGetXmlDesc({ dom, flags: VIR_DOMAIN_XML_INACTIVE })).xml);
  const vcpu = first(root, ["vcpu"]);
  const max = xpathInt(vcpu?.text);
  if (max === null || max < 0) throw new CommandFailed(["Failed to retrieve maximum vcpu count"]);
  let current = xpathInt(vcpu?.attrs.get("current")) ?? 0;
  if (current <= 0) current = max;
  const nodes = all(root, ["vcpus", "vcpu"]);
  if (nodes.length === 0) return Array.from({ length: Math.min(current, max) }, (_, i) => i);
  const on = new Set<number>();
  for (const n of nodes) {
    const id = xpathInt(n.attrs.get("id"));
    if (id !== null && id >= 0 && id < max && n.attrs.get("enabled") === "yes") on.add(id);
  }
  if (on.size !== current) throw new CommandFailed(["Failed to retrieve vcpu state bitmap"]);
  return [...on].sort((a, b) => a - b);
}

async function domainFor(ctx: Parameters<VirshCommand["run"]>[0], opts: Opts): Promise<{ c: Client; dom: RemoteNonnullDomain }> {
  const c = await ctx.client();
  return { c, dom: await lookupDomain(c, opts.string("domain")!) };
}

export const commands: VirshCommand[] = [
  {
    names: ["vcpuinfo"],
    options: [DOMAIN, bool("pretty")],
    async run(ctx, opts) {
      const pretty = opts.bool("pretty");
      const { c, dom } = await domainFor(ctx, opts);
      const maxcpu = await hostCpus(c);
      const info = await c.domainGetInfo({ dom });
      const len = mapLen(maxcpu);
      let vcpus: Awaited<ReturnType<Client["domainGetVcpus"]>>;
      try {
        vcpus = await c.domainGetVcpus({ dom, maxinfo: info.nrVirtCpu, maplen: len });
      } catch (e) {
        if (info.state !== VIR_DOMAIN_SHUTOFF) throw e;
        // A shut-off domain: only its pinning is known.
        const online = await onlineVcpus(c, dom);
        const size = online.length === 0 ? 0 : Math.max(...online) + 1;
        const { cpumaps } = await c.domainGetVcpuPinInfo({ dom, ncpumaps: size, maplen: len, flags: VIR_DOMAIN_AFFECT_CONFIG });
        ctx.print(
          online
            .map((n) => `${"VCPU:".padEnd(15)} ${n}\n${"CPU:".padEnd(15)} N/A\n${"State:".padEnd(15)} N/A\n${"CPU time".padEnd(15)} N/A\n${affinityLine(mapOf(cpumaps, len, n), maxcpu, pretty)}`)
            .join("\n"),
        );
        return;
      }
      const out = vcpus.info.map((v, n) => {
        let text = `${"VCPU:".padEnd(15)} ${v.number}\n${"CPU:".padEnd(15)} ${v.cpu}\n${"State:".padEnd(15)} ${VCPU_STATES[v.state] ?? "(null)"}\n`;
        if (v.cpu_time !== 0n) text += `${"CPU time:".padEnd(15)} ${fixed(Number(v.cpu_time) / 1e9, 1)}s\n`;
        return text + affinityLine(mapOf(vcpus.cpumaps, len, n), maxcpu, pretty);
      });
      ctx.print(out.join("\n"));
    },
  },
  {
    names: ["vcpupin"],
    options: [DOMAIN, { name: "vcpu", type: "int" }, { name: "cpulist", type: "string" }, ...CONFIG_LIVE_CURRENT],
    async run(ctx, opts) {
      const flags = affectFlags(opts);
      const live = opts.bool("live");
      const config = opts.bool("config");
      // --cpulist may be given empty (and is then no list of CPUs).
      const cpulist = opts.string("cpulist");
      if (cpulist === undefined) exclusiveVars("live", live, "config", config);
      const vcpu = uintOpt(opts, "vcpu");
      if (cpulist !== undefined && vcpu === undefined) throw new CommandFailed(["vcpupin: Missing vCPU number in pin mode."]);
      const c = await ctx.client();
      const maxcpu = await hostCpus(c);
      const dom = await lookupDomain(c, opts.string("domain")!);
      if (cpulist === undefined) {
        const ncpus = await cpuCount(c, dom, flags | VIR_DOMAIN_VCPU_MAXIMUM, true);
        if (ncpus === null) throw new CommandFailed([(flags & VIR_DOMAIN_AFFECT_LIVE) !== 0 ? "cannot get vcpupin for offline domain" : "cannot get vcpupin for transient domain"]);
        if (vcpu !== undefined && vcpu >= ncpus) {
          const liveCount = (flags & VIR_DOMAIN_AFFECT_LIVE) !== 0 || ((flags & VIR_DOMAIN_AFFECT_CONFIG) === 0 && (await c.domainIsActive({ dom })).active === 1);
          throw new CommandFailed([`vcpu ${vcpu} is out of range of ${liveCount ? "live" : "persistent"} cpu count ${ncpus}`]);
        }
        const len = mapLen(maxcpu);
        const got = await c.domainGetVcpuPinInfo({ dom, ncpumaps: ncpus, maplen: len, flags }).catch(() => null);
        if (got === null) return;
        const rows: string[][] = [];
        for (let i = 0; i < got.num; i++) if (vcpu === undefined || i === vcpu) rows.push([String(i), cpumapText(mapOf(got.cpumaps, len, i))]);
        ctx.print(formatTable(["VCPU", "CPU Affinity"], rows, !ctx.globals.quiet));
        return;
      }
      const cpumap = parseCpuList(cpulist, maxcpu);
      if (flags === VIR_DOMAIN_AFFECT_CURRENT && !opts.bool("current")) await c.domainPinVcpu({ dom, vcpu: vcpu!, cpumap });
      else await c.domainPinVcpuFlags({ dom, vcpu: vcpu!, cpumap, flags });
    },
  },
  {
    names: ["emulatorpin"],
    options: [DOMAIN, { name: "cpulist", type: "string" }, ...CONFIG_LIVE_CURRENT],
    async run(ctx, opts) {
      let flags = affectFlags(opts);
      const none = !opts.bool("current") && !opts.bool("live") && !opts.bool("config");
      const { c, dom } = await domainFor(ctx, opts);
      const cpulist = opts.string("cpulist");
      const maxcpu = await hostCpus(c);
      if (cpulist === undefined) {
        const len = mapLen(maxcpu);
        const got = await c.domainGetEmulatorPinInfo({ dom, maplen: len, flags }).catch(() => null);
        if (got === null) return false;
        ctx.printExtra("emulator: CPU Affinity\n");
        ctx.printExtra("----------------------------------\n");
        ctx.printExtra("       *: ");
        ctx.print(`${cpumapText(got.cpumaps.subarray(0, len))}\n`);
        return true;
      }
      const cpumap = parseCpuList(cpulist, maxcpu);
      if (none) flags = VIR_DOMAIN_AFFECT_LIVE;
      await c.domainPinEmulator({ dom, cpumap, flags });
      return true;
    },
  },
  {
    names: ["iothreadpin"],
    options: [DOMAIN, { name: "iothread", type: "int", required: true }, { name: "cpulist", type: "data", required: true }, ...CONFIG_LIVE_CURRENT],
    async run(ctx, opts) {
      const flags = affectFlags(opts);
      const { c, dom } = await domainFor(ctx, opts);
      const iothreads_id = uintOpt(opts, "iothread")!;
      const cpulist = nonEmpty(opts, "cpulist")!;
      const maxcpu = await hostCpus(c);
      const cpumap = parseCpuList(cpulist, maxcpu);
      await c.domainPinIothread({ dom, iothreads_id, cpumap, flags });
    },
  },
];

