// virsh-pool.c: the commands that tell about pools (pool-info, pool-name,
// pool-uuid, pool-dumpxml, pool-capabilities, find-storage-pool-sources,
// find-storage-pool-sources-as).

import { uuidToString } from "../../uuid.js";
import type { OptDef } from "../command.js";
import { CommandFailed, type VirshCommand } from "../vsh.js";
import { optPool } from "./pool-lookup.js";
import { dumpXml, XPATH_OPTIONS } from "./pool-xpath.js";
import { prettyCapacity, readXmlFile, step, stringReq } from "./util.js";
import { VIR_STORAGE_POOL_DEGRADED, VIR_STORAGE_POOL_RUNNING, VIR_STORAGE_XML_INACTIVE } from "../../gen/friendly/constants.js";

const POOL: OptDef = { name: "pool", type: "data", required: true };
const bool = (name: string): OptDef => ({ name, type: "bool" });

/** virshStoragePoolState's words, by virStoragePoolState. */
const POOL_STATES = ["inactive", "building", "running", "degraded", "inaccessible"];

/** vshPrint's "%-15s %s" lines. */
const field = (label: string, value: string): string => `${label.padEnd(15)} ${value}\n`;

export const commands: VirshCommand[] = [
  {
    names: ["pool-info"],
    options: [POOL, bool("bytes")],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { pool } = await optPool(c, opts);
      ctx.print(field("Name:", pool.name));
      ctx.print(field("UUID:", uuidToString(pool.uuid)));
      // A failed GetInfo ends the command with the library's error alone.
      const info = await c.storagePoolGetInfo({ pool }).catch((e: unknown) => {
        throw new CommandFailed([], { cause: e });
      });
      ctx.print(field("State:", POOL_STATES[info.state] ?? "unknown"));
      const persistent = await c.storagePoolIsPersistent({ pool }).then((r) => r.persistent, () => -1);
      ctx.print(field("Persistent:", persistent < 0 ? "unknown" : persistent ? "yes" : "no"));
      const autostart = await c.storagePoolGetAutostart({ pool }).then((r) => (r.autostart ? "yes" : "no"), () => "no autostart");
      ctx.print(field("Autostart:", autostart));
      if (info.state !== VIR_STORAGE_POOL_RUNNING && info.state !== VIR_STORAGE_POOL_DEGRADED) return;
      const size = (n: bigint): string => (opts.bool("bytes") ? String(n) : prettyCapacity(n));
      ctx.print(field("Capacity:", size(info.capacity)));
      ctx.print(field("Allocation:", size(info.allocation)));
      ctx.print(field("Available:", size(info.available)));
    },
  },
  {
    names: ["pool-name"],
    options: [POOL],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { pool } = await optPool(c, opts, "pool", { uuid: true, name: false });
      ctx.print(`${pool.name}\n`);
    },
  },
  {
    names: ["pool-uuid"],
    options: [POOL],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { pool } = await optPool(c, opts, "pool", { uuid: false, name: true });
      ctx.print(`${uuidToString(pool.uuid)}\n`);
    },
  },
  {
    names: ["pool-dumpxml"],
    options: [POOL, bool("inactive"), ...XPATH_OPTIONS],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { pool } = await optPool(c, opts);
      const flags = opts.bool("inactive") ? VIR_STORAGE_XML_INACTIVE : 0;
      return dumpXml(ctx, opts, async () => (await c.storagePoolGetXmlDesc({ pool, flags })).xml);
    },
  },
  {
    names: ["pool-capabilities"],
    options: [],
    async run(ctx) {
      const c = await ctx.client();
      const { capabilities } = await step("failed to get storage pool capabilities", () => c.connectGetStoragePoolCapabilities({ flags: 0 }));
      ctx.print(`${capabilities}\n`);
    },
  },
  {
    names: ["find-storage-pool-sources-as"],
    options: [{ name: "type", type: "data", required: true }, ...["host", "port", "initiator"].map((name): OptDef => ({ name, type: "string" }))],
    async run(ctx, opts) {
      const c = await ctx.client();
      const type = stringReq(opts, "type")!;
      const host = stringReq(opts, "host");
      const initiator = stringReq(opts, "initiator");
      let srcSpec: string | null = null;
      if (host !== undefined) {
        let port: string | undefined;
        try {
          port = stringReq(opts, "port");
        } catch (e) {
          throw new CommandFailed([...(e as CommandFailed).lines, "missing argument"]);
        }
        const lines = ["<source>", `  <host name='${host}'${port === undefined ? "" : ` port='${port}'`}/>`];
        if (initiator !== undefined) lines.push("  <initiator>", `    <iqn name='${initiator}'/>`, "  </initiator>");
        lines.push("</source>");
        srcSpec = `${lines.join("\n")}\n`;
      }
      const { xml } = await step(`Failed to find any ${type} pool sources`, () => c.connectFindStoragePoolSources({ type, srcSpec, flags: 0 }));
      ctx.print(xml);
    },
  },
  {
    names: ["find-storage-pool-sources"],
    options: [
      { name: "type", type: "data", required: true },
      { name: "srcSpec", type: "string" },
    ],
    async run(ctx, opts) {
      const c = await ctx.client();
      const type = stringReq(opts, "type")!;
      const file = stringReq(opts, "srcSpec");
      const srcSpec = file === undefined ? null : await readXmlFile(file);
      const { xml } = await step(`Failed to find any ${type} pool sources`, () => c.connectFindStoragePoolSources({ type, srcSpec, flags: 0 }));
      ctx.print(xml);
    },
  },
];
