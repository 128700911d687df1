// virsh-network.c: net-list.

import { formatTable } from "../format/admin.js";
import { CommandFailed, type OptDef, type VirshCommand } from "../vsh.js";
import { caseCompare } from "./util.js";
import { uuidToString } from "../../uuid.js";

const bool = (name: string): OptDef => ({ name, type: "bool" });

export const commands: VirshCommand[] = [
  {
    name: "net-list",
    options: ["inactive", "all", "persistent", "transient", "autostart", "no-autostart", "uuid", "name", "table"].map(bool),
    async run(ctx, opts) {
      let flags = 2; // ACTIVE
      if (opts.bool("inactive")) flags = 1;
      if (opts.bool("all")) flags = 3;
      const filters: [string, number][] = [["persistent", 4], ["transient", 8], ["autostart", 16], ["no-autostart", 32]];
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
