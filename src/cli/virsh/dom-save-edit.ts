// virsh-domain.c: the domain XML kept in a saved state file, replaced from a
// file or edited in virsh's edit loop: save-image-define, save-image-edit,
// managedsave-define, managedsave-edit.

import type { OptDef, Opts } from "../command.js";
import { exclusive, type VirshCommand } from "../vsh.js";
import { editLoop } from "./dom-editor.js";
import { absPath, readXmlFile } from "./dom-files.js";
import { DOMAIN, bool, exclusiveFlags, nonEmpty } from "./dom-opts.js";
import { lookupDomain, step } from "./util.js";
import { VIR_DOMAIN_SAVE_PAUSED, VIR_DOMAIN_SAVE_RUNNING, VIR_DOMAIN_XML_SECURE } from "../../gen/friendly/constants.js";

const FILE: OptDef = { name: "file", type: "data", required: true };
const XML: OptDef = { name: "xml", type: "data", required: true };
const STATE: OptDef[] = [bool("running"), bool("paused")];

function stateFlags(opts: Opts): number {
  return (opts.bool("running") ? VIR_DOMAIN_SAVE_RUNNING : 0) | (opts.bool("paused") ? VIR_DOMAIN_SAVE_PAUSED : 0);
}

/** libvirt's client refuses both before asking the daemon (VIR_EXCLUSIVE_FLAGS_GOTO). */
function checkState(flags: number, lines: readonly string[]): void {
  exclusiveFlags(flags, [[VIR_DOMAIN_SAVE_RUNNING, "VIR_DOMAIN_SAVE_RUNNING", VIR_DOMAIN_SAVE_PAUSED, "VIR_DOMAIN_SAVE_PAUSED"]], lines);
}

export const commands: VirshCommand[] = [
  {
    names: ["save-image-define"],
    options: [FILE, XML, ...STATE],
    async run(ctx, opts) {
      // virsh leaves both flags together to the library, which says so after virsh's line.
      const c = await ctx.client();
      const flags = stateFlags(opts);
      const file = nonEmpty(opts, "file")!;
      const xml = await readXmlFile(nonEmpty(opts, "xml")!);
      checkState(flags, [`Failed to update ${file}`]);
      await step(`Failed to update ${file}`, () => c.domainSaveImageDefineXml({ file: absPath(file), dxml: xml, flags }));
      ctx.printExtra(`State file ${file} updated.\n`);
    },
  },
  {
    names: ["save-image-edit"],
    options: [FILE, ...STATE],
    async run(ctx, opts) {
      const c = await ctx.client();
      const flags = stateFlags(opts);
      // In the edit loop a define that must fail would loop: virsh refuses first.
      exclusive(opts, "running", "paused");
      const file = nonEmpty(opts, "file")!;
      const path = absPath(file);
      const outcome = await editLoop(ctx, {
        get: async () => (await c.domainSaveImageGetXmlDesc({ file: path, flags: VIR_DOMAIN_XML_SECURE })).xml,
        save: async (dxml) => void (await c.domainSaveImageDefineXml({ file: path, dxml, flags })),
      });
      if (outcome === "unchanged") {
        ctx.printExtra(`Saved image ${file} XML configuration not changed.\n`);
        return;
      }
      ctx.printExtra(`State file ${file} edited.\n`);
    },
  },
  {
    names: ["managedsave-edit"],
    options: [DOMAIN, ...STATE],
    async run(ctx, opts) {
      const c = await ctx.client();
      const flags = stateFlags(opts);
      exclusive(opts, "running", "paused");
      const dom = await lookupDomain(c, opts.string("domain")!);
      const outcome = await editLoop(ctx, {
        get: async () => (await c.domainManagedSaveGetXmlDesc({ dom, flags: VIR_DOMAIN_XML_SECURE })).xml,
        save: async (dxml) => void (await c.domainManagedSaveDefineXml({ dom, dxml, flags })),
      });
      if (outcome === "unchanged") {
        ctx.printExtra(`Managed save image of domain '${dom.name}' XML configuration not changed.\n`);
        return;
      }
      ctx.printExtra(`Managed save image of Domain '${dom.name}' XML configuration edited.\n`);
    },
  },
  {
    names: ["managedsave-define"],
    options: [DOMAIN, XML, ...STATE],
    async run(ctx, opts) {
      const c = await ctx.client();
      const flags = stateFlags(opts);
      exclusive(opts, "running", "paused");
      const xml = await readXmlFile(nonEmpty(opts, "xml")!);
      const dom = await lookupDomain(c, opts.string("domain")!);
      await step(`Failed to update ${dom.name} XML configuration`, () => c.domainManagedSaveDefineXml({ dom, dxml: xml, flags }));
      ctx.printExtra(`Managed save state file of domain '${dom.name}' updated.\n`);
    },
  },
];
