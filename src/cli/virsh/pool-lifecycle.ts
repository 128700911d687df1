// virsh-pool.c: the commands that make, start, stop and remove pools
// (pool-create, pool-create-as, pool-define, pool-define-as, pool-build,
// pool-start, pool-autostart, pool-refresh, pool-destroy, pool-delete,
// pool-undefine).

import type { Client } from "../../client/client.js";
import type { RemoteNonnullStoragePool } from "../../gen/remote_protocol.js";
import type { OptDef, Opts } from "../command.js";
import { exclusive, type VirshCommand } from "../vsh.js";
import { optPool } from "./pool-lookup.js";
import { buildPoolXml, POOL_X_AS_OPTIONS } from "./pool-xml.js";
import { readXmlFile, step, stringReq } from "./util.js";
import {
  VIR_STORAGE_POOL_BUILD_NO_OVERWRITE,
  VIR_STORAGE_POOL_BUILD_OVERWRITE,
  VIR_STORAGE_POOL_CREATE_WITH_BUILD,
  VIR_STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE,
  VIR_STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE,
  VIR_STORAGE_POOL_DEFINE_VALIDATE,
} from "../../gen/friendly/constants.js";

const POOL: OptDef = { name: "pool", type: "data", required: true };
const FILE: OptDef = { name: "file", type: "data", required: true };
const bool = (name: string): OptDef => ({ name, type: "bool" });
const BUILD_OPTIONS: readonly OptDef[] = [bool("build"), bool("no-overwrite"), bool("overwrite")];

/** --build, --overwrite, --no-overwrite as the VIR_STORAGE_POOL_CREATE_WITH_BUILD* flags (the last two exclusive). */
function createFlags(opts: Opts): number {
  exclusive(opts, "overwrite", "no-overwrite");
  return (
    (opts.bool("build") ? VIR_STORAGE_POOL_CREATE_WITH_BUILD : 0) |
    (opts.bool("overwrite") ? VIR_STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE : 0) |
    (opts.bool("no-overwrite") ? VIR_STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE : 0)
  );
}

/**
 * A command that finds the pool its first option names, does one thing to
 * it, and says so with the word typed ("Pool X destroyed"), or fails with
 * virsh's line before the library's error.
 */
function onePool(name: string, extra: readonly OptDef[], act: (c: Client, pool: RemoteNonnullStoragePool, opts: Opts) => Promise<unknown>, done: string, failed: string): VirshCommand {
  return {
    names: [name],
    options: [POOL, ...extra],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { pool, word } = await optPool(c, opts);
      await step(`${failed} ${word}`, () => act(c, pool, opts));
      ctx.printExtra(`Pool ${word} ${done}\n`);
    },
  };
}

export const commands: VirshCommand[] = [
  {
    names: ["pool-autostart"],
    options: [POOL, bool("disable")],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { pool, word } = await optPool(c, opts);
      const autostart = !opts.bool("disable");
      await step(`failed to ${autostart ? "mark" : "unmark"} pool ${word} as autostarted`, () => c.storagePoolSetAutostart({ pool, autostart: autostart ? 1 : 0 }));
      ctx.printExtra(`Pool ${word} ${autostart ? "marked" : "unmarked"} as autostarted\n`);
    },
  },
  onePool(
    "pool-build",
    [bool("no-overwrite"), bool("overwrite")],
    (c, pool, opts) =>
      c.storagePoolBuild({ pool, flags: (opts.bool("no-overwrite") ? VIR_STORAGE_POOL_BUILD_NO_OVERWRITE : 0) | (opts.bool("overwrite") ? VIR_STORAGE_POOL_BUILD_OVERWRITE : 0) }),
    "built",
    "Failed to build pool",
  ),
  {
    names: ["pool-create"],
    options: [FILE, ...BUILD_OPTIONS],
    async run(ctx, opts) {
      const c = await ctx.client();
      const from = stringReq(opts, "file")!;
      const flags = createFlags(opts);
      const xml = await readXmlFile(from);
      const { pool } = await step(`Failed to create pool from ${from}`, () => c.storagePoolCreateXml({ xml, flags }));
      ctx.printExtra(`Pool ${pool.name} created from ${from}\n`);
    },
  },
  {
    names: ["pool-create-as"],
    options: [...POOL_X_AS_OPTIONS, ...BUILD_OPTIONS],
    async run(ctx, opts) {
      const c = await ctx.client();
      const flags = createFlags(opts);
      const { name, xml } = buildPoolXml(opts);
      if (opts.bool("print-xml")) {
        ctx.print(xml);
        return;
      }
      await step(`Failed to create pool ${name}`, () => c.storagePoolCreateXml({ xml, flags }));
      ctx.printExtra(`Pool ${name} created\n`);
    },
  },
  {
    names: ["pool-define"],
    options: [FILE, bool("validate")],
    async run(ctx, opts) {
      const c = await ctx.client();
      const from = stringReq(opts, "file")!;
      const flags = opts.bool("validate") ? VIR_STORAGE_POOL_DEFINE_VALIDATE : 0;
      const xml = await readXmlFile(from);
      const { pool } = await step(`Failed to define pool from ${from}`, () => c.storagePoolDefineXml({ xml, flags }));
      ctx.printExtra(`Pool ${pool.name} defined from ${from}\n`);
    },
  },
  {
    names: ["pool-define-as"],
    options: POOL_X_AS_OPTIONS,
    async run(ctx, opts) {
      const c = await ctx.client();
      const { name, xml } = buildPoolXml(opts);
      if (opts.bool("print-xml")) {
        ctx.print(xml);
        return;
      }
      await step(`Failed to define pool ${name}`, () => c.storagePoolDefineXml({ xml, flags: 0 }));
      ctx.printExtra(`Pool ${name} defined\n`);
    },
  },
  onePool("pool-delete", [], (c, pool) => c.storagePoolDelete({ pool, flags: 0 }), "deleted", "Failed to delete pool"),
  onePool("pool-destroy", [], (c, pool) => c.storagePoolDestroy({ pool }), "destroyed", "Failed to destroy pool"),
  onePool("pool-refresh", [], (c, pool) => c.storagePoolRefresh({ pool, flags: 0 }), "refreshed", "Failed to refresh pool"),
  {
    names: ["pool-start"],
    options: [POOL, ...BUILD_OPTIONS],
    async run(ctx, opts) {
      const c = await ctx.client();
      // virsh finds the pool before it checks the build options.
      const { pool, word } = await optPool(c, opts);
      const flags = createFlags(opts);
      await step(`Failed to start pool ${word}`, () => c.storagePoolCreate({ pool, flags }));
      ctx.printExtra(`Pool ${word} started\n`);
    },
  },
  onePool("pool-undefine", [], (c, pool) => c.storagePoolUndefine({ pool }), "has been undefined", "Failed to undefine pool"),
];
