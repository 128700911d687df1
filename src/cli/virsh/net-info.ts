// virsh-network.c: what a network is: net-info, net-uuid, net-name,
// net-dumpxml, net-dhcp-leases.

import { formatTable } from "../format/admin.js";
import type { VirshCommand } from "../vsh.js";
import { NETWORK } from "./net-life.js";
import { XPATH_OPTIONS, dumpXml } from "./pool-xpath.js";
import { networkOpt } from "./net-lookup.js";
import { caseCompare, step, stringReq } from "./util.js";
import { uuidToString } from "../../uuid.js";
import { VIR_IP_ADDR_TYPE_IPV4, VIR_IP_ADDR_TYPE_IPV6, VIR_NETWORK_XML_INACTIVE } from "../../gen/friendly/constants.js";

/** printf's "%-15s %s", as net-info prints each line. */
const line = (label: string, value: string): string => `${label.padEnd(15)} ${value}\n`;

/** g_date_time_format(..., "%Y-%m-%d %H:%M:%S") of a local time. */
function localTime(seconds: bigint): string {
  const d = new Date(Number(seconds) * 1000);
  const two = (n: number): string => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

export const commands: VirshCommand[] = [
  {
    names: ["net-info"],
    options: [NETWORK],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { net } = await networkOpt(c, opts);
      ctx.print(line("Name:", net.name));
      ctx.print(line("UUID:", uuidToString(net.uuid)));
      const active = await c.networkIsActive({ net }).then((r) => r.active, () => -1);
      if (active >= 0) ctx.print(line("Active:", active ? "yes" : "no"));
      const persistent = await c.networkIsPersistent({ net }).then((r) => r.persistent, () => -1);
      ctx.print(line("Persistent:", persistent < 0 ? "unknown" : persistent ? "yes" : "no"));
      const autostart = await c.networkGetAutostart({ net }).then((r) => (r.autostart ? "yes" : "no"), () => "no autostart");
      ctx.print(line("Autostart:", autostart));
      const bridge = await c.networkGetBridgeName({ net }).then((r) => r.name, () => null);
      if (bridge !== null) ctx.print(line("Bridge:", bridge));
    },
  },
  {
    names: ["net-uuid"],
    options: [NETWORK],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { net } = await networkOpt(c, opts, { uuid: false, name: true });
      ctx.print(`${uuidToString(net.uuid)}\n`);
    },
  },
  {
    names: ["net-name"],
    options: [NETWORK],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { net } = await networkOpt(c, opts, { uuid: true, name: false });
      ctx.print(`${net.name}\n`);
    },
  },
  {
    names: ["net-dumpxml"],
    options: [NETWORK, { name: "inactive", type: "bool" }, ...XPATH_OPTIONS],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { net } = await networkOpt(c, opts);
      const flags = opts.bool("inactive") ? VIR_NETWORK_XML_INACTIVE : 0;
      return dumpXml(ctx, opts, async () => (await c.networkGetXmlDesc({ net, flags })).xml);
    },
  },
  {
    names: ["net-dhcp-leases"],
    options: [NETWORK, { name: "mac", type: "string" }],
    async run(ctx, opts) {
      const mac = stringReq(opts, "mac") ?? null;
      const c = await ctx.client();
      const { net, name } = await networkOpt(c, opts);
      const { leases } = await step(`Failed to get leases info for ${name}`, () => c.networkGetDhcpLeases({ net, mac, need_results: 1, flags: 0 }));
      leases.sort((a, b) => caseCompare(a.mac ?? "", b.mac ?? ""));
      const types: Record<number, string> = { [VIR_IP_ADDR_TYPE_IPV4]: "ipv4", [VIR_IP_ADDR_TYPE_IPV6]: "ipv6" };
      const rows = leases.map((l) => [localTime(l.expirytime), l.mac ?? "-", types[l.type] ?? "-", `${l.ipaddr}/${l.prefix}`, l.hostname ?? "-", l.clientid ?? "-"]);
      ctx.print(formatTable(["Expiry Time", "MAC address", "Protocol", "IP address", "Hostname", "Client ID or DUID"], rows, !ctx.globals.quiet));
    },
  },
];
