// virsh-domain.c: a disk or an interface described by options, its XML
// built as virsh builds it (virBuffer's quoting and indentation), then
// attached or printed: attach-disk, attach-interface.

import { statSync } from "node:fs";
import type { Client } from "../../client/client.js";
import type { RemoteNonnullDomain } from "../../gen/remote_protocol.js";
import type { OptDef, Opts } from "../command.js";
import { CommandFailed, exclusive, requires, type VirshCommand, type VshContext } from "../vsh.js";
import { CONFIG_LIVE_CURRENT, DOMAIN, affectFlags, bool, clientError, exclusiveVars, nonEmpty } from "./dom-opts.js";
import { escapeXml } from "./monitor-xml.js";
import { lookupDomain, step } from "./util.js";
import { VIR_DOMAIN_AFFECT_CONFIG, VIR_DOMAIN_AFFECT_LIVE } from "../../gen/friendly/constants.js";

const str = (name: string): OptDef => ({ name, type: "string" });

/** strtoul/strtoull from `at`: blanks, a sign, 0x before hex digits in base 16; null where no digit. */
function strtoulAt(s: string, at: number, base: 10 | 16): { value: bigint; end: number; negative: boolean } | null {
  let p = at;
  while (p < s.length && /[ \t\n\v\f\r]/.test(s[p]!)) p++;
  let negative = false;
  if (s[p] === "+" || s[p] === "-") negative = s[p++] === "-";
  const digit = base === 16 ? /[0-9a-fA-F]/ : /[0-9]/;
  if (base === 16 && s[p] === "0" && (s[p + 1] === "x" || s[p + 1] === "X") && digit.test(s[p + 2] ?? "")) p += 2;
  const start = p;
  while (p < s.length && digit.test(s[p]!)) p++;
  if (p === start) return null;
  return { value: BigInt(`${base === 16 ? "0x" : ""}${s.slice(start, p)}`), end: p, negative };
}

type Address =
  | { type: "pci"; domain: bigint; bus: bigint; slot: bigint; fn: bigint; multifunction: boolean }
  | { type: "drive"; kind: "sata" | "ide" | "scsi"; controller: bigint; bus: bigint; unit: bigint }
  | { type: "ccw"; cssid: bigint; ssid: bigint; devno: bigint }
  | { type: "usb"; bus: bigint; port: bigint };

/**
 * virshAddressParse: `type:` then numbers, each followed by one separator
 * character of any kind (virStrToLong_uip with an end pointer: no `-`,
 * an unsigned int; the drive's unit an unsigned long long).
 */
function parseAddress(text: string, multifunction: boolean): Address | null {
  const colon = text.indexOf(":");
  if (colon < 0) return null;
  const type = text.slice(0, colon);
  let at = colon + 1;
  const nums = (bases: readonly (10 | 16)[], lastWide = false): bigint[] | null => {
    const out: bigint[] = [];
    for (let i = 0; i < bases.length; i++) {
      // Past the string's end, C would read beyond the copy: refused here.
      if (at > text.length) return null;
      const r = strtoulAt(text, at, bases[i]!);
      if (r === null || r.negative) return null;
      const max = lastWide && i === bases.length - 1 ? 0xffffffffffffffffn : 0xffffffffn;
      if (r.value > max) return null;
      out.push(r.value);
      at = r.end + 1;
    }
    return out;
  };
  switch (type) {
    case "pci": {
      const n = nums([16, 16, 16, 16]);
      return n === null ? null : { type: "pci", domain: n[0]!, bus: n[1]!, slot: n[2]!, fn: n[3]!, multifunction };
    }
    case "sata":
    case "ide":
    case "scsi": {
      const n = nums([10, 10, 10], true);
      return n === null ? null : { type: "drive", kind: type, controller: n[0]!, bus: n[1]!, unit: n[2]! };
    }
    case "ccw": {
      const n = nums([16, 16, 16]);
      return n === null ? null : { type: "ccw", cssid: n[0]!, ssid: n[1]!, devno: n[2]! };
    }
    case "usb": {
      const n = nums([10, 10]);
      return n === null ? null : { type: "usb", bus: n[0]!, port: n[1]! };
    }
    default:
      return null;
  }
}

const hex = (n: bigint, width: number): string => `0x${n.toString(16).padStart(width, "0")}`;

/** virshAddressFormat: one line, at `indent`. */
function formatAddress(a: Address, indent: string): string {
  switch (a.type) {
    case "pci":
      return `${indent}<address type='pci' domain='${hex(a.domain, 4)}' bus='${hex(a.bus, 2)}' slot='${hex(a.slot, 2)}' function='${hex(a.fn, 0)}'${a.multifunction ? " multifunction='on'" : ""}/>\n`;
    case "drive":
      return `${indent}<address type='drive' controller='${a.controller}' bus='${a.bus}' unit='${a.unit}'/>\n`;
    case "ccw":
      return `${indent}<address type='ccw' cssid='${hex(a.cssid, 2)}' ssid='${hex(a.ssid, 1)}' devno='${hex(a.devno, 4)}'/>\n`;
    case "usb":
      return `${indent}<address type='usb' bus='${a.bus}' port='${a.port}'/>\n`;
  }
}

/** virBufferEscapeString of ` name='%s'`: nothing where the value is absent. */
const attr = (name: string, value: string | undefined): string => (value === undefined ? "" : ` ${name}='${escapeXml(value)}'`);

/** virXMLFormatElement: nothing where both are empty, a closed tag where no children. */
function element(indent: string, name: string, attrs: string, children: string): string {
  if (attrs === "" && children === "") return "";
  return children === "" ? `${indent}<${name}${attrs}/>\n` : `${indent}<${name}${attrs}>\n${children}${indent}</${name}>\n`;
}

/** The disk attach-disk describes: its XML, or virsh's error. */
function diskXml(opts: Opts): string {
  requires(opts, "source-host-name", "source-protocol");
  requires(opts, "source-host-transport", "source-protocol");
  requires(opts, "source-host-socket", "source-protocol");
  requires(opts, "source-host-socket", "source-host-transport");
  exclusive(opts, "source-host-name", "source-host-socket");
  // The source may be empty (VSH_OFLAG_EMPTY_OK); every other string may not.
  const source = opts.string("source");
  const names = ["target", "driver", "subdriver", "type", "mode", "iothread", "cache", "io", "serial", "wwn", "address", "targetbus", "alias", "sourcetype", "source-protocol", "source-host-name", "source-host-transport", "source-host-socket"];
  const v: Record<string, string | undefined> = {};
  for (const n of names) v[n] = nonEmpty(opts, n);
  const target = v["target"]!;
  let type = v["sourcetype"];
  if (type !== undefined && !["", "file", "block", "network"].includes(type)) throw new CommandFailed([`Unknown source type: '${type}'`]);
  const protocol = v["source-protocol"];
  if (type === undefined || type === "") {
    if (protocol !== undefined) type = "network";
    else if (v["driver"] !== "file" && v["driver"] !== "tap" && source !== undefined && isBlockDevice(source)) type = "block";
    else type = "file";
  }
  if ((type === "network") !== (protocol !== undefined)) throw new CommandFailed(["--source-protocol option requires --sourcetype network"]);
  const mode = v["mode"];
  if (mode !== undefined && mode !== "readonly" && mode !== "shareable") throw new CommandFailed([`No support for ${mode} in command 'attach-disk'`]);
  const wwn = v["wwn"];
  if (wwn !== undefined && !/^[0-9a-fA-F]{16}$/.test(wwn.startsWith("0x") ? wwn.slice(2) : wwn)) throw clientError(`internal error: Malformed wwn: ${wwn}`);

  const diskAttrs = ` type='${type}'${attr("device", v["type"])}${opts.bool("rawio") ? " rawio='yes'" : ""}`;
  let children = element("  ", "driver", attr("name", v["driver"]) + attr("type", v["subdriver"]) + attr("iothread", v["iothread"]) + attr("cache", v["cache"]) + attr("io", v["io"]), "");
  let sourceAttrs = "";
  let sourceChildren = "";
  if (type === "file") sourceAttrs = attr("file", source);
  else if (type === "block") sourceAttrs = attr("dev", source);
  else {
    sourceAttrs = attr("protocol", protocol) + attr("name", source);
    let hostAttrs = attr("transport", v["source-host-transport"]) + attr("socket", v["source-host-socket"]);
    const hostName = v["source-host-name"];
    if (hostName !== undefined) {
      const colon = hostName.indexOf(":");
      hostAttrs += colon < 0 ? attr("name", hostName) : attr("name", hostName.slice(0, colon)) + attr("port", hostName.slice(colon + 1));
    }
    sourceChildren = element("    ", "host", hostAttrs, "");
  }
  children += element("  ", "source", sourceAttrs, sourceChildren);
  children += `  <target dev='${target}'${v["targetbus"] !== undefined ? ` bus='${v["targetbus"]}'` : ""}/>\n`;
  if (mode !== undefined) children += `  <${mode}/>\n`;
  if (v["serial"] !== undefined) children += `  <serial>${v["serial"]}</serial>\n`;
  if (v["alias"] !== undefined) children += `  <alias name='${v["alias"]}'/>\n`;
  if (wwn !== undefined) children += `  <wwn>${wwn}</wwn>\n`;
  const straddr = v["address"];
  if (straddr !== undefined) children += diskAddress(straddr, target, opts.bool("multifunction"));
  return element("", "disk", diskAttrs, children);
}

function isBlockDevice(path: string): boolean {
  try {
    return statSync(path).isBlockDevice();
  } catch {
    return false;
  }
}

/** cmdAttachDiskFormatAddress: the address, of a kind the target's prefix allows. */
function diskAddress(text: string, target: string, multifunction: boolean): string {
  const a = parseAddress(text, multifunction);
  if (a === null) throw new CommandFailed(["Invalid address."]);
  if (target.startsWith("vd")) {
    if (a.type !== "pci" && a.type !== "ccw") throw new CommandFailed(["expecting a pci:0000.00.00.00 or ccw:00.0.0000 address."]);
  } else if (target.startsWith("sd")) {
    if (!(a.type === "usb" || (a.type === "drive" && (a.kind === "scsi" || a.kind === "sata")))) throw new CommandFailed(["expecting a scsi:00.00.00 or usb:00.00 or sata:00.00.00 address."]);
  } else if (target.startsWith("hd")) {
    if (!(a.type === "drive" && a.kind === "ide")) throw new CommandFailed(["expecting an ide:00.00.00 address."]);
  }
  return formatAddress(a, "  ");
}

/** virDomainNetType's words. */
const NET_TYPES = ["user", "ethernet", "vhostuser", "server", "client", "mcast", "network", "bridge", "internal", "direct", "hostdev", "udp", "vdpa", "null", "vds"];

interface Rate {
  average: bigint;
  peak: bigint;
  burst: bigint;
  floor: bigint;
}

/** virshParseRateStr: `average,peak,burst,floor`, any of them empty or left out. */
export function parseRate(text: string): Rate {
  const tok = text.split(",");
  if (tok.length > 4) throw new CommandFailed([`Rate string '${text}' has too many fields`]);
  const names = ["average", "peak", "burst", "floor"] as const;
  const rate: Rate = { average: 0n, peak: 0n, burst: 0n, floor: 0n };
  tok.forEach((t, i) => {
    if (t === "") return;
    const m = /^[ \t\n\v\f\r]*\+?(\d+)$/.exec(t);
    if (m === null || BigInt(m[1]!) > 0xffffffffffffffffn) throw new CommandFailed([`field '${names[i]!}' is malformed`]);
    rate[names[i]!] = BigInt(m[1]!);
  });
  return rate;
}

/** The interface attach-interface describes: its XML, or virsh's error. */
function interfaceXml(opts: Opts): string {
  const v: Record<string, string | undefined> = {};
  for (const n of ["type", "source", "target", "mac", "script", "model", "alias", "inbound", "outbound", "source-mode"]) v[n] = nonEmpty(opts, n);
  const type = v["type"]!;
  const source = v["source"]!;
  const unsupported = (): CommandFailed => new CommandFailed([`No support for ${type} in command 'attach-interface'`]);
  if (!NET_TYPES.includes(type)) throw unsupported();
  const sourceMode = v["source-mode"];
  if (sourceMode !== undefined && sourceMode !== "server" && sourceMode !== "client") throw new CommandFailed([`Invalid source mode: ${sourceMode}`]);
  let inbound: Rate | undefined;
  let outbound: Rate | undefined;
  if (v["inbound"] !== undefined) {
    inbound = parseRate(v["inbound"]);
    if (inbound.average === 0n && inbound.floor === 0n) throw new CommandFailed(["either inbound average or floor is mandatory"]);
  }
  if (v["outbound"] !== undefined) {
    outbound = parseRate(v["outbound"]);
    if (outbound.average === 0n) throw new CommandFailed(["outbound average is mandatory"]);
    if (outbound.floor !== 0n) throw new CommandFailed(["outbound floor is unsupported yet"]);
  }
  let xml = `<interface type='${type}'${opts.bool("managed") ? " managed='yes'" : ""}>\n`;
  switch (type) {
    case "network":
    case "bridge":
      xml += `  <source ${type}='${source}'/>\n`;
      break;
    case "direct":
      xml += `  <source dev='${source}'/>\n`;
      break;
    case "hostdev": {
      const a = parseAddress(`pci:${source}`, false);
      if (a === null) throw new CommandFailed([`cannot parse pci address '${source}' for network interface`]);
      xml += `  <source>\n${formatAddress(a, "    ")}  </source>\n`;
      break;
    }
    case "vhostuser":
      if (sourceMode === undefined) throw new CommandFailed(["source-mode is mandatory"]);
      xml += `  <source type='unix' path='${source}' mode='${sourceMode}'/>\n`;
      break;
    default:
      throw unsupported();
  }
  if (v["target"] !== undefined) xml += `  <target dev='${v["target"]}'/>\n`;
  if (v["mac"] !== undefined) xml += `  <mac address='${v["mac"]}'/>\n`;
  if (v["script"] !== undefined) xml += `  <script path='${v["script"]}'/>\n`;
  if (v["model"] !== undefined) xml += `  <model type='${v["model"]}'/>\n`;
  if (v["alias"] !== undefined) xml += `  <alias name='${v["alias"]}'/>\n`;
  if (inbound !== undefined || outbound !== undefined) {
    xml += "  <bandwidth>\n";
    if (inbound !== undefined) {
      const i = inbound;
      xml += `    <inbound${i.average > 0n ? ` average='${i.average}'` : ""}${i.peak > 0n ? ` peak='${i.peak}'` : ""}${i.burst > 0n ? ` burst='${i.burst}'` : ""}${i.floor > 0n ? ` floor='${i.floor}'` : ""}/>\n`;
    }
    if (outbound !== undefined) {
      const o = outbound;
      xml += `    <outbound average='${o.average}'${o.peak > 0n ? ` peak='${o.peak}'` : ""}${o.burst > 0n ? ` burst='${o.burst}'` : ""}/>\n`;
    }
    xml += "  </bandwidth>\n";
  }
  return `${xml}</interface>\n`;
}

/** The flags of attach-disk and attach-interface: --persistent is --config, and --live too where the domain runs. */
function attachFlags(opts: Opts): number {
  exclusiveVars("persistent", opts.bool("persistent"), "current", opts.bool("current"));
  return affectFlags(opts) | (opts.bool("persistent") ? VIR_DOMAIN_AFFECT_CONFIG : 0);
}

async function attach(ctx: VshContext, opts: Opts, flags: number, xml: string, failed: string, done: string): Promise<void> {
  const c: Client = await ctx.client();
  const dom: RemoteNonnullDomain = await lookupDomain(c, opts.string("domain")!);
  if (opts.bool("persistent") && (await c.domainIsActive({ dom })).active === 1) flags |= VIR_DOMAIN_AFFECT_LIVE;
  const withFlags = flags !== 0 || opts.bool("current");
  await step(failed, () => (withFlags ? c.domainAttachDeviceFlags({ dom, xml, flags }) : c.domainAttachDevice({ dom, xml })));
  ctx.printExtra(done);
}

const AFFECT: readonly OptDef[] = [bool("persistent"), ...CONFIG_LIVE_CURRENT];

export const commands: VirshCommand[] = [
  {
    names: ["attach-disk"],
    options: [
      DOMAIN,
      { name: "source", type: "data", required: true },
      { name: "target", type: "data", required: true },
      ...["targetbus", "driver", "subdriver", "iothread", "cache", "io", "type"].map(str),
      { name: "shareable", type: "alias", alias: "mode=shareable" },
      ...["mode", "sourcetype", "serial", "wwn", "alias"].map(str),
      bool("rawio"),
      str("address"),
      bool("multifunction"),
      bool("print-xml"),
      ...["source-protocol", "source-host-name", "source-host-transport", "source-host-socket"].map(str),
      ...AFFECT,
    ],
    async run(ctx, opts) {
      const flags = attachFlags(opts);
      const xml = diskXml(opts);
      if (opts.bool("print-xml")) {
        ctx.print(xml);
        return;
      }
      await attach(ctx, opts, flags, xml, "Failed to attach disk", "Disk attached successfully\n");
    },
  },
  {
    names: ["attach-interface"],
    options: [
      DOMAIN,
      { name: "type", type: "data", required: true },
      { name: "source", type: "data", required: true },
      ...["target", "mac", "script", "model", "alias", "inbound", "outbound"].map(str),
      ...AFFECT,
      bool("print-xml"),
      bool("managed"),
      str("source-mode"),
    ],
    async run(ctx, opts) {
      const flags = attachFlags(opts);
      const xml = interfaceXml(opts);
      if (opts.bool("print-xml")) {
        ctx.print(xml);
        return;
      }
      await attach(ctx, opts, flags, xml, "Failed to attach interface", "Interface attached successfully\n");
    },
  },
];
