// virsh-network.c: a network's life: net-create, net-define, net-start,
// net-destroy, net-undefine, net-autostart.

import type { OptDef } from "../command.js";
import type { VirshCommand } from "../vsh.js";
import { networkOpt } from "./net-lookup.js";
import { readXmlFile, step, stringReq } from "./util.js";
import { VIR_NETWORK_CREATE_VALIDATE, VIR_NETWORK_DEFINE_VALIDATE } from "../../gen/friendly/constants.js";

export const NETWORK: OptDef = { name: "network", type: "data", required: true };
export const FILE: OptDef = { name: "file", type: "data", required: true };
const VALIDATE: OptDef = { name: "validate", type: "bool" };

export const commands: VirshCommand[] = [
  {
    names: ["net-create"],
    options: [FILE, VALIDATE],
    async run(ctx, opts) {
      const from = stringReq(opts, "file")!;
      const xml = await readXmlFile(from);
      const c = await ctx.client();
      const { net } = await step(`Failed to create network from ${from}`, () =>
        opts.bool("validate") ? c.networkCreateXmlFlags({ xml, flags: VIR_NETWORK_CREATE_VALIDATE }) : c.networkCreateXml({ xml }),
      );
      ctx.printExtra(`Network ${net.name} created from ${from}\n`);
    },
  },
  {
    names: ["net-define"],
    options: [FILE, VALIDATE],
    async run(ctx, opts) {
      const from = stringReq(opts, "file")!;
      const xml = await readXmlFile(from);
      const c = await ctx.client();
      const { net } = await step(`Failed to define network from ${from}`, () =>
        opts.bool("validate") ? c.networkDefineXmlFlags({ xml, flags: VIR_NETWORK_DEFINE_VALIDATE }) : c.networkDefineXml({ xml }),
      );
      ctx.printExtra(`Network ${net.name} defined from ${from}\n`);
    },
  },
  {
    names: ["net-start"],
    options: [NETWORK],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { net, name } = await networkOpt(c, opts);
      await step(`Failed to start network ${name}`, () => c.networkCreate({ net }));
      ctx.printExtra(`Network ${name} started\n`);
    },
  },
  {
    names: ["net-destroy"],
    options: [NETWORK],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { net, name } = await networkOpt(c, opts);
      await step(`Failed to destroy network ${name}`, () => c.networkDestroy({ net }));
      ctx.printExtra(`Network ${name} destroyed\n`);
    },
  },
  {
    names: ["net-undefine"],
    options: [NETWORK],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { net, name } = await networkOpt(c, opts);
      await step(`Failed to undefine network ${name}`, () => c.networkUndefine({ net }));
      ctx.printExtra(`Network ${name} has been undefined\n`);
    },
  },
  {
    names: ["net-autostart"],
    options: [NETWORK, { name: "disable", type: "bool" }],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { net, name } = await networkOpt(c, opts);
      const autostart = !opts.bool("disable");
      await step(`failed to ${autostart ? "mark" : "unmark"} network ${name} as autostarted`, () => c.networkSetAutostart({ net, autostart: autostart ? 1 : 0 }));
      ctx.printExtra(`Network ${name} ${autostart ? "marked" : "unmarked"} as autostarted\n`);
    },
  },
];
