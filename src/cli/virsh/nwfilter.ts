// virsh-nwfilter.c: network filters: nwfilter-define, nwfilter-undefine,
// nwfilter-dumpxml, nwfilter-list.

import { LibvirtError } from "../../rpc/errors.js";
import type { Client } from "../../client/client.js";
import type { RemoteNonnullNwfilter } from "../../gen/remote_protocol.js";
import { formatTable } from "../format/admin.js";
import { CommandFailed, type VirshCommand } from "../vsh.js";
import { XPATH_OPTIONS, dumpXml } from "./pool-xpath.js";
import { lookupNwfilter } from "./net-lookup.js";
import { caseCompare, readXmlFile, step, stringReq } from "./util.js";
import { uuidToString } from "../../uuid.js";
import { VIR_NWFILTER_DEFINE_VALIDATE } from "../../gen/friendly/constants.js";

export const NWFILTER = { name: "nwfilter", type: "data", required: true } as const;

const noSupport = (e: unknown): boolean => e instanceof LibvirtError && e.code === "VIR_ERR_NO_SUPPORT";

/** virshNWFilterListCollect: the one-call listing, else (an old daemon) the names one by one. */
async function collectNwfilters(c: Client): Promise<RemoteNonnullNwfilter[]> {
  let filters: RemoteNonnullNwfilter[];
  try {
    filters = (await c.connectListAllNwfilters({ need_results: 1, flags: 0 })).filters;
  } catch (e) {
    if (!noSupport(e)) throw new CommandFailed(["Failed to list network filters"], { cause: e });
    const { num } = await step("Failed to count network filters", () => c.connectNumOfNwfilters());
    if (num === 0) return [];
    const { names } = await step("Failed to list network filters", () => c.connectListNwfilters({ maxnames: num }));
    filters = [];
    for (const name of names) {
      const found = await c.nwfilterLookupByName({ name }).catch(() => null);
      if (found !== null) filters.push(found.nwfilter);
    }
  }
  return filters.sort((a, b) => caseCompare(a.name, b.name));
}

export const commands: VirshCommand[] = [
  {
    names: ["nwfilter-define"],
    options: [{ name: "file", type: "data", required: true }, { name: "validate", type: "bool" }],
    async run(ctx, opts) {
      const from = stringReq(opts, "file")!;
      const xml = await readXmlFile(from);
      const c = await ctx.client();
      const { nwfilter } = await step(`Failed to define network filter from ${from}`, () =>
        opts.bool("validate") ? c.nwfilterDefineXmlFlags({ xml, flags: VIR_NWFILTER_DEFINE_VALIDATE }) : c.nwfilterDefineXml({ xml }),
      );
      ctx.printExtra(`Network filter ${nwfilter.name} defined from ${from}\n`);
    },
  },
  {
    names: ["nwfilter-undefine"],
    options: [NWFILTER],
    async run(ctx, opts) {
      const c = await ctx.client();
      const name = stringReq(opts, "nwfilter")!;
      const nwfilter = await lookupNwfilter(c, name);
      await step(`Failed to undefine network filter ${name}`, () => c.nwfilterUndefine({ nwfilter }));
      ctx.printExtra(`Network filter ${name} undefined\n`);
    },
  },
  {
    names: ["nwfilter-dumpxml"],
    options: [NWFILTER, ...XPATH_OPTIONS],
    async run(ctx, opts) {
      const c = await ctx.client();
      const nwfilter = await lookupNwfilter(c, stringReq(opts, "nwfilter")!);
      return dumpXml(ctx, opts, async () => (await c.nwfilterGetXmlDesc({ nwfilter, flags: 0 })).xml);
    },
  },
  {
    names: ["nwfilter-list"],
    options: [],
    async run(ctx) {
      const c = await ctx.client();
      const rows = (await collectNwfilters(c)).map((f) => [uuidToString(f.uuid), f.name]);
      ctx.print(formatTable(["UUID", "Name"], rows, !ctx.globals.quiet));
    },
  },
];
