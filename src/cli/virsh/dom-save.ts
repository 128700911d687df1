// virsh-domain.c: a domain's state to a file and back: save, restore,
// save-image-dumpxml, managedsave, managedsave-remove, managedsave-dumpxml.

import type { OptDef, Opts } from "../command.js";
import { CommandFailed, type VirshCommand } from "../vsh.js";
import { absPath, readXmlFile } from "./dom-files.js";
import { DOMAIN, bool, exclusiveFlags, nonEmpty } from "./dom-opts.js";
import { watchJob } from "./dom-watch.js";
import { lookupDomain, step } from "./util.js";
import {
  VIR_DOMAIN_SAVE_BYPASS_CACHE,
  VIR_DOMAIN_SAVE_PAUSED,
  VIR_DOMAIN_SAVE_RESET_NVRAM,
  VIR_DOMAIN_SAVE_RUNNING,
  VIR_DOMAIN_XML_SECURE,
} from "../../gen/friendly/constants.js";

const FILE: OptDef = { name: "file", type: "data", required: true };
/** --xpath and --wrap: virshDumpXML's; only the whole document is printed here. */
const XPATH: OptDef[] = [{ name: "xpath", type: "string", named: true }, bool("wrap")];

function saveFlags(opts: Opts): number {
  return (
    (opts.bool("bypass-cache") ? VIR_DOMAIN_SAVE_BYPASS_CACHE : 0) |
    (opts.bool("running") ? VIR_DOMAIN_SAVE_RUNNING : 0) |
    (opts.bool("paused") ? VIR_DOMAIN_SAVE_PAUSED : 0)
  );
}

/** libvirt's client refuses both --running and --paused before asking the daemon. */
function checkSaveFlags(flags: number, lines: readonly string[]): void {
  exclusiveFlags(flags, [[VIR_DOMAIN_SAVE_RUNNING, "VIR_DOMAIN_SAVE_RUNNING", VIR_DOMAIN_SAVE_PAUSED, "VIR_DOMAIN_SAVE_PAUSED"]], lines);
}

/** virshDumpXML without --xpath: the document as it came. */
function dumpXml(ctx: Parameters<VirshCommand["run"]>[0], opts: Opts, xml: string): void {
  if (opts.string("xpath") !== undefined) throw new CommandFailed(["--xpath is not supported by this virsh"]);
  ctx.print(xml);
}

export const commands: VirshCommand[] = [
  {
    names: ["save"],
    options: [DOMAIN, FILE, bool("bypass-cache"), { name: "xml", type: "string" }, bool("running"), bool("paused"), bool("verbose")],
    async run(ctx, opts) {
      const c = await ctx.client();
      const name = opts.string("domain")!;
      const dom = await lookupDomain(c, name);
      const to = nonEmpty(opts, "file")!;
      const flags = saveFlags(opts);
      const xmlFile = nonEmpty(opts, "xml");
      const dxml = xmlFile === undefined ? null : await readXmlFile(xmlFile);
      const path = absPath(to);
      if (flags !== 0 || dxml !== null) checkSaveFlags(flags, [`Failed to save domain '${name}' to ${to}`]);
      await step(`Failed to save domain '${name}' to ${to}`, () =>
        watchJob(c, dom, "Save", opts.bool("verbose"), flags !== 0 || dxml !== null ? c.domainSaveFlags({ dom, to: path, dxml, flags }) : c.domainSave({ dom, to: path })),
      );
      ctx.printExtra(`\nDomain '${name}' saved to ${to}\n`);
    },
  },
  {
    names: ["restore"],
    options: [FILE, bool("bypass-cache"), { name: "xml", type: "string" }, bool("running"), bool("paused"), bool("reset-nvram")],
    async run(ctx, opts) {
      const from = nonEmpty(opts, "file")!;
      const flags = saveFlags(opts) | (opts.bool("reset-nvram") ? VIR_DOMAIN_SAVE_RESET_NVRAM : 0);
      const xmlFile = nonEmpty(opts, "xml");
      const dxml = xmlFile === undefined ? null : await readXmlFile(xmlFile);
      const c = await ctx.client();
      const path = absPath(from);
      if (flags !== 0 || dxml !== null) checkSaveFlags(flags, [`Failed to restore domain from ${from}`]);
      await step(`Failed to restore domain from ${from}`, () =>
        flags !== 0 || dxml !== null ? c.domainRestoreFlags({ from: path, dxml, flags }) : c.domainRestore({ from: path }),
      );
      ctx.printExtra(`Domain restored from ${from}\n`);
    },
  },
  {
    names: ["save-image-dumpxml"],
    options: [FILE, bool("security-info"), ...XPATH],
    async run(ctx, opts) {
      const flags = opts.bool("security-info") ? VIR_DOMAIN_XML_SECURE : 0;
      const file = nonEmpty(opts, "file")!;
      const c = await ctx.client();
      const { xml } = await c.domainSaveImageGetXmlDesc({ file: absPath(file), flags });
      dumpXml(ctx, opts, xml);
    },
  },
  {
    names: ["managedsave"],
    options: [DOMAIN, bool("bypass-cache"), bool("running"), bool("paused"), bool("verbose")],
    async run(ctx, opts) {
      const c = await ctx.client();
      const name = opts.string("domain")!;
      const dom = await lookupDomain(c, name);
      const flags = saveFlags(opts);
      checkSaveFlags(flags, [`Failed to save domain '${name}' state`]);
      await step(`Failed to save domain '${name}' state`, () => watchJob(c, dom, "Managedsave", opts.bool("verbose"), c.domainManagedSave({ dom, flags })));
      ctx.printExtra(`\nDomain '${name}' state saved by libvirt\n`);
    },
  },
  {
    names: ["managedsave-remove"],
    options: [DOMAIN],
    async run(ctx, opts) {
      const c = await ctx.client();
      const name = opts.string("domain")!;
      const dom = await lookupDomain(c, name);
      const { result } = await step("Failed to check for domain managed save image", () => c.domainHasManagedSaveImage({ dom, flags: 0 }));
      if (result === 0) {
        ctx.printExtra(`Domain '${name}' has no manage save image; removal skipped`);
        return;
      }
      await step(`Failed to remove managed save image for domain '${name}'`, () => c.domainManagedSaveRemove({ dom, flags: 0 }));
      ctx.printExtra(`Removed managedsave image for domain '${name}'`);
    },
  },
  {
    names: ["managedsave-dumpxml"],
    options: [DOMAIN, bool("security-info"), ...XPATH],
    async run(ctx, opts) {
      const flags = opts.bool("security-info") ? VIR_DOMAIN_XML_SECURE : 0;
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const { xml } = await c.domainManagedSaveGetXmlDesc({ dom, flags });
      dumpXml(ctx, opts, xml);
    },
  },
];
