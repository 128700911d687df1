// virsh-network.c: net-list.

import { formatTable } from "../format/admin.js";
import type { OptDef } from "../command.js";
import { CommandFailed, type VirshCommand } from "../vsh.js";
import { caseCompare } from "./util.js";
import { uuidToString } from "../../uuid.js";
import {
  VIR_CONNECT_LIST_NETWORKS_ACTIVE,
  VIR_CONNECT_LIST_NETWORKS_AUTOSTART,
  VIR_CONNECT_LIST_NETWORKS_INACTIVE,
  VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART,
  VIR_CONNECT_LIST_NETWORKS_PERSISTENT,
  VIR_CONNECT_LIST_NETWORKS_TRANSIENT,
} from "../../gen/friendly/constants.js";

const bool = (name: string): OptDef => ({ name, type: "bool" });

export const commands: VirshCommand[] = [
  {
    names: ["net-list"],
    options: ["inactive", "all", "persistent", "transient", "autostart", "no-autostart", "uuid", "name", "table"].map(bool),
    async run(ctx, opts) {
      let flags: number = VIR_CONNECT_LIST_NETWORKS_ACTIVE;
      if (opts.bool("inactive")) flags = VIR_CONNECT_LIST_NETWORKS_INACTIVE;
      if (opts.bool("all")) flags = VIR_CONNECT_LIST_NETWORKS_ACTIVE | VIR_CONNECT_LIST_NETWORKS_INACTIVE;
      const filters: [string, number][] = [
        ["persistent", VIR_CONNECT_LIST_NETWORKS_PERSISTENT],
        ["transient", VIR_CONNECT_LIST_NETWORKS_TRANSIENT],
        ["autostart", VIR_CONNECT_LIST_NETWORKS_AUTOSTART],
        ["no-autostart", VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART],
      ];
      for (const [n, f] of filters) if (opts.bool(n)) flags |= f;
      const [optTable, optName, optUuid] = [opts.bool("table"), opts.bool("name"), opts.bool("uuid")];
      if (Number(optTable) + Number(optName) + Number(optUuid) > 1) throw new CommandFailed(["Only one argument from --table, --name and --uuid may be specified."]);
      const table = optTable || (!optUuid && !optName);
      const c = await ctx.client();
      const { nets } = await c.connectListAllNetworks({ need_results: 1, flags });
      nets.sort((a, b) => caseCompare(a.name, b.name));
      const rows: string[][] = [];
      for (const net of nets) {
        if (table) {
          const autostart = await c.networkGetAutostart({ net }).then((r) => (r.autostart ? "yes" : "no"), () => "no autostart");
          // virNetworkIsActive's -1 (an error) is true in virsh's test, as in C.
          const active = await c.networkIsActive({ net }).then((r) => r.active, () => -1);
          const persistent = await c.networkIsPersistent({ net }).then((r) => r.persistent, () => -1);
          rows.push([net.name, active ? "active" : "inactive", autostart, persistent ? "yes" : "no"]);
        } else if (optUuid) {
          ctx.print(`${uuidToString(net.uuid)}\n`);
        } else {
          ctx.print(`${net.name}\n`);
        }
      }
      if (table) ctx.print(formatTable(["Name", "State", "Autostart", "Persistent"], rows, !ctx.globals.quiet));
    },
  },
];
