// virsh-checkpoint.c: checkpoint-edit, through virsh's edit loop
// (dom-editor.ts): the checkpoint's XML in $EDITOR, redefined; a new name
// is refused and its copy removed.

import type { RemoteNonnullDomainCheckpoint } from "../../gen/remote_protocol.js";
import { CommandFailed, causeLines, type VirshCommand } from "../vsh.js";
import { lookupCheckpoint } from "./checkpoint.js";
import { editLoop } from "./dom-editor.js";
import { DOMAIN } from "./snapshot-common.js";
import { domainWord } from "./monitor-opts.js";
import { lookupDomain } from "./util.js";
import { VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE, VIR_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY, VIR_DOMAIN_CHECKPOINT_XML_SECURE } from "../../gen/friendly/constants.js";

const checkpointEdit: VirshCommand = {
  names: ["checkpoint-edit"],
  options: [DOMAIN, { name: "checkpointname", type: "string" }],
  async run(ctx, opts) {
    const c = await ctx.client();
    const dom = await lookupDomain(c, domainWord(opts));
    const checkpoint = await lookupCheckpoint(c, dom, opts, "checkpointname");
    const name = checkpoint.name;
    let edited: RemoteNonnullDomainCheckpoint | null = null;
    try {
      const outcome = await editLoop(ctx, {
        get: async () => (await c.domainCheckpointGetXmlDesc({ checkpoint, flags: VIR_DOMAIN_CHECKPOINT_XML_SECURE })).xml,
        save: async (xml) => {
          edited = (await c.domainCheckpointCreateXml({ dom, xml_desc: xml, flags: VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE })).checkpoint;
        },
      });
      if (outcome === "unchanged") {
        ctx.printExtra(`Checkpoint ${name} XML configuration not changed.\n`);
        return true;
      }
      // virsh 9.0 goes on with no checkpoint here and crashes; we stop.
      if (edited === null) return false;
      const made: RemoteNonnullDomainCheckpoint = edited;
      if (made.name === name) {
        ctx.printExtra(`Checkpoint ${name} edited.\n`);
        return true;
      }
      try {
        await c.domainCheckpointDelete({ checkpoint: made, flags: VIR_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY });
      } catch (e) {
        throw new CommandFailed([...causeLines(e), `Failed to clean up ${made.name}`]);
      }
      throw new CommandFailed([`Cannot rename checkpoint ${name} to ${made.name}`]);
    } catch (e) {
      const lines = e instanceof CommandFailed ? causeLines(e) : [];
      throw new CommandFailed([...lines, `Failed to update ${name}`], e instanceof CommandFailed ? {} : { cause: e });
    }
  },
};

export const commands: VirshCommand[] = [checkpointEdit];
