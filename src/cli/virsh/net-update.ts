// virsh-network.c: net-update, one section of a network's XML changed in
// place.

import type { Opts } from "../command.js";
import { CommandFailed, exclusive, type VirshCommand } from "../vsh.js";
import { NETWORK } from "./net-life.js";
import { networkOpt } from "./net-lookup.js";
import { readXmlFile, step, stringReq } from "./util.js";
import { VirDrvFeature } from "../../gen/libvirt_internal.js";
import {
  VIR_NETWORK_UPDATE_AFFECT_CONFIG,
  VIR_NETWORK_UPDATE_AFFECT_CURRENT,
  VIR_NETWORK_UPDATE_AFFECT_LIVE,
  VIR_NETWORK_UPDATE_COMMAND_ADD_FIRST,
  VIR_NETWORK_UPDATE_COMMAND_ADD_LAST,
  VIR_NETWORK_UPDATE_COMMAND_DELETE,
  VIR_NETWORK_UPDATE_COMMAND_MODIFY,
  VIR_NETWORK_SECTION_BRIDGE,
  VIR_NETWORK_SECTION_DNS_HOST,
  VIR_NETWORK_SECTION_DNS_SRV,
  VIR_NETWORK_SECTION_DNS_TXT,
  VIR_NETWORK_SECTION_DOMAIN,
  VIR_NETWORK_SECTION_FORWARD,
  VIR_NETWORK_SECTION_FORWARD_INTERFACE,
  VIR_NETWORK_SECTION_FORWARD_PF,
  VIR_NETWORK_SECTION_IP,
  VIR_NETWORK_SECTION_IP_DHCP_HOST,
  VIR_NETWORK_SECTION_IP_DHCP_RANGE,
  VIR_NETWORK_SECTION_PORTGROUP,
} from "../../gen/friendly/constants.js";

/** virsh's words for virNetworkUpdateCommand ("add" is add-last). */
const COMMANDS: Readonly<Record<string, number>> = {
  modify: VIR_NETWORK_UPDATE_COMMAND_MODIFY,
  delete: VIR_NETWORK_UPDATE_COMMAND_DELETE,
  "add-last": VIR_NETWORK_UPDATE_COMMAND_ADD_LAST,
  "add-first": VIR_NETWORK_UPDATE_COMMAND_ADD_FIRST,
  add: VIR_NETWORK_UPDATE_COMMAND_ADD_LAST,
};

/** virsh's words for virNetworkUpdateSection. */
const SECTIONS: Readonly<Record<string, number>> = {
  bridge: VIR_NETWORK_SECTION_BRIDGE,
  domain: VIR_NETWORK_SECTION_DOMAIN,
  ip: VIR_NETWORK_SECTION_IP,
  "ip-dhcp-host": VIR_NETWORK_SECTION_IP_DHCP_HOST,
  "ip-dhcp-range": VIR_NETWORK_SECTION_IP_DHCP_RANGE,
  forward: VIR_NETWORK_SECTION_FORWARD,
  "forward-interface": VIR_NETWORK_SECTION_FORWARD_INTERFACE,
  "forward-pf": VIR_NETWORK_SECTION_FORWARD_PF,
  portgroup: VIR_NETWORK_SECTION_PORTGROUP,
  "dns-host": VIR_NETWORK_SECTION_DNS_HOST,
  "dns-txt": VIR_NETWORK_SECTION_DNS_TXT,
  "dns-srv": VIR_NETWORK_SECTION_DNS_SRV,
};

/** vshCommandOptInt (virStrToLong_i): a whole C int, blanks and a sign allowed in front. */
function intOpt(opts: Opts, name: string): number | undefined {
  const text = opts.string(name);
  if (text === undefined) return undefined;
  const n = /^[ \t\n\v\f\r]*[+-]?\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= -(2 ** 31) && n <= 2 ** 31 - 1)) throw new CommandFailed([`Numeric value '${text}' for <${name}> option is malformed or out of range`]);
  return n;
}

const own = (table: Readonly<Record<string, number>>, word: string): number | undefined => (Object.hasOwn(table, word) ? table[word] : undefined);

export const commands: VirshCommand[] = [
  {
    names: ["net-update"],
    options: [
      NETWORK,
      { name: "command", type: "data", required: true },
      { name: "section", type: "data", required: true },
      { name: "xml", type: "data", required: true },
      { name: "parent-index", type: "int" },
      { name: "config", type: "bool" },
      { name: "live", type: "bool" },
      { name: "current", type: "bool" },
    ],
    async run(ctx, opts) {
      exclusive(opts, "current", "live");
      exclusive(opts, "current", "config");
      const c = await ctx.client();
      const { net } = await networkOpt(c, opts);
      const commandWord = stringReq(opts, "command")!;
      const command = own(COMMANDS, commandWord);
      if (command === undefined) throw new CommandFailed([`unrecognized command name '${commandWord}'`]);
      const sectionWord = stringReq(opts, "section")!;
      const section = own(SECTIONS, sectionWord);
      if (section === undefined) throw new CommandFailed([`unrecognized section name '${sectionWord}'`]);
      const parentIndex = intOpt(opts, "parent-index") ?? -1;
      // A word that starts with '<' is the element itself, anything else names a file holding it.
      const given = stringReq(opts, "xml")!;
      const xml = given.startsWith("<") ? given : await readXmlFile(given);
      const config = opts.bool("config");
      const live = opts.bool("live");
      const flags = VIR_NETWORK_UPDATE_AFFECT_CURRENT | (config ? VIR_NETWORK_UPDATE_AFFECT_CONFIG : 0) | (live ? VIR_NETWORK_UPDATE_AFFECT_LIVE : 0);
      await step(`Failed to update network ${net.name}`, async () => {
        // virNetworkUpdate's check: daemons before the fix took command and section swapped.
        const { supported } = await c.connectSupportsFeature({ feature: VirDrvFeature.VIR_DRV_FEATURE_NETWORK_UPDATE_HAS_CORRECT_ORDER });
        const [first, second] = supported ? [command, section] : [section, command];
        await c.networkUpdate({ net, command: first, section: second, parentIndex, xml, flags });
      });
      // virsh prints these without a newline; the blank line after the command ends it.
      let what: string;
      if (config) what = live ? "persistent config and live state" : "persistent config";
      else if (live) what = "live state";
      else what = (await c.networkIsActive({ net }).then((r) => r.active, () => -1)) ? "live state" : "persistent config";
      ctx.printExtra(`Updated network ${net.name} ${what}`);
    },
  },
];
