// virsh-domain.c: a domain's vCPU counts: vcpucount, setvcpus.

import type { Client } from "../../client/client.js";
import type { RemoteNonnullDomain } from "../../gen/remote_protocol.js";
import { LibvirtError } from "../../rpc/errors.js";
import { CommandFailed, uintOpt, type VirshCommand } from "../vsh.js";
import { CONFIG_LIVE_CURRENT, DOMAIN, LIVE_CONFIG_CURRENT, bool, clientError, exclusiveVars, requireVar } from "./dom-opts.js";
import { first, parseXml, xpathInt } from "./dom-xml.js";
import { lookupDomain } from "./util.js";
import {
  VIR_DOMAIN_AFFECT_CONFIG,
  VIR_DOMAIN_AFFECT_CURRENT,
  VIR_DOMAIN_AFFECT_LIVE,
  VIR_DOMAIN_VCPU_GUEST,
  VIR_DOMAIN_VCPU_HOTPLUGGABLE,
  VIR_DOMAIN_VCPU_MAXIMUM,
  VIR_DOMAIN_XML_INACTIVE,
} from "../../gen/friendly/constants.js";

/**
 * virshCPUCountCollect: a count for the flags; null where `checkState`
 * finds the domain in no state to have one (inactive for live, transient
 * for config); falls back to older calls where the daemon lacks the new one.
 */
export async function cpuCount(c: Client, dom: RemoteNonnullDomain, flags: number, checkState: boolean): Promise<number | null> {
  if (checkState) {
    if ((flags & VIR_DOMAIN_AFFECT_LIVE) !== 0 && (await c.domainIsActive({ dom })).active < 1) return null;
    if ((flags & VIR_DOMAIN_AFFECT_CONFIG) !== 0 && (await c.domainIsPersistent({ dom })).persistent < 1) return null;
  }
  try {
    return (await c.domainGetVcpusFlags({ dom, flags })).num;
  } catch (e) {
    if (!(e instanceof LibvirtError) || (e.code !== "VIR_ERR_NO_SUPPORT" && e.code !== "VIR_ERR_INVALID_ARG")) throw e;
    // virsh says so before the library's error, which it has not cleared yet.
    if ((flags & VIR_DOMAIN_VCPU_GUEST) !== 0) throw new CommandFailed(["Failed to retrieve vCPU count from the guest"], { cause: e });
  }
  if ((flags & (VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG)) === 0 && (await c.domainIsActive({ dom })).active === 1) flags |= VIR_DOMAIN_AFFECT_LIVE;
  if ((flags & VIR_DOMAIN_AFFECT_LIVE) !== 0) {
    if ((flags & VIR_DOMAIN_VCPU_MAXIMUM) !== 0) return (await c.domainGetMaxVcpus({ dom })).num;
    return (await c.domainGetInfo({ dom })).nrVirtCpu;
  }
  const vcpu = first(parseXml((await c.domainGetXmlDesc({ dom, flags: VIR_DOMAIN_XML_INACTIVE })).xml), ["vcpu"]);
  const maximum = (flags & VIR_DOMAIN_VCPU_MAXIMUM) !== 0;
  const n = xpathInt(maximum ? vcpu?.text : vcpu?.attrs.get("current"));
  if (n === null) throw new CommandFailed([maximum ? "Failed to retrieve maximum vcpu count" : "Failed to retrieve current vcpu count"]);
  return n;
}

export const commands: VirshCommand[] = [
  {
    names: ["vcpucount"],
    options: [DOMAIN, bool("maximum"), bool("active"), ...LIVE_CONFIG_CURRENT, bool("guest")],
    async run(ctx, opts) {
      const maximum = opts.bool("maximum");
      const active = opts.bool("active");
      const config = opts.bool("config");
      const live = opts.bool("live");
      const guest = opts.bool("guest");
      let current = opts.bool("current");
      const all = !maximum && !active && !current && !config && !live && !guest;
      // Before 0.9.4 --current meant "not --maximum": alone it asks for nothing more.
      if (!maximum && !active && current) current = false;
      exclusiveVars("live", live, "config", config);
      exclusiveVars("current", current, "live", live);
      exclusiveVars("current", current, "config", config);
      exclusiveVars("active", active, "maximum", maximum);
      exclusiveVars("guest", guest, "config", config);
      const flags =
        VIR_DOMAIN_AFFECT_CURRENT |
        (live ? VIR_DOMAIN_AFFECT_LIVE : 0) |
        (config ? VIR_DOMAIN_AFFECT_CONFIG : 0) |
        (maximum ? VIR_DOMAIN_VCPU_MAXIMUM : 0) |
        (guest ? VIR_DOMAIN_VCPU_GUEST : 0);
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      if (!all) {
        ctx.print(`${await cpuCount(c, dom, flags, false)}\n`);
        return;
      }
      const confMax = await cpuCount(c, dom, VIR_DOMAIN_AFFECT_CONFIG | VIR_DOMAIN_VCPU_MAXIMUM, true);
      const confCur = await cpuCount(c, dom, VIR_DOMAIN_AFFECT_CONFIG, true);
      const liveMax = await cpuCount(c, dom, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_VCPU_MAXIMUM, true);
      const liveCur = await cpuCount(c, dom, VIR_DOMAIN_AFFECT_LIVE, true);
      const rows: [number | null, string, string][] = [
        [confMax, "maximum", "config"],
        [liveMax, "maximum", "live"],
        [confCur, "current", "config"],
        [liveCur, "current", "live"],
      ];
      for (const [n, which, state] of rows) if (n !== null && n > 0) ctx.print(`${which.padEnd(12)} ${state.padEnd(12)} ${String(n).padStart(3)}\n`);
    },
  },
  {
    names: ["setvcpus"],
    options: [DOMAIN, { name: "count", type: "int", required: true }, bool("maximum"), ...CONFIG_LIVE_CURRENT, bool("guest"), bool("hotpluggable")],
    async run(ctx, opts) {
      const maximum = opts.bool("maximum");
      const config = opts.bool("config");
      const live = opts.bool("live");
      const current = opts.bool("current");
      const guest = opts.bool("guest");
      exclusiveVars("current", current, "live", live);
      exclusiveVars("current", current, "config", config);
      exclusiveVars("guest", guest, "config", config);
      requireVar("maximum", maximum, "config", config);
      const flags =
        (config ? VIR_DOMAIN_AFFECT_CONFIG : 0) |
        (live ? VIR_DOMAIN_AFFECT_LIVE : 0) |
        (guest ? VIR_DOMAIN_VCPU_GUEST : 0) |
        (maximum ? VIR_DOMAIN_VCPU_MAXIMUM : 0) |
        (opts.bool("hotpluggable") ? VIR_DOMAIN_VCPU_HOTPLUGGABLE : 0);
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const count = uintOpt(opts, "count")!;
      if (count === 0) throw new CommandFailed(["Can't set 0 processors for a VM"]);
      if (!current && flags === 0) {
        await c.domainSetVcpus({ dom, nvcpus: count });
        return;
      }
      if ((flags & VIR_DOMAIN_VCPU_GUEST) !== 0 && (flags & VIR_DOMAIN_AFFECT_CONFIG) !== 0) {
        throw clientError("invalid argument: Flags 'VIR_DOMAIN_VCPU_GUEST' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive");
      }
      await c.domainSetVcpusFlags({ dom, nvcpus: count, flags });
    },
  },
];
