// virsh-backup.c: a running guest's disk backup job: backup-begin and
// backup-dumpxml.

import { VIR_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL } from "../../gen/friendly/constants.js";
import type { VirshCommand } from "../vsh.js";
import { DOMAIN, bool } from "./dom-opts.js";
import { dumpXml, XPATH_OPTIONS } from "./pool-xpath.js";
import { lookupDomain, readXmlFile, stringReq } from "./util.js";

export const commands: VirshCommand[] = [
  {
    names: ["backup-begin"],
    options: [DOMAIN, { name: "backupxml", type: "string" }, { name: "checkpointxml", type: "string" }, bool("reuse-external")],
    async run(ctx, opts) {
      const flags = opts.bool("reuse-external") ? VIR_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL : 0;
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const backupFile = stringReq(opts, "backupxml");
      const backup_xml = backupFile === undefined ? "<domainbackup/>" : await readXmlFile(backupFile);
      const checkpointFile = stringReq(opts, "checkpointxml");
      const checkpoint_xml = checkpointFile === undefined ? null : await readXmlFile(checkpointFile);
      await c.domainBackupBegin({ dom, backup_xml, checkpoint_xml, flags });
      ctx.print("Backup started\n");
    },
  },
  {
    names: ["backup-dumpxml"],
    options: [DOMAIN, ...XPATH_OPTIONS],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      return dumpXml(ctx, opts, async () => (await c.domainBackupGetXmlDesc({ dom, flags: 0 })).xml);
    },
  },
];
