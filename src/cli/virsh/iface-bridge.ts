// virsh-interface.c's iface-bridge and iface-unbridge: an interface's
// definition rewritten to put it under a new bridge (its <mac>, <bond> and
// <vlan> moving down with it), or the bridge's one interface brought back up
// in its place.

import type { Client } from "../../client/client.js";
import type { RemoteNonnullInterface } from "../../gen/remote_protocol.js";
import { VIR_INTERFACE_XML_INACTIVE } from "../../gen/friendly/constants.js";
import { CommandFailed, uintOpt, type VirshCommand } from "../vsh.js";
import { parseElements, quoteAttr, type XmlElement } from "./iface-xml.js";
import { step, stringReq } from "./util.js";

const MOVED = new Set(["mac", "bond", "vlan"]);

/** The top element of a definition the daemon gave; libxml2 would have said why it is malformed. */
function topElement(xml: string, name: string): XmlElement {
  try {
    const top = parseElements(xml)[0];
    if (top !== undefined) return top;
  } catch {
    // Reported as virsh reports it, below.
  }
  throw new CommandFailed([`Failed to parse configuration of ${name}`]);
}

/** A start tag with its attributes in their order, `changes` replacing values (or added at the end) as xmlSetProp does. */
function startTag(el: XmlElement, changes: Record<string, string>): string {
  const attrs = [...el.attrs].map(([k, v]) => ` ${k}=${quoteAttr(Object.hasOwn(changes, k) ? changes[k]! : v)}`);
  for (const [k, v] of Object.entries(changes)) if (!el.attrs.has(k)) attrs.push(` ${k}=${quoteAttr(v)}`);
  return `<${el.name}${attrs.join("")}>`;
}

/** The content of `el` without the children `drop`, and those children's text. */
function splitContent(text: string, el: XmlElement, drop: readonly XmlElement[]): { kept: string; moved: string } {
  if (el.inner === null) return { kept: "", moved: "" };
  let kept = "";
  let at = el.inner[0];
  for (const d of drop) {
    kept += text.slice(at, d.start);
    at = d.end;
  }
  kept += text.slice(at, el.inner[1]);
  return { kept, moved: drop.map((d) => text.slice(d.start, d.end)).join("") };
}

/**
 * iface-bridge's rewrite of an interface's inactive definition: the top
 * element becomes the bridge `brName` (STP on with `delay`, or off when
 * null), holding the interface with its <mac>, <bond> and <vlan>.
 */
export function bridgeXml(xml: string, ifName: string, brName: string, delay: number | null): string {
  const top = topElement(xml, ifName);
  const type = top.attrs.get("type");
  if (type === undefined) throw new CommandFailed([`Existing device ${ifName} has no type`]);
  if (type === "bridge") throw new CommandFailed([`Existing device ${ifName} is already a bridge`]);
  const name = top.attrs.get("name");
  if (name !== ifName) throw new CommandFailed([`Interface name from config ${name ?? "(null)"} doesn't match given supplied name ${ifName}`]);
  const { kept, moved } = splitContent(xml, top, top.children.filter((k) => MOVED.has(k.name)));
  const bridge = `<bridge stp='${delay !== null ? "on" : "off"}'${delay !== null ? ` delay='${delay}'` : ""}><interface type=${quoteAttr(type)} name=${quoteAttr(ifName)}>${moved}</interface></bridge>`;
  return `${startTag(top, { type: "bridge", name: brName })}${kept}${bridge}</${top.name}>\n`;
}

/**
 * iface-unbridge's rewrite of a bridge's inactive definition: its one
 * attached interface takes the top element's type and name, and its <mac>,
 * <bond> and <vlan> move up to the end of the top element.
 */
export function unbridgeXml(xml: string, brName: string): { xml: string; ifName: string } {
  const top = topElement(xml, brName);
  const type = top.attrs.get("type");
  if (type === undefined) throw new CommandFailed([`Existing device ${brName} has no type`]);
  if (type !== "bridge") throw new CommandFailed([`Device ${brName} is not a bridge`]);
  const name = top.attrs.get("name");
  if (name !== brName) throw new CommandFailed([`Interface name from config ${name ?? "(null)"} doesn't match given supplied name ${brName}`]);
  const bridge = top.children.find((k) => k.name === "bridge");
  if (bridge === undefined) throw new CommandFailed(["No bridge node in xml document"]);
  const attached = bridge.children.filter((k) => k.name === "interface");
  if (attached.length > 1) throw new CommandFailed(["Multiple interfaces attached to bridge"]);
  const dev = attached[0];
  if (dev === undefined) throw new CommandFailed(["No interface attached to bridge"]);
  const ifName = dev.attrs.get("name");
  if (ifName === undefined) throw new CommandFailed([`Device attached to bridge ${brName} has no name`]);
  const ifType = dev.attrs.get("type");
  if (ifType === undefined) throw new CommandFailed([`Attached device ${ifName} has no type`]);
  const { kept, moved } = splitContent(xml, dev, dev.children.filter((k) => MOVED.has(k.name)));
  const devText = dev.inner === null ? xml.slice(dev.start, dev.end) : `${xml.slice(dev.start, dev.inner[0])}${kept}${xml.slice(dev.inner[1], dev.end)}`;
  const inner = top.inner === null ? "" : xml.slice(top.inner[0], dev.start) + devText + xml.slice(dev.end, top.inner[1]);
  return { xml: `${startTag(top, { type: ifType, name: ifName })}${inner}${moved}</${top.name}>\n`, ifName };
}

async function lookupByName(c: Client, word: string): Promise<RemoteNonnullInterface> {
  // virshCommandOptInterfaceBy with names only: a word that reads as a MAC address is not looked up.
  if (/^[0-9a-fA-F]{1,2}(?::[0-9a-fA-F]{1,2}){5}(?:[\0- ].*)?$/s.test(word)) throw new CommandFailed([`failed to get interface '${word}'`]);
  return step(`failed to get interface '${word}'`, async () => (await c.interfaceLookupByName({ name: word })).iface);
}

export const commands: VirshCommand[] = [
  {
    names: ["iface-bridge"],
    options: [
      { name: "interface", type: "data", required: true },
      { name: "bridge", type: "data", required: true },
      { name: "no-stp", type: "bool" },
      { name: "delay", type: "int" },
      { name: "no-start", type: "bool" },
    ],
    async run(ctx, opts) {
      const c = await ctx.client();
      const ifName = stringReq(opts, "interface")!;
      const iface = await lookupByName(c, ifName);
      const brName = stringReq(opts, "bridge")!;
      // A bridge lookup that fails leaves libvirt's error behind: virsh prints it after a later line of its own.
      let left: unknown;
      try {
        await c.interfaceLookupByName({ name: brName });
        throw new CommandFailed([`Network device ${brName} already exists`]);
      } catch (e) {
        if (e instanceof CommandFailed) throw e;
        left = e;
      }
      const fail = (line: string): CommandFailed => new CommandFailed([line], { cause: left });
      const stp = !opts.bool("no-stp");
      let delay: number;
      try {
        delay = uintOpt(opts, "delay") ?? 0;
      } catch (e) {
        throw fail((e as CommandFailed).lines[0]!);
      }
      const { xml } = await c.interfaceGetXmlDesc({ iface, flags: VIR_INTERFACE_XML_INACTIVE });
      let brXml: string;
      try {
        brXml = bridgeXml(xml, ifName, brName, stp ? delay : null);
      } catch (e) {
        throw e instanceof CommandFailed && e.cause === undefined ? fail(e.lines[0]!) : e;
      }
      const { iface: br } = await step(`Failed to define new bridge interface ${brName}`, () => c.interfaceDefineXml({ xml: brXml, flags: 0 }));
      ctx.printExtra(`Created bridge ${brName} with attached device ${ifName}\n`);
      if (opts.bool("no-start")) return;
      await step(`Failed to start bridge interface ${brName}`, () => c.interfaceCreate({ iface: br, flags: 0 }));
      ctx.printExtra(`Bridge interface ${brName} started\n`);
    },
  },
  {
    names: ["iface-unbridge"],
    options: [
      { name: "bridge", type: "data", required: true },
      { name: "no-start", type: "bool" },
    ],
    async run(ctx, opts) {
      const c = await ctx.client();
      const brName = stringReq(opts, "bridge")!;
      const br = await lookupByName(c, brName);
      const { xml } = await c.interfaceGetXmlDesc({ iface: br, flags: VIR_INTERFACE_XML_INACTIVE });
      const { xml: ifXml, ifName } = unbridgeXml(xml, brName);
      await step(`Failed to destroy bridge interface ${brName}`, () => c.interfaceDestroy({ iface: br, flags: 0 }));
      await step(`Failed to undefine bridge interface ${brName}`, () => c.interfaceUndefine({ iface: br }));
      const { iface } = await step(`Failed to define new interface ${ifName}`, () => c.interfaceDefineXml({ xml: ifXml, flags: 0 }));
      ctx.printExtra(`Device ${ifName} un-attached from bridge ${brName}\n`);
      if (opts.bool("no-start")) return;
      await step(`Failed to start interface ${ifName}`, () => c.interfaceCreate({ iface, flags: 0 }));
      ctx.printExtra(`Interface ${ifName} started\n`);
    },
  },
];
