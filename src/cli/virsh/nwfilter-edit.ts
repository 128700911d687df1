// virsh-nwfilter.c: nwfilter-edit, through virsh-edit.c's loop (net-edit.ts).

import type { VirshCommand } from "../vsh.js";
import { editXml } from "./net-edit.js";
import { lookupNwfilter } from "./net-lookup.js";
import { NWFILTER } from "./nwfilter.js";
import { stringReq } from "./util.js";

export const commands: VirshCommand[] = [
  {
    names: ["nwfilter-edit"],
    options: [NWFILTER],
    async run(ctx, opts) {
      const c = await ctx.client();
      const nwfilter = await lookupNwfilter(c, stringReq(opts, "nwfilter")!);
      return editXml(ctx, {
        kind: "Network filter",
        name: nwfilter.name,
        xml: async () => (await c.nwfilterGetXmlDesc({ nwfilter, flags: 0 })).xml,
        define: async (xml) => (await c.nwfilterDefineXml({ xml })).nwfilter.name,
      });
    },
  },
];
