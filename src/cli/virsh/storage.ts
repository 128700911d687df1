// virsh-pool.c pool-list and virsh-volume.c vol-list.

import { formatTable } from "../format/admin.js";
import type { OptDef } from "../command.js";
import { CommandFailed, exclusive, type VirshCommand } from "../vsh.js";
import { optPool } from "./pool-lookup.js";
import { caseCompare, prettyCapacity, stringReq, stringToArray } from "./util.js";
import { uuidToString } from "../../uuid.js";
import {
  VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE,
  VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART,
  VIR_CONNECT_LIST_STORAGE_POOLS_DIR,
  VIR_CONNECT_LIST_STORAGE_POOLS_DISK,
  VIR_CONNECT_LIST_STORAGE_POOLS_FS,
  VIR_CONNECT_LIST_STORAGE_POOLS_GLUSTER,
  VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE,
  VIR_CONNECT_LIST_STORAGE_POOLS_ISCSI,
  VIR_CONNECT_LIST_STORAGE_POOLS_ISCSI_DIRECT,
  VIR_CONNECT_LIST_STORAGE_POOLS_LOGICAL,
  VIR_CONNECT_LIST_STORAGE_POOLS_MPATH,
  VIR_CONNECT_LIST_STORAGE_POOLS_NETFS,
  VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART,
  VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT,
  VIR_CONNECT_LIST_STORAGE_POOLS_RBD,
  VIR_CONNECT_LIST_STORAGE_POOLS_SCSI,
  VIR_CONNECT_LIST_STORAGE_POOLS_SHEEPDOG,
  VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT,
  VIR_CONNECT_LIST_STORAGE_POOLS_VSTORAGE,
  VIR_CONNECT_LIST_STORAGE_POOLS_ZFS,
  VIR_STORAGE_POOL_DEGRADED,
  VIR_STORAGE_POOL_RUNNING,
} from "../../gen/friendly/constants.js";

const bool = (name: string): OptDef => ({ name, type: "bool" });

const POOL_STATES = ["inactive", "building", "running", "degraded", "inaccessible"];
const VOL_TYPES = ["file", "block", "dir", "network", "netdir", "ploop"];

/** virStoragePoolType names and their VIR_CONNECT_LIST_STORAGE_POOLS_* flags. */
const POOL_TYPES: Record<string, number> = {
  dir: VIR_CONNECT_LIST_STORAGE_POOLS_DIR,
  fs: VIR_CONNECT_LIST_STORAGE_POOLS_FS,
  netfs: VIR_CONNECT_LIST_STORAGE_POOLS_NETFS,
  logical: VIR_CONNECT_LIST_STORAGE_POOLS_LOGICAL,
  disk: VIR_CONNECT_LIST_STORAGE_POOLS_DISK,
  iscsi: VIR_CONNECT_LIST_STORAGE_POOLS_ISCSI,
  "iscsi-direct": VIR_CONNECT_LIST_STORAGE_POOLS_ISCSI_DIRECT,
  scsi: VIR_CONNECT_LIST_STORAGE_POOLS_SCSI,
  mpath: VIR_CONNECT_LIST_STORAGE_POOLS_MPATH,
  rbd: VIR_CONNECT_LIST_STORAGE_POOLS_RBD,
  sheepdog: VIR_CONNECT_LIST_STORAGE_POOLS_SHEEPDOG,
  gluster: VIR_CONNECT_LIST_STORAGE_POOLS_GLUSTER,
  zfs: VIR_CONNECT_LIST_STORAGE_POOLS_ZFS,
  vstorage: VIR_CONNECT_LIST_STORAGE_POOLS_VSTORAGE,
};

export const commands: VirshCommand[] = [
  {
    names: ["pool-list"],
    options: [...["inactive", "all", "transient", "persistent", "autostart", "no-autostart"].map(bool), { name: "type", type: "string" }, ...["details", "uuid", "name"].map(bool)],
    async run(ctx, opts) {
      exclusive(opts, "all", "inactive");
      let flags: number = VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE;
      if (opts.bool("inactive")) flags = VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE;
      if (opts.bool("all")) flags = VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE | VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE;
      const filters: [string, number][] = [
        ["autostart", VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART],
        ["no-autostart", VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART],
        ["persistent", VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT],
        ["transient", VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT],
      ];
      for (const [n, f] of filters) if (opts.bool(n)) flags |= f;
      const type = stringReq(opts, "type");
      exclusive(opts, "details", "uuid");
      exclusive(opts, "details", "name");
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
          sizes = info.state === VIR_STORAGE_POOL_RUNNING || info.state === VIR_STORAGE_POOL_DEGRADED ? [prettyCapacity(info.capacity), prettyCapacity(info.allocation), prettyCapacity(info.available)] : ["-", "-", "-"];
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
    names: ["vol-list"],
    options: [{ name: "pool", type: "data", required: true }, bool("details")],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { pool } = await optPool(c, opts);
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
