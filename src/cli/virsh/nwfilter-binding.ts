// virsh-nwfilter.c: network filter bindings: nwfilter-binding-create,
// nwfilter-binding-delete, nwfilter-binding-dumpxml, nwfilter-binding-list.

import { formatTable } from "../format/admin.js";
import type { VirshCommand } from "../vsh.js";
import { XPATH_OPTIONS } from "./pool-xpath.js";
import { lookupNwfilterBinding } from "./net-lookup.js";
import { caseCompare, readXmlFile, step, stringReq } from "./util.js";
import { VIR_NWFILTER_BINDING_CREATE_VALIDATE } from "../../gen/friendly/constants.js";

const BINDING = { name: "binding", type: "data", required: true } as const;

export const commands: VirshCommand[] = [
  {
    names: ["nwfilter-binding-create"],
    options: [{ name: "file", type: "data", required: true }, { name: "validate", type: "bool" }],
    async run(ctx, opts) {
      const from = stringReq(opts, "file")!;
      const xml = await readXmlFile(from);
      const c = await ctx.client();
      const flags = opts.bool("validate") ? VIR_NWFILTER_BINDING_CREATE_VALIDATE : 0;
      const { nwfilter } = await step(`Failed to create network filter from ${from}`, () => c.nwfilterBindingCreateXml({ xml, flags }));
      ctx.printExtra(`Network filter binding on ${nwfilter.portdev} created from ${from}\n`);
    },
  },
  {
    names: ["nwfilter-binding-delete"],
    options: [BINDING],
    async run(ctx, opts) {
      const c = await ctx.client();
      const portdev = stringReq(opts, "binding")!;
      const nwfilter = await lookupNwfilterBinding(c, portdev);
      await step(`Failed to delete network filter binding on ${portdev}`, () => c.nwfilterBindingDelete({ nwfilter }));
      ctx.printExtra(`Network filter binding on ${portdev} deleted\n`);
    },
  },
  {
    names: ["nwfilter-binding-dumpxml"],
    options: [BINDING, ...XPATH_OPTIONS],
    async run(ctx, opts) {
      const c = await ctx.client();
      const nwfilter = await lookupNwfilterBinding(c, stringReq(opts, "binding")!);
      // virsh 9.0 never reads --xpath here: the whole document is printed whatever it says,
      // and where the daemon then refuses, it prints nothing and succeeds.
      const got = await c.nwfilterBindingGetXmlDesc({ nwfilter, flags: 0 }).catch(() => null);
      if (got !== null) ctx.print(got.xml);
    },
  },
  {
    names: ["nwfilter-binding-list"],
    options: [],
    async run(ctx) {
      const c = await ctx.client();
      const { bindings } = await step("Failed to list network filter bindings", () => c.connectListAllNwfilterBindings({ need_results: 1, flags: 0 }));
      bindings.sort((a, b) => caseCompare(a.portdev, b.portdev));
      ctx.print(formatTable(["Port Dev", "Filter"], bindings.map((b) => [b.portdev, b.filtername]), !ctx.globals.quiet));
    },
  },
];
