// virsh-pool.c pool-list and virsh-volume.c vol-list.

import { formatTable } from "../format/admin.js";
import { CommandFailed, exclusive, type OptDef, type VirshCommand } from "../vsh.js";
import { caseCompare, lookupPool, prettyCapacity, stringToArray } from "./util.js";
import { uuidToString } from "../../uuid.js";

const bool = (name: string): OptDef => ({ name, type: "bool" });

const POOL_STATES = ["inactive", "building", "running", "degraded", "inaccessible"];
const VOL_TYPES = ["file", "block", "dir", "network", "netdir", "ploop"];

/** virStoragePoolType names and their VIR_CONNECT_LIST_STORAGE_POOLS_* flags. */
const POOL_TYPES: Record<string, number> = {
  dir: 64, fs: 128, netfs: 256, logical: 512, disk: 1024, iscsi: 2048, "iscsi-direct": 524288, scsi: 4096,
  mpath: 8192, rbd: 16384, sheepdog: 32768, gluster: 65536, zfs: 131072, vstorage: 262144,
};

export const commands: VirshCommand[] = [
  {
    name: "pool-list",
    options: [...["inactive", "all", "transient", "persistent", "autostart", "no-autostart"].map(bool), { name: "type", type: "string" }, ...["details", "uuid", "name"].map(bool)],
    async run(ctx, opts) {
      exclusive(opts, "all", "inactive");
      let flags = 2; // ACTIVE
      if (opts.bool("inactive")) flags = 1;
      if (opts.bool("all")) flags = 3;
      const filters: [string, number][] = [["autostart", 16], ["no-autostart", 32], ["persistent", 4], ["transient", 8]];
      for (const [n, f] of filters) if (opts.bool(n)) flags |= f;
      exclusive(opts, "details", "uuid");
      exclusive(opts, "details", "name");
      const type = opts.string("type");
      for (const t of type === undefined ? [] : stringToArray(type)) {
        const f = POOL_TYPES[t];
        if (f === undefined) throw new CommandFailed([`Invalid pool type '${t}'`]);
        flags |= f;
      }
      const details = opts.bool("details");
      const c = await ctx.client();
      const { pools } = await c.connectListAllStoragePools({ need_results: 1, flags });
      pools.sort((a, b) => caseCompare(a.name, b.name));
      const rows: string[][] = [];
      for (const pool of pools) {
        const autostart = await c.storagePoolGetAutostart({ pool }).then((r) => (r.autostart ? "yes" : "no"), () => "no autostart");
        const persistent = details ? await c.storagePoolIsPersistent({ pool }).then((r) => (r.persistent < 0 ? "unknown" : r.persistent ? "yes" : "no"), () => "unknown") : "";
        const info = await c.storagePoolGetInfo({ pool }).catch(() => null);
        let state: string;
        let sizes = ["unknown", "unknown", "unknown"];
        if (info === null) {
          ctx.error("Could not retrieve pool information");
          state = "unknown";
        } else if (details) {
          state = POOL_STATES[info.state] ?? "unknown";
          sizes = info.state === 2 || info.state === 3 ? [prettyCapacity(info.capacity), prettyCapacity(info.allocation), prettyCapacity(info.available)] : ["-", "-", "-"];
        } else {
          state = (await c.storagePoolIsActive({ pool }).then((r) => r.active, () => -1)) ? "active" : "inactive";
        }
        rows.push(details ? [pool.name, state, autostart, persistent, ...sizes] : [pool.name, state, autostart]);
      }
      if (!details && (opts.bool("uuid") || opts.bool("name"))) {
        for (const pool of pools) {
          if (opts.bool("uuid")) ctx.print(`${uuidToString(pool.uuid).padEnd(36)}${opts.bool("name") ? " " : "\n"}`);
          if (opts.bool("name")) ctx.print(`${pool.name.padEnd(20)}\n`);
        }
        return;
      }
      const header = details ? ["Name", "State", "Autostart", "Persistent", "Capacity", "Allocation", "Available"] : ["Name", "State", "Autostart"];
      ctx.print(formatTable(header, rows, !ctx.globals.quiet));
    },
  },
  {
    name: "vol-list",
    options: [{ name: "pool", type: "data", required: true }, bool("details")],
    async run(ctx, opts) {
      const c = await ctx.client();
      const pool = await lookupPool(c, opts.string("pool")!);
      const { vols } = await c.storagePoolListAllVolumes({ pool, need_results: 1, flags: 0 });
      vols.sort((a, b) => caseCompare(a.name, b.name));
      const details = opts.bool("details");
      const rows: string[][] = [];
      for (const vol of vols) {
        const path = await c.storageVolGetPath({ vol }).then((r) => r.name, () => "unknown");
        if (!details) {
          rows.push([vol.name, path]);
          continue;
        }
        const info = await c.storageVolGetInfo({ vol }).catch(() => null);
        rows.push(info === null ? [vol.name, path, "unknown", "unknown", "unknown"] : [vol.name, path, VOL_TYPES[info.type] ?? "unknown", prettyCapacity(info.capacity), prettyCapacity(info.allocation)]);
      }
      ctx.print(formatTable(details ? ["Name", "Path", "Type", "Capacity", "Allocation"] : ["Name", "Path"], rows, !ctx.globals.quiet));
    },
  },
];
