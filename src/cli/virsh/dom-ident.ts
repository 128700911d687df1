// virsh-domain.c: a domain's names and marks: domid, domname, domuuid,
// domhostname, domrename, autostart.

import { uuidToString } from "../../uuid.js";
import type { OptDef } from "../command.js";
import { CommandFailed, type VirshCommand } from "../vsh.js";
import { lookupDomain, step } from "./util.js";
import { VIR_DOMAIN_GET_HOSTNAME_AGENT, VIR_DOMAIN_GET_HOSTNAME_LEASE } from "../../gen/friendly/constants.js";

const DOMAIN: OptDef = { name: "domain", type: "data", required: true };

/** domhostname's --source words. */
const HOSTNAME_SOURCES: Record<string, number> = { agent: VIR_DOMAIN_GET_HOSTNAME_AGENT, lease: VIR_DOMAIN_GET_HOSTNAME_LEASE };

export const commands: VirshCommand[] = [
  {
    names: ["domid"],
    options: [DOMAIN],
    async run(ctx, opts) {
      const dom = await lookupDomain(await ctx.client(), opts.string("domain")!, { name: true, uuid: true });
      ctx.print(`${dom.id === -1 ? "-" : dom.id}\n`);
    },
  },
  {
    names: ["domname"],
    options: [DOMAIN],
    async run(ctx, opts) {
      const dom = await lookupDomain(await ctx.client(), opts.string("domain")!, { id: true, uuid: true });
      ctx.print(`${dom.name}\n`);
    },
  },
  {
    names: ["domuuid"],
    options: [DOMAIN],
    async run(ctx, opts) {
      const dom = await lookupDomain(await ctx.client(), opts.string("domain")!, { name: true, id: true });
      ctx.print(`${uuidToString(dom.uuid)}\n`);
    },
  },
  {
    names: ["domhostname"],
    options: [DOMAIN, { name: "source", type: "string" }],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const source = opts.string("source");
      let flags = 0;
      if (source !== undefined) {
        const f = HOSTNAME_SOURCES[source];
        if (f === undefined) throw new CommandFailed([`Unknown data source '${source}'`]);
        flags = f;
      }
      const { hostname } = await step("failed to get hostname", () => c.domainGetHostname({ dom, flags }));
      ctx.print(`${hostname}\n`);
    },
  },
  {
    names: ["domrename"],
    options: [DOMAIN, { name: "new-name", type: "data", required: true }],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const newName = opts.string("new-name")!;
      if (newName === "") throw new CommandFailed(["Failed to get option 'new-name': Option argument is empty"]);
      await c.domainRename({ dom, new_name: newName, flags: 0 });
      ctx.printExtra("Domain successfully renamed\n");
    },
  },
  {
    names: ["autostart"],
    options: [DOMAIN, { name: "disable", type: "bool" }],
    async run(ctx, opts) {
      const c = await ctx.client();
      const name = opts.string("domain")!;
      const dom = await lookupDomain(c, name);
      const on = !opts.bool("disable");
      await step(on ? `Failed to mark domain '${name}' as autostarted` : `Failed to unmark domain '${name}' as autostarted`, () =>
        c.domainSetAutostart({ dom, autostart: on ? 1 : 0 }),
      );
      ctx.printExtra(on ? `Domain '${name}' marked as autostarted\n` : `Domain '${name}' unmarked as autostarted\n`);
    },
  },
];
