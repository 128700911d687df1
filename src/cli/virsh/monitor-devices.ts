// virsh-domain-monitor.c's commands that read a domain's devices from its
// XML: domblklist, domiflist, domblkinfo, domif-getlink.

import type { Client } from "../../client/client.js";
import type { RemoteNonnullDomain, RemoteDomainGetBlockInfoRet } from "../../gen/remote_protocol.js";
import { LibvirtError } from "../../rpc/errors.js";
import { formatTable } from "../format/admin.js";
import type { OptDef } from "../command.js";
import { CommandFailed, type VshContext, type VirshCommand } from "../vsh.js";
import { attrAt, parseXml, select, type XmlNode } from "./monitor-xml.js";
import { domainWord } from "./monitor-opts.js";
import { fixed, lookupDomain, step, stringReq } from "./util.js";
import { VIR_DOMAIN_XML_INACTIVE } from "../../gen/friendly/constants.js";

const DOMAIN: OptDef = { name: "domain", type: "data", required: true };
const bool = (name: string): OptDef => ({ name, type: "bool" });

/** virshDomainGetXMLFromDom: the domain's XML as a tree, or virsh's line for what failed. */
export async function domainXml(c: Client, dom: RemoteNonnullDomain, flags: number): Promise<XmlNode> {
  const { xml } = await step("Failed to get domain description xml", () => c.domainGetXmlDesc({ dom, flags }));
  const root = parseXml(xml);
  if (root === null) throw new CommandFailed(["Failed to parse domain description xml"]);
  return root;
}

/** virshDomainGetXML: the domain the command names, then its XML. */
async function namedDomainXml(ctx: VshContext, word: string, flags: number): Promise<{ c: Client; dom: RemoteNonnullDomain; root: XmlNode }> {
  const c = await ctx.client();
  const dom = await lookupDomain(c, word);
  return { c, dom, root: await domainXml(c, dom, flags) };
}

function table(ctx: VshContext, header: string[], rows: string[][]): void {
  ctx.print(formatTable(header, rows, !ctx.globals.quiet));
}

const domblklist: VirshCommand = {
  names: ["domblklist"],
  options: [DOMAIN, bool("inactive"), bool("details")],
  async run(ctx, opts) {
    const details = opts.bool("details");
    const { root } = await namedDomainXml(ctx, domainWord(opts), opts.bool("inactive") ? VIR_DOMAIN_XML_INACTIVE : 0);
    const rows: string[][] = [];
    for (const disk of select(root, "devices/disk")) {
      const type = attrAt(disk, ".", "type");
      const device = attrAt(disk, ".", "device");
      if (details && (type === undefined || device === undefined)) {
        ctx.print("unable to query block list details");
        return false;
      }
      const target = attrAt(disk, "target", "dev");
      if (target === undefined) throw new CommandFailed(["unable to query block list"]);
      let source: string;
      if (type === "nvme") {
        const ns = attrAt(disk, "source", "namespace");
        const addr = select(disk, "source/address")[0];
        if (ns === undefined || addr === undefined) throw new CommandFailed(["Unable to query NVMe disk address"]);
        const part = (k: string): number => Number(addr.attrs.get(k) ?? "0");
        const hex = (n: number, w: number): string => n.toString(16).padStart(w, "0");
        source = `nvme://${hex(part("domain"), 4)}:${hex(part("bus"), 2)}:${hex(part("slot"), 2)}.${part("function")}/${ns}`;
      } else {
        source = attrAt(disk, "source", "file", "dev", "dir", "name", "volume", "path") ?? "-";
      }
      rows.push(details ? [type!, device!, target, source] : [target, source]);
    }
    table(ctx, details ? ["Type", "Device", "Target", "Source"] : ["Target", "Source"], rows);
    return true;
  },
};

const domiflist: VirshCommand = {
  names: ["domiflist"],
  options: [DOMAIN, bool("inactive")],
  async run(ctx, opts) {
    const { root } = await namedDomainXml(ctx, domainWord(opts), opts.bool("inactive") ? VIR_DOMAIN_XML_INACTIVE : 0);
    const rows = select(root, "devices/interface").map((i) => [
      attrAt(i, "target", "dev") ?? "-",
      attrAt(i, ".", "type") ?? "",
      attrAt(i, "source", "bridge", "dev", "network", "name", "path") ?? "-",
      attrAt(i, "model", "type") ?? "-",
      attrAt(i, "mac", "address") ?? "-",
    ]);
    table(ctx, ["Interface", "Type", "Source", "Model", "MAC"], rows);
  },
};

/** vshPrettyCapacity's value and unit. */
function pretty(bytes: bigint): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  const val = Number(bytes);
  let i = 0;
  while (i < units.length - 1 && val >= 1024 ** (i + 1)) i++;
  return `${fixed(val / 1024 ** i, 3)} ${units[i]}`;
}

/** cmdDomblkinfoGet: the three sizes as virsh prints them. */
function sizes(info: RemoteDomainGetBlockInfoRet, human: boolean): string[] {
  const all = [info.capacity, info.allocation, info.physical];
  if (all.every((v) => v === 0n)) return ["-", "-", "-"];
  return all.map((v) => (human ? pretty(v) : String(v)));
}

const domblkinfo: VirshCommand = {
  names: ["domblkinfo"],
  options: [DOMAIN, { name: "device", type: "string" }, bool("human"), bool("all")],
  async run(ctx, opts) {
    if (opts.bool("all") && opts.string("device") !== undefined) throw new CommandFailed(["Options --all and --device are mutually exclusive"]);
    const c = await ctx.client();
    const dom = await lookupDomain(c, domainWord(opts));
    const all = opts.bool("all");
    const device = opts.string("device");
    if (!all && (device === undefined || device === "")) throw new CommandFailed(["command 'domblkinfo' requires <device> option"]);
    const human = opts.bool("human");
    if (!all) {
      const info = await c.domainGetBlockInfo({ dom, path: device!, flags: 0 });
      const [cap, alloc, phy] = sizes(info, human);
      ctx.print(`${"Capacity:".padEnd(15)} ${cap}\n${"Allocation:".padEnd(15)} ${alloc}\n${"Physical:".padEnd(15)} ${phy}\n`);
      return;
    }
    const active = await c.domainIsActive({ dom }).then((r) => r.active === 1, () => false);
    const root = await domainXml(c, dom, 0);
    const rows: string[][] = [];
    for (const disk of select(root, "devices/disk")) {
      const target = attrAt(disk, "target", "dev") ?? "";
      let info: RemoteDomainGetBlockInfoRet = { capacity: 0n, allocation: 0n, physical: 0n };
      if (select(disk, "source").length > 0) {
        try {
          info = await c.domainGetBlockInfo({ dom, path: target, flags: 0 });
        } catch (e) {
          // A network disk of an inactive domain has no sizes to give: virsh shows it as empty.
          const network = attrAt(disk, "source", "protocol") !== undefined;
          if (!(network && !active && e instanceof LibvirtError && e.code === "VIR_ERR_INTERNAL_ERROR" && e.domain === "VIR_FROM_STORAGE")) throw e;
        }
      }
      rows.push([target, ...sizes(info, human)]);
    }
    table(ctx, ["Target", "Capacity", "Allocation", "Physical"], rows);
  },
};

/** virMacAddrParse then virMacAddrFormat: the address in lower case with two digits a part, or null. */
function normalMac(text: string): string | null {
  const m = /^([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})/.exec(text);
  // After the sixth part, anything from a blank or control character on is ignored.
  const after = m === null ? undefined : text.charCodeAt(m[0].length);
  if (m === null || (!Number.isNaN(after) && after! > 0x20)) return null;
  return m.slice(1, 7).map((p) => p.toLowerCase().padStart(2, "0")).join(":");
}

const domifGetlink: VirshCommand = {
  names: ["domif-getlink"],
  options: [DOMAIN, { name: "interface", type: "data", required: true }, { name: "persistent", type: "alias", alias: "config" }, bool("config")],
  async run(ctx, opts) {
    const iface = stringReq(opts, "interface")!;
    const { root } = await namedDomainXml(ctx, domainWord(opts), opts.bool("config") ? VIR_DOMAIN_XML_INACTIVE : 0);
    const mac = normalMac(iface) ?? "";
    const found = select(root, "devices/interface").filter(
      (i) => select(i, "mac").some((m) => m.attrs.get("address") === mac) || select(i, "target").some((t) => t.attrs.get("dev") === iface),
    );
    if (found.length < 1) throw new CommandFailed([mac !== "" ? `Interface (mac: ${mac}) not found.` : `Interface (dev: ${iface}) not found.`]);
    if (found.length > 1) throw new CommandFailed(["multiple matching interfaces found"]);
    // No newline: virsh prints none here, only the blank line after every command.
    ctx.print(`${iface} ${attrAt(found[0]!, "link", "state") ?? "up"}`);
  },
};

export const commands: VirshCommand[] = [domblklist, domiflist, domblkinfo, domifGetlink];
