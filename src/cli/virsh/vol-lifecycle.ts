// virsh-volume.c: the commands that make, change and remove volumes
// (vol-create, vol-create-as, vol-create-from, vol-clone, vol-resize,
// vol-wipe, vol-delete).

import type { Client } from "../../client/client.js";
import type { RemoteNonnullStoragePool } from "../../gen/remote_protocol.js";
import type { OptDef } from "../command.js";
import { CommandFailed, type VirshCommand } from "../vsh.js";
import { hasCode, optPool } from "./pool-lookup.js";
import { readXmlFile, step, stringReq } from "./util.js";
import { optVol } from "./vol-lookup.js";
import { volSize } from "./vol-size.js";
import { cloneXml, volCreateAsXml } from "./vol-xml.js";
import {
  VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA,
  VIR_STORAGE_VOL_CREATE_REFLINK,
  VIR_STORAGE_VOL_CREATE_VALIDATE,
  VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS,
  VIR_STORAGE_VOL_RESIZE_ALLOCATE,
  VIR_STORAGE_VOL_RESIZE_DELTA,
  VIR_STORAGE_VOL_RESIZE_SHRINK,
  VIR_STORAGE_VOL_WIPE_ALG_BSI,
  VIR_STORAGE_VOL_WIPE_ALG_DOD,
  VIR_STORAGE_VOL_WIPE_ALG_GUTMANN,
  VIR_STORAGE_VOL_WIPE_ALG_NNSA,
  VIR_STORAGE_VOL_WIPE_ALG_PFITZNER33,
  VIR_STORAGE_VOL_WIPE_ALG_PFITZNER7,
  VIR_STORAGE_VOL_WIPE_ALG_RANDOM,
  VIR_STORAGE_VOL_WIPE_ALG_SCHNEIER,
  VIR_STORAGE_VOL_WIPE_ALG_TRIM,
  VIR_STORAGE_VOL_WIPE_ALG_ZERO,
} from "../../gen/friendly/constants.js";

const POOL: OptDef = { name: "pool", type: "data", required: true };
const POOL_OPTIONAL: OptDef = { name: "pool", type: "string" };
const VOL: OptDef = { name: "vol", type: "data", required: true };
const FILE: OptDef = { name: "file", type: "data", required: true };
const bool = (name: string): OptDef => ({ name, type: "bool" });
const str = (name: string): OptDef => ({ name, type: "string" });

/** vol-wipe's --algorithm words (virshStorageVolWipeAlgorithm). */
const WIPE_ALGORITHMS: Readonly<Record<string, number>> = {
  zero: VIR_STORAGE_VOL_WIPE_ALG_ZERO,
  nnsa: VIR_STORAGE_VOL_WIPE_ALG_NNSA,
  dod: VIR_STORAGE_VOL_WIPE_ALG_DOD,
  bsi: VIR_STORAGE_VOL_WIPE_ALG_BSI,
  gutmann: VIR_STORAGE_VOL_WIPE_ALG_GUTMANN,
  schneier: VIR_STORAGE_VOL_WIPE_ALG_SCHNEIER,
  pfitzner7: VIR_STORAGE_VOL_WIPE_ALG_PFITZNER7,
  pfitzner33: VIR_STORAGE_VOL_WIPE_ALG_PFITZNER33,
  random: VIR_STORAGE_VOL_WIPE_ALG_RANDOM,
  trim: VIR_STORAGE_VOL_WIPE_ALG_TRIM,
};

const flagIf = (on: boolean, flag: number): number => (on ? flag : 0);

/** vol-create-as's --backing-vol: by name in the pool, by key, by path; its path. */
async function backingPath(c: Client, pool: RemoteNonnullStoragePool, word: string): Promise<string> {
  const tries = [() => c.storageVolLookupByName({ pool, name: word }), () => c.storageVolLookupByKey({ key: word }), () => c.storageVolLookupByPath({ path: word })];
  let last: unknown;
  for (const find of tries) {
    const vol = await find().then(
      (r) => r.vol,
      (e: unknown) => void (last = e),
    );
    if (vol === undefined) continue;
    return (
      await c.storageVolGetPath({ vol }).catch((e: unknown) => {
        throw new CommandFailed([], { cause: e });
      })
    ).name;
  }
  throw new CommandFailed([`failed to get vol '${word}'`], { cause: last });
}

export const commands: VirshCommand[] = [
  {
    names: ["vol-create-as"],
    options: [POOL, { name: "name", type: "data", required: true }, { name: "capacity", type: "data", required: true }, str("allocation"), str("format"), str("backing-vol"), str("backing-vol-format"), bool("prealloc-metadata"), bool("print-xml")],
    async run(ctx, opts) {
      const c = await ctx.client();
      const flags = flagIf(opts.bool("prealloc-metadata"), VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA);
      const { pool } = await optPool(c, opts);
      const name = stringReq(opts, "name")!;
      const capacity = volSize(stringReq(opts, "capacity")!);
      // An empty --allocation is no allocation (vshCommandOptStringQuiet).
      const allocationText = opts.string("allocation");
      const allocation = allocationText === undefined || allocationText === "" ? undefined : volSize(allocationText);
      const format = stringReq(opts, "format");
      const backingVol = stringReq(opts, "backing-vol");
      const backingFormat = stringReq(opts, "backing-vol-format");
      const backing = backingVol === undefined ? undefined : { path: await backingPath(c, pool, backingVol), ...(backingFormat === undefined ? {} : { format: backingFormat }) };
      const xml = volCreateAsXml({ name, capacity, ...(allocation === undefined ? {} : { allocation }), ...(format === undefined ? {} : { format }), ...(backing === undefined ? {} : { backing }) });
      if (opts.bool("print-xml")) {
        ctx.print(xml);
        return;
      }
      await step(`Failed to create vol ${name}`, () => c.storageVolCreateXml({ pool, xml, flags }));
      ctx.printExtra(`Vol ${name} created\n`);
    },
  },
  {
    names: ["vol-create"],
    options: [POOL, FILE, bool("prealloc-metadata"), bool("validate")],
    async run(ctx, opts) {
      const c = await ctx.client();
      const flags = flagIf(opts.bool("prealloc-metadata"), VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA) | flagIf(opts.bool("validate"), VIR_STORAGE_VOL_CREATE_VALIDATE);
      const { pool } = await optPool(c, opts);
      const from = stringReq(opts, "file")!;
      const xml = await readXmlFile(from);
      const { vol } = await step(`Failed to create vol from ${from}`, () => c.storageVolCreateXml({ pool, xml, flags }));
      ctx.printExtra(`Vol ${vol.name} created from ${from}\n`);
    },
  },
  {
    names: ["vol-create-from"],
    options: [POOL, FILE, VOL, str("inputpool"), bool("prealloc-metadata"), bool("reflink"), bool("validate")],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { pool } = await optPool(c, opts);
      const flags =
        flagIf(opts.bool("prealloc-metadata"), VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA) |
        flagIf(opts.bool("reflink"), VIR_STORAGE_VOL_CREATE_REFLINK) |
        flagIf(opts.bool("validate"), VIR_STORAGE_VOL_CREATE_VALIDATE);
      const from = stringReq(opts, "file")!;
      const { vol: input } = await optVol(c, opts, "vol", "inputpool");
      const xml = await readXmlFile(from);
      const { vol } = await step(`Failed to create vol from ${from}`, () => c.storageVolCreateXmlFrom({ pool, xml, clonevol: input, flags }));
      ctx.printExtra(`Vol ${vol.name} created from input vol ${input.name}\n`);
    },
  },
  {
    names: ["vol-clone"],
    options: [VOL, { name: "newname", type: "data", required: true }, POOL_OPTIONAL, bool("prealloc-metadata"), bool("reflink"), bool("print-xml")],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { vol: orig } = await optVol(c, opts);
      const flags = flagIf(opts.bool("prealloc-metadata"), VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA) | flagIf(opts.bool("reflink"), VIR_STORAGE_VOL_CREATE_REFLINK);
      const { pool } = await step("failed to get parent pool", () => c.storagePoolLookupByVolume({ vol: orig }));
      const name = stringReq(opts, "newname")!;
      const { xml: origXml } = await c.storageVolGetXmlDesc({ vol: orig, flags: 0 }).catch((e: unknown) => {
        throw new CommandFailed([], { cause: e });
      });
      const xml = cloneXml(origXml, name);
      if (xml === null) throw new CommandFailed(["Failed to allocate XML buffer"]);
      if (opts.bool("print-xml")) {
        ctx.print(xml);
        return;
      }
      const { vol } = await step(`Failed to clone vol from ${orig.name}`, () => c.storageVolCreateXmlFrom({ pool, xml, clonevol: orig, flags }));
      ctx.printExtra(`Vol ${vol.name} cloned from ${orig.name}\n`);
    },
  },
  {
    names: ["vol-delete"],
    options: [VOL, POOL_OPTIONAL, bool("delete-snapshots")],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { vol, word } = await optVol(c, opts);
      const flags = flagIf(opts.bool("delete-snapshots"), VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS);
      await step(`Failed to delete vol ${word}`, () => c.storageVolDelete({ vol, flags }));
      ctx.printExtra(`Vol ${word} deleted\n`);
    },
  },
  {
    names: ["vol-wipe"],
    options: [VOL, POOL_OPTIONAL, str("algorithm")],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { vol, word } = await optVol(c, opts);
      const algorithmWord = stringReq(opts, "algorithm");
      const algorithm = algorithmWord === undefined ? VIR_STORAGE_VOL_WIPE_ALG_ZERO : WIPE_ALGORITHMS[algorithmWord];
      if (algorithm === undefined) throw new CommandFailed([`Unsupported algorithm '${algorithmWord!}'`]);
      await step(`Failed to wipe vol ${word}`, () =>
        c.storageVolWipePattern({ vol, algorithm, flags: 0 }).catch((e: unknown) => {
          // A driver without patterns may still zero the volume.
          if (hasCode(e, "VIR_ERR_NO_SUPPORT") && algorithm === VIR_STORAGE_VOL_WIPE_ALG_ZERO) return c.storageVolWipe({ vol, flags: 0 });
          throw e;
        }),
      );
      ctx.printExtra(`Vol ${word} wiped\n`);
    },
  },
  {
    names: ["vol-resize"],
    options: [VOL, { name: "capacity", type: "data", required: true }, POOL_OPTIONAL, bool("allocate"), bool("delta"), bool("shrink")],
    async run(ctx, opts) {
      const c = await ctx.client();
      let flags = flagIf(opts.bool("allocate"), VIR_STORAGE_VOL_RESIZE_ALLOCATE) | flagIf(opts.bool("shrink"), VIR_STORAGE_VOL_RESIZE_SHRINK);
      let delta = opts.bool("delta");
      const { vol } = await optVol(c, opts);
      let text = stringReq(opts, "capacity")!.replace(/^[ \t\n\v\f\r]+/, "");
      if (text.startsWith("-")) {
        // The API takes no negative size; virsh reads "-N" with --shrink as a shrinking delta.
        if (!opts.bool("shrink")) throw new CommandFailed(["negative size requires --shrink"]);
        text = text.slice(1);
        delta = true;
      }
      if (delta) flags |= VIR_STORAGE_VOL_RESIZE_DELTA;
      const capacity = volSize(text);
      const how = delta ? "by" : "to";
      await step(`Failed to change size of volume '${vol.name}' ${how} ${text}`, () => c.storageVolResize({ vol, capacity, flags }));
      ctx.printExtra(`Size of volume '${vol.name}' successfully changed ${how} ${text}\n`);
    },
  },
];
