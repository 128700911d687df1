// virsh-volume.c: the commands that tell about volumes (vol-info,
// vol-dumpxml, vol-key, vol-name, vol-path, vol-pool).

import { uuidToString } from "../../uuid.js";
import type { OptDef } from "../command.js";
import { CommandFailed, type VirshCommand } from "../vsh.js";
import { dumpXml, XPATH_OPTIONS } from "./pool-xpath.js";
import { prettyCapacity, step } from "./util.js";
import { optVol } from "./vol-lookup.js";
import { VIR_STORAGE_VOL_GET_PHYSICAL } from "../../gen/friendly/constants.js";

const VOL: OptDef = { name: "vol", type: "data", required: true };
const POOL_OPTIONAL: OptDef = { name: "pool", type: "string" };
const bool = (name: string): OptDef => ({ name, type: "bool" });
/** vol-name and vol-pool take a key or a path only (VIRSH_BYUUID, no pool). */
const BY_KEY_OR_PATH = { uuid: true, name: false };

/** virshStorageVol's type words, by virStorageVolType. */
const VOL_TYPES = ["file", "block", "dir", "network", "netdir", "ploop"];

/** A failed call whose error virsh reports alone (its handler just returns false). */
const alone = (e: unknown): never => {
  throw new CommandFailed([], { cause: e });
};

export const commands: VirshCommand[] = [
  {
    names: ["vol-info"],
    options: [VOL, POOL_OPTIONAL, bool("bytes"), bool("physical")],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { vol } = await optVol(c, opts);
      ctx.print(`${"Name:".padEnd(15)} ${vol.name}\n`);
      const physical = opts.bool("physical");
      const info = await (physical ? c.storageVolGetInfoFlags({ vol, flags: VIR_STORAGE_VOL_GET_PHYSICAL }) : c.storageVolGetInfo({ vol })).catch(alone);
      ctx.print(`${"Type:".padEnd(15)} ${VOL_TYPES[info.type] ?? "unknown"}\n`);
      const size = (n: bigint): string => (opts.bool("bytes") ? `${n} bytes` : prettyCapacity(n));
      ctx.print(`${"Capacity:".padEnd(15)} ${size(info.capacity)}\n`);
      ctx.print(`${(physical ? "Physical:" : "Allocation:").padEnd(15)} ${size(info.allocation)}\n`);
    },
  },
  {
    names: ["vol-dumpxml"],
    options: [VOL, POOL_OPTIONAL, ...XPATH_OPTIONS],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { vol } = await optVol(c, opts);
      return dumpXml(ctx, opts, async () => (await c.storageVolGetXmlDesc({ vol, flags: 0 }).catch(alone)).xml);
    },
  },
  {
    names: ["vol-key"],
    options: [VOL, POOL_OPTIONAL],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { vol } = await optVol(c, opts);
      ctx.print(`${vol.key}\n`);
    },
  },
  {
    names: ["vol-name"],
    options: [VOL],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { vol } = await optVol(c, opts, "vol", null, BY_KEY_OR_PATH);
      ctx.print(`${vol.name}\n`);
    },
  },
  {
    names: ["vol-path"],
    options: [VOL, POOL_OPTIONAL],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { vol } = await optVol(c, opts);
      const { name } = await c.storageVolGetPath({ vol }).catch(alone);
      ctx.print(`${name}\n`);
    },
  },
  {
    names: ["vol-pool"],
    options: [VOL, bool("uuid")],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { vol } = await optVol(c, opts, "vol", null, BY_KEY_OR_PATH);
      const { pool } = await step("failed to get parent pool", () => c.storagePoolLookupByVolume({ vol }));
      ctx.print(`${opts.bool("uuid") ? uuidToString(pool.uuid) : pool.name}\n`);
    },
  },
];
