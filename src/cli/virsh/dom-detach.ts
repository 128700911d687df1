// virsh-domain.c: commands that find a device in the domain's XML and
// send it back changed or to be removed: detach-disk, detach-interface,
// change-media, domif-setlink, update-memory-device.

import type { Client } from "../../client/client.js";
import type { RemoteNonnullDomain } from "../../gen/remote_protocol.js";
import type { Opts } from "../command.js";
import { CommandFailed, exclusive, uintOpt, type VirshCommand, type VshContext } from "../vsh.js";
import { CONFIG_LIVE_CURRENT, DOMAIN, affectFlags, bool, exclusiveVars, nonEmpty, scaledOpt } from "./dom-opts.js";
import { findDisk, macEqual, newElement, nodeText, parseDomain, pathAttr, selectElements, setProp, subElement, updateDiskXml, type MediaChange } from "./dom-device-find.js";
import type { XmlElem } from "./pool-xml-doc.js";
import { lookupDomain, step } from "./util.js";
import { VIR_DOMAIN_AFFECT_CONFIG, VIR_DOMAIN_AFFECT_LIVE, VIR_DOMAIN_DEVICE_MODIFY_FORCE, VIR_DOMAIN_XML_INACTIVE } from "../../gen/friendly/constants.js";

const isActive = async (c: Client, dom: RemoteNonnullDomain): Promise<boolean> => (await c.domainIsActive({ dom })).active === 1;

/** virshDomainGetXMLFromDom: the XML parsed, or virsh's words for why not. */
async function domainXml(c: Client, dom: RemoteNonnullDomain, flags: number): Promise<XmlElem> {
  const { xml } = await step("Failed to get domain description xml", () => c.domainGetXmlDesc({ dom, flags }));
  const root = parseDomain(xml);
  if (root === null) throw new CommandFailed(["Failed to parse domain description xml"]);
  return root;
}

/**
 * virshDomainDetachInterface on one of the domain's XMLs: the interface
 * of that type (with --mac, the one with that address), printed or
 * detached.
 */
async function detachInterface(ctx: VshContext, c: Client, dom: RemoteNonnullDomain, xml: string, flags: number, opts: Opts, type: string, mac: string | undefined): Promise<void> {
  const root = parseDomain(xml);
  if (root === null) throw new CommandFailed(["Failed to get interface information"]);
  const nodes = selectElements(root, `/domain/devices/interface[@type='${type}']`);
  if (nodes.length === 0) throw new CommandFailed([`No interface found whose type is ${type}`]);
  let match: XmlElem | undefined;
  if (mac !== undefined) {
    for (const n of nodes) {
      const address = pathAttr(n, "mac", "address");
      if (address === undefined || !macEqual(address, mac)) continue;
      if (match !== undefined) {
        throw new CommandFailed([`Domain has multiple interfaces matching MAC address ${mac}. You must use detach-device and specify the device pci address to remove it.`]);
      }
      match = n;
    }
  } else {
    if (nodes.length > 1) throw new CommandFailed([`Domain has ${nodes.length} interfaces. Please specify which one to detach using --mac`]);
    match = nodes[0];
  }
  if (match === undefined) throw new CommandFailed([`No interface with MAC address ${mac} was found`]);
  const device = nodeText(match);
  if (opts.bool("print-xml")) {
    ctx.print(device);
    return;
  }
  await (flags !== 0 || opts.bool("current") ? c.domainDetachDeviceFlags({ dom, xml: device, flags }) : c.domainDetachDevice({ dom, xml: device }));
}

/** vshCommandOptBool's three actions of change-media, --update without a source being --eject. */
function mediaChange(opts: Opts, source: string | undefined): { change: MediaChange; done: string } {
  let eject = opts.bool("eject");
  const insert = opts.bool("insert");
  let update = opts.bool("update");
  if (update && source === undefined) {
    update = false;
    eject = true;
  }
  if (update || (!eject && !insert)) return { change: "update", done: "Successfully updated media." };
  if (insert) return { change: "insert", done: "Successfully inserted media." };
  return { change: "eject", done: "Successfully ejected media." };
}

export const commands: VirshCommand[] = [
  {
    names: ["detach-disk"],
    options: [DOMAIN, { name: "target", type: "data", required: true }, bool("persistent"), ...CONFIG_LIVE_CURRENT, bool("print-xml")],
    async run(ctx, opts) {
      const persistent = opts.bool("persistent");
      exclusiveVars("persistent", persistent, "current", opts.bool("current"));
      let flags = affectFlags(opts) | (persistent ? VIR_DOMAIN_AFFECT_CONFIG : 0);
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const target = nonEmpty(opts, "target")!;
      const { xml } = await c.domainGetXmlDesc({ dom, flags: flags === VIR_DOMAIN_AFFECT_CONFIG ? VIR_DOMAIN_XML_INACTIVE : 0 });
      if (persistent && (await isActive(c, dom))) flags |= VIR_DOMAIN_AFFECT_LIVE;
      const device = nodeText(findDisk(xml, target, false));
      if (opts.bool("print-xml")) {
        ctx.print(device);
        return;
      }
      const withFlags = flags !== 0 || opts.bool("current");
      await step("Failed to detach disk", () => (withFlags ? c.domainDetachDeviceFlags({ dom, xml: device, flags }) : c.domainDetachDevice({ dom, xml: device })));
      ctx.printExtra("Disk detached successfully\n");
    },
  },
  {
    names: ["detach-interface"],
    options: [DOMAIN, { name: "type", type: "data", required: true }, { name: "mac", type: "string" }, bool("persistent"), ...CONFIG_LIVE_CURRENT, bool("print-xml")],
    async run(ctx, opts) {
      const persistent = opts.bool("persistent");
      exclusiveVars("persistent", persistent, "current", opts.bool("current"));
      affectFlags(opts);
      const printXml = opts.bool("print-xml");
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      let live = false;
      try {
        const type = nonEmpty(opts, "type")!;
        const mac = nonEmpty(opts, "mac");
        const affectConfig = opts.bool("config") || persistent;
        if (affectConfig) {
          const { xml } = await c.domainGetXmlDesc({ dom, flags: VIR_DOMAIN_XML_INACTIVE });
          await detachInterface(ctx, c, dom, xml, VIR_DOMAIN_AFFECT_CONFIG, opts, type, mac);
        }
        const affectLive = opts.bool("live") || (persistent && (await isActive(c, dom)));
        if (affectLive || !affectConfig) {
          live = true;
          const { xml } = await c.domainGetXmlDesc({ dom, flags: 0 });
          await detachInterface(ctx, c, dom, xml, affectLive ? VIR_DOMAIN_AFFECT_LIVE : 0, opts, type, mac);
        }
      } catch (e) {
        // With --print-xml, a failure on the live XML returns at once, without the last word.
        if (printXml && live) throw e;
        throw new CommandFailed([...(e instanceof CommandFailed ? e.lines : []), "Failed to detach interface"], { cause: e instanceof CommandFailed ? e.cause : e });
      }
      if (!printXml) ctx.printExtra("Interface detached successfully\n");
    },
  },
  {
    names: ["change-media"],
    options: [
      DOMAIN,
      { name: "path", type: "data", required: true },
      { name: "source", type: "string" },
      bool("eject"),
      bool("insert"),
      bool("update"),
      bool("current"),
      bool("live"),
      bool("config"),
      bool("force"),
      bool("print-xml"),
      bool("block"),
    ],
    async run(ctx, opts) {
      exclusive(opts, "eject", "insert");
      exclusive(opts, "eject", "update");
      exclusive(opts, "insert", "update");
      exclusive(opts, "eject", "block");
      const source = nonEmpty(opts, "source");
      const { change, done } = mediaChange(opts, source);
      const flags = affectFlags(opts) | (opts.bool("force") ? VIR_DOMAIN_DEVICE_MODIFY_FORCE : 0);
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const path = nonEmpty(opts, "path")!;
      const { xml } = await c.domainGetXmlDesc({ dom, flags: (flags & VIR_DOMAIN_AFFECT_CONFIG) !== 0 ? VIR_DOMAIN_XML_INACTIVE : 0 });
      const device = updateDiskXml(findDisk(xml, path, true), source, opts.bool("block"), path, change);
      if (opts.bool("print-xml")) {
        ctx.print(device);
        return;
      }
      await step(`Failed to complete action ${change} on media`, () => c.domainUpdateDeviceFlags({ dom, xml: device, flags }));
      ctx.print(done);
    },
  },
  {
    names: ["domif-setlink"],
    options: [
      DOMAIN,
      { name: "interface", type: "data", required: true },
      { name: "state", type: "data", required: true },
      { name: "persistent", type: "alias", alias: "config" },
      bool("config"),
      bool("print-xml"),
    ],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const iface = nonEmpty(opts, "interface")!;
      const state = nonEmpty(opts, "state")!;
      if (state !== "up" && state !== "down") throw new CommandFailed([`invalid link state '${state}'`]);
      const config = opts.bool("config");
      let flags = config ? VIR_DOMAIN_AFFECT_CONFIG : VIR_DOMAIN_AFFECT_LIVE;
      if ((await c.domainIsActive({ dom })).active === 0) flags = VIR_DOMAIN_AFFECT_CONFIG;
      const root = await domainXml(c, dom, config ? VIR_DOMAIN_XML_INACTIVE : 0);
      const nodes = selectElements(root, "/domain/devices/interface");
      if (nodes.length === 0) throw new CommandFailed(["Failed to extract interface information or no interfaces found"]);
      const same = (v: string | undefined): boolean => v !== undefined && v.toLowerCase() === iface.toLowerCase();
      const node = nodes.find((n) => same(pathAttr(n, "mac", "address")) || same(pathAttr(n, "target", "dev")));
      if (node === undefined) throw new CommandFailed([`interface '${iface}' not found`]);
      let link = subElement(node, "link");
      if (link === undefined) {
        link = newElement(node, "link", []);
        node.children.push(link);
      }
      setProp(link, "state", state);
      const xml = nodeText(node);
      if (opts.bool("print-xml")) {
        ctx.print(xml);
        return;
      }
      await step("Failed to update interface link state", () => c.domainUpdateDeviceFlags({ dom, xml, flags }));
      ctx.printExtra("Device updated successfully\n");
    },
  },
  {
    names: ["update-memory-device"],
    options: [
      DOMAIN,
      ...CONFIG_LIVE_CURRENT,
      bool("print-xml"),
      { name: "alias", type: "string" },
      { name: "node", type: "int" },
      { name: "requested-size", type: "int" },
    ],
    async run(ctx, opts) {
      const flags = affectFlags(opts);
      exclusive(opts, "node", "alias");
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const root = await domainXml(c, dom, (flags & VIR_DOMAIN_AFFECT_CONFIG) !== 0 ? VIR_DOMAIN_XML_INACTIVE : 0);
      const alias = nonEmpty(opts, "alias");
      const node = uintOpt(opts, "node");
      const xpath = node !== undefined ? `/domain/devices/memory[./target/node='${node}']` : alias !== undefined ? `/domain/devices/memory[./alias/@name='${alias}']` : "/domain/devices/memory";
      const mems = selectElements(root, xpath);
      if (mems.length === 0) throw new CommandFailed(["no memory device found"]);
      if (mems.length > 1) throw new CommandFailed(["multiple memory devices found, use --alias or --node to select one"]);
      const mem = mems[0]!;
      if (opts.bool("requested-size")) {
        const bytes = scaledOpt(opts, "requested-size", 1024n, 0xffffffffffffffffn)!;
        const kib = (bytes + 1023n) / 1024n;
        const target = subElement(mem, "target");
        const requested = target === undefined ? undefined : subElement(target, "requested");
        if (requested === undefined) throw new CommandFailed(["virtio-mem device is missing <requested/>"]);
        requested.children = [{ kind: "text", value: String(kib), parent: requested, order: 0 }];
      }
      const xml = nodeText(mem);
      if (opts.bool("print-xml")) ctx.print(xml);
      else await c.domainUpdateDeviceFlags({ dom, xml, flags });
    },
  },
];
