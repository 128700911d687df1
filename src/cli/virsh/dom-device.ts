// virsh-domain.c: devices from an XML file, added, removed or changed:
// attach-device, detach-device, detach-device-alias, update-device.

import type { Client } from "../../client/client.js";
import type { RemoteNonnullDomain } from "../../gen/remote_protocol.js";
import type { OptDef, Opts } from "../command.js";
import type { VirshCommand } from "../vsh.js";
import { readXmlFile } from "./dom-files.js";
import { CONFIG_LIVE_CURRENT, DOMAIN, affectFlags, bool, exclusiveVars, nonEmpty } from "./dom-opts.js";
import { lookupDomain, step } from "./util.js";
import { VIR_DOMAIN_AFFECT_CONFIG, VIR_DOMAIN_AFFECT_LIVE, VIR_DOMAIN_DEVICE_MODIFY_FORCE } from "../../gen/friendly/constants.js";

const FILE: OptDef = { name: "file", type: "data", required: true };
const WITH_FILE: readonly OptDef[] = [DOMAIN, FILE, bool("persistent"), ...CONFIG_LIVE_CURRENT];

/**
 * The flags of the file-based device commands: --persistent is --config,
 * and --live too where the domain runs; whether the flags call is the one
 * to make (any flag, or --current).
 */
async function deviceFlags(c: Client, dom: RemoteNonnullDomain, opts: Opts): Promise<{ flags: number; withFlags: boolean }> {
  let flags = affectFlags(opts);
  if (opts.bool("persistent")) {
    flags |= VIR_DOMAIN_AFFECT_CONFIG;
    if ((await c.domainIsActive({ dom })).active === 1) flags |= VIR_DOMAIN_AFFECT_LIVE;
  }
  return { flags, withFlags: flags !== 0 || opts.bool("current") };
}

function checkPersistent(opts: Opts): void {
  exclusiveVars("persistent", opts.bool("persistent"), "current", opts.bool("current"));
}

export const commands: VirshCommand[] = [
  {
    names: ["attach-device"],
    options: WITH_FILE,
    async run(ctx, opts) {
      checkPersistent(opts);
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const from = nonEmpty(opts, "file")!;
      const { flags, withFlags } = await deviceFlags(c, dom, opts);
      const xml = await readXmlFile(from);
      await step(`Failed to attach device from ${from}`, () => (withFlags ? c.domainAttachDeviceFlags({ dom, xml, flags }) : c.domainAttachDevice({ dom, xml })));
      ctx.printExtra("Device attached successfully\n");
    },
  },
  {
    names: ["detach-device"],
    options: WITH_FILE,
    async run(ctx, opts) {
      checkPersistent(opts);
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const { flags, withFlags } = await deviceFlags(c, dom, opts);
      const from = nonEmpty(opts, "file")!;
      const xml = await readXmlFile(from);
      await step(`Failed to detach device from ${from}`, () => (withFlags ? c.domainDetachDeviceFlags({ dom, xml, flags }) : c.domainDetachDevice({ dom, xml })));
      ctx.printExtra("Device detached successfully\n");
    },
  },
  {
    names: ["detach-device-alias"],
    options: [DOMAIN, { name: "alias", type: "data", required: true }, ...CONFIG_LIVE_CURRENT],
    async run(ctx, opts) {
      const flags = affectFlags(opts);
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const alias = nonEmpty(opts, "alias")!;
      await step(`Failed to detach device with alias ${alias}`, () => c.domainDetachDeviceAlias({ dom, alias, flags }));
      ctx.printExtra("Device detach request sent successfully\n");
    },
  },
  {
    names: ["update-device"],
    options: [...WITH_FILE, bool("force")],
    async run(ctx, opts) {
      checkPersistent(opts);
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const from = nonEmpty(opts, "file")!;
      let { flags } = await deviceFlags(c, dom, opts);
      const xml = await readXmlFile(from);
      if (opts.bool("force")) flags |= VIR_DOMAIN_DEVICE_MODIFY_FORCE;
      await step(`Failed to update device from ${from}`, () => c.domainUpdateDeviceFlags({ dom, xml, flags }));
      ctx.printExtra("Device updated successfully\n");
    },
  },
];
