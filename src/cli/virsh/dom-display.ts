// virsh-domain.c: where a running domain's displays and console are:
// domdisplay, vncdisplay, ttyconsole, read from its live XML.

import type { Client } from "../../client/client.js";
import type { RemoteNonnullDomain } from "../../gen/remote_protocol.js";
import { parseUri } from "../../uri.js";
import type { OptDef } from "../command.js";
import { CommandFailed, exclusive, type VirshCommand } from "../vsh.js";
import { first, parseXml, xpathInt, type XmlElement } from "./dom-xml.js";
import { lookupDomain } from "./util.js";
import { VIR_DOMAIN_XML_SECURE } from "../../gen/friendly/constants.js";

const DOMAIN: OptDef = { name: "domain", type: "data", required: true };

/** domdisplay's schemes, in the order it tries them. */
const SCHEMES = ["vnc", "spice", "rdp", "dbus"] as const;

async function runningXml(c: Client, dom: RemoteNonnullDomain, flags: number): Promise<XmlElement | null> {
  if ((await c.domainIsActive({ dom })).active === 0) throw new CommandFailed(["Domain is not running"]);
  return parseXml((await c.domainGetXmlDesc({ dom, flags })).xml);
}

/** The attribute of the first <graphics> of a type (XPath's string(): "" when absent). */
function graphicsAttr(root: XmlElement | null, type: string, attr: string, sub?: string): string {
  const g = first(root, ["devices", "graphics"], (e) => e.attrs.get("type") === type);
  const el = sub === undefined ? g : first(g, [sub]);
  return el?.attrs.get(attr) ?? "";
}

/** An IPv4 or IPv6 wildcard address, as virSocketAddrIsWildcard tells it. */
function isWildcard(addr: string): boolean {
  if (/^0+\.0+\.0+\.0+$/.test(addr) || addr === "0") return true;
  return addr.includes(":") && /^[0:]+$/.test(addr) && addr.includes("::");
}

/** virshGetOneDisplay: a display's URI, or null where the domain has none of that scheme. */
function oneDisplay(ctx: Parameters<VirshCommand["run"]>[0], root: XmlElement | null, scheme: string, server: string | null): string | null {
  if (scheme === "dbus") {
    const addr = graphicsAttr(root, "dbus", "address");
    if (addr === "") return null;
    if (addr.startsWith("unix:path=")) return `dbus+unix://${addr.slice(10)}`;
    ctx.error(`'${addr}' D-Bus address is not handled`);
    return null;
  }
  let port = xpathInt(graphicsAttr(root, scheme, "port")) ?? 0;
  const tlsPort = xpathInt(graphicsAttr(root, scheme, "tlsPort")) ?? 0;
  let listen: string | null = graphicsAttr(root, scheme, "listen") || null;
  const sockpath = graphicsAttr(root, scheme, "type", "listen") === "socket" ? graphicsAttr(root, scheme, "socket", "listen") || null : null;
  if (port === 0 && tlsPort === 0 && sockpath === null) return null;
  if (listen === null) listen = graphicsAttr(root, scheme, "address", "listen") || null;
  else if (isWildcard(listen)) listen = server;
  const passwd = first(root, ["devices", "graphics"], (e) => e.attrs.get("type") === scheme)?.attrs.get("passwd") ?? null;
  let uri = sockpath !== null ? `${scheme}+unix://` : `${scheme}://`;
  if (scheme === "vnc" && passwd !== null) uri += `:${passwd}@`;
  if (sockpath !== null) uri += sockpath;
  else if (listen === null) uri += "localhost";
  else uri += listen.includes(":") ? `[${listen}]` : listen;
  if (port !== 0) {
    if (scheme === "vnc") port -= 5900;
    uri += `:${port}`;
  }
  uri += "?";
  if (tlsPort !== 0) uri += `tls-port=${tlsPort}&`;
  if (scheme === "spice" && passwd !== null) uri += `password=${passwd}&`;
  return uri.slice(0, -1);
}

export const commands: VirshCommand[] = [
  {
    names: ["domdisplay"],
    options: [DOMAIN, { name: "include-password", type: "bool" }, { name: "type", type: "string" }, { name: "all", type: "bool" }],
    async run(ctx, opts) {
      const all = opts.bool("all");
      exclusive(opts, "all", "type");
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const type = opts.string("type");
      const root = await runningXml(c, dom, opts.bool("include-password") ? VIR_DOMAIN_XML_SECURE : 0);
      // A wildcard listen address gives way to the host of the connection's URI, as virsh has it.
      let server: string | null | undefined;
      const hostOfUri = async (): Promise<string | null> => {
        server ??= await c.connectGetUri().then(
          (r) => parseUri(r.uri).host ?? null,
          () => null,
        );
        return server;
      };
      let found = false;
      for (const scheme of SCHEMES) {
        if (!all && type !== undefined && type !== scheme) continue;
        const listen = graphicsAttr(root, scheme, "listen");
        const display = oneDisplay(ctx, root, scheme, listen !== "" && isWildcard(listen) ? await hostOfUri() : null);
        if (display === null) continue;
        ctx.print(display);
        found = true;
        if (!all) break;
        ctx.print("\n");
      }
      if (!found) throw new CommandFailed([type !== undefined ? `No graphical display with type '${type}' found` : "No graphical display found"]);
    },
  },
  {
    names: ["vncdisplay"],
    options: [DOMAIN],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const root = await runningXml(c, dom, 0);
      const port = xpathInt(graphicsAttr(root, "vnc", "port"));
      if (port === null) throw new CommandFailed(["Failed to get VNC port. Is this domain using VNC?"]);
      const listen = graphicsAttr(root, "vnc", "listen") || graphicsAttr(root, "vnc", "address", "listen");
      ctx.print(listen === "" || listen === "0.0.0.0" ? `:${port - 5900}\n` : `${listen}:${port - 5900}\n`);
    },
  },
  {
    names: ["ttyconsole"],
    options: [DOMAIN],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const root = parseXml((await c.domainGetXmlDesc({ dom, flags: 0 })).xml);
      const tty = first(root, ["devices", "console"])?.attrs.get("tty");
      // virsh fails without a word where there is no tty.
      if (tty === undefined || tty === "") return false;
      ctx.print(`${tty}\n`);
      return true;
    },
  },
];
