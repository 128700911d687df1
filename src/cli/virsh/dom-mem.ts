// virsh-domain.c: a domain's memory sizes: setmem, setmaxmem.

import type { OptDef } from "../command.js";
import type { VirshCommand } from "../vsh.js";
import { CONFIG_LIVE_CURRENT, DOMAIN, affectFlags, checkMemory, scaledOpt } from "./dom-opts.js";
import { lookupDomain, step } from "./util.js";
import { VIR_DOMAIN_AFFECT_LIVE, VIR_DOMAIN_MEM_MAXIMUM } from "../../gen/friendly/constants.js";

/** An `unsigned long` of KiB on a 64-bit host: virsh's bound, in bytes. */
const MAX_BYTES = 0xffffffffffffffffn;

const SIZE: readonly OptDef[] = [
  { name: "kilobytes", type: "alias", alias: "size" },
  { name: "size", type: "int", required: true },
];

export const commands: VirshCommand[] = [
  {
    names: ["setmem"],
    options: [DOMAIN, ...SIZE, ...CONFIG_LIVE_CURRENT],
    async run(ctx, opts) {
      // With no scope given, setmem changes the running domain (and fails on a shut-off one).
      const scoped = opts.bool("config") || opts.bool("live") || opts.bool("current");
      const flags = scoped ? affectFlags(opts) : VIR_DOMAIN_AFFECT_LIVE;
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const memory = (scaledOpt(opts, "size", 1024n, MAX_BYTES)! + 1023n) / 1024n;
      checkMemory(memory, "virDomainSetMemoryFlags");
      await c.domainSetMemoryFlags({ dom, memory, flags });
    },
  },
  {
    names: ["setmaxmem"],
    options: [DOMAIN, ...SIZE, ...CONFIG_LIVE_CURRENT],
    async run(ctx, opts) {
      const flags = affectFlags(opts);
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const memory = (scaledOpt(opts, "size", 1024n, MAX_BYTES)! + 1023n) / 1024n;
      const failed = "Unable to change MaxMemorySize";
      checkMemory(memory, "virDomainSetMemoryFlags", [failed]);
      await step(failed, () => c.domainSetMemoryFlags({ dom, memory, flags: flags | VIR_DOMAIN_MEM_MAXIMUM }));
    },
  },
];
