// virsh-snapshot.c: snapshot-edit, through virsh's edit loop (dom-editor.ts):
// the snapshot's XML in $EDITOR, redefined; a new name is a clone or a
// rename only where asked for.

import type { Client } from "../../client/client.js";
import type { RemoteNonnullDomain, RemoteNonnullDomainSnapshot } from "../../gen/remote_protocol.js";
import { CommandFailed, causeLines, type VshContext, type VirshCommand } from "../vsh.js";
import { editLoop, type EditSteps } from "./dom-editor.js";
import { bool, DOMAIN, lookupSnapshot } from "./snapshot-common.js";
import { domainWord } from "./monitor-opts.js";
import { lookupDomain } from "./util.js";
import {
  VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT,
  VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY,
  VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE,
  VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY,
  VIR_DOMAIN_SNAPSHOT_XML_SECURE,
} from "../../gen/friendly/constants.js";

/**
 * With --current, an unchanged document is still redefined (to make the
 * snapshot current): virsh-edit.c's step after the editor, without it.
 */
async function redefineUnchanged(ctx: VshContext, doc: string, steps: EditSteps): Promise<void> {
  let msg = "The XML configuration was changed by another user.";
  let failure: unknown = null;
  if ((await steps.get()) === doc) {
    try {
      await steps.save(doc);
      return;
    } catch (e) {
      msg = "Failed.";
      failure = e;
    }
  }
  // Only a terminal is asked to edit again; otherwise virsh says why and goes on.
  if (failure !== null && process.stdin.isTTY) for (const line of causeLines(failure)) ctx.error(line);
  ctx.error(msg);
}

async function deleteMetadata(c: Client, snap: RemoteNonnullDomainSnapshot): Promise<void> {
  await c.domainSnapshotDelete({ snap, flags: VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY });
}

/** What happens after the edit: edited in place, cloned, renamed, or a new name refused (its copy removed). */
async function settle(ctx: VshContext, c: Client, snap: RemoteNonnullDomainSnapshot, edited: RemoteNonnullDomainSnapshot, rename: boolean, clone: boolean): Promise<void> {
  if (edited.name === snap.name) {
    ctx.printExtra(`Snapshot ${snap.name} edited.\n`);
    return;
  }
  if (clone) {
    ctx.printExtra(`Snapshot ${snap.name} cloned to ${edited.name}.\n`);
    return;
  }
  try {
    await deleteMetadata(c, rename ? snap : edited);
  } catch (e) {
    throw new CommandFailed([...causeLines(e), `Failed to clean up ${rename ? snap.name : edited.name}`]);
  }
  if (!rename) throw new CommandFailed([`Must use --rename or --clone to change ${snap.name} to ${edited.name}`]);
}

const snapshotEdit: VirshCommand = {
  names: ["snapshot-edit"],
  options: [DOMAIN, { name: "snapshotname", type: "string" }, bool("current"), bool("rename"), bool("clone")],
  async run(ctx, opts) {
    const rename = opts.bool("rename");
    const clone = opts.bool("clone");
    if (rename && clone) throw new CommandFailed(["Options --rename and --clone are mutually exclusive"]);
    let defineFlags = VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE;
    if (opts.bool("current") && opts.bool("snapshotname")) defineFlags |= VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT;
    const c = await ctx.client();
    const dom: RemoteNonnullDomain = await lookupDomain(c, domainWord(opts));
    const snap = await lookupSnapshot(c, dom, opts, "snapshotname", false);
    let edited: RemoteNonnullDomainSnapshot | null = null;
    let original = "";
    const steps: EditSteps = {
      get: async () => (original = (await c.domainSnapshotGetXmlDesc({ snap, flags: VIR_DOMAIN_SNAPSHOT_XML_SECURE })).xml),
      save: async (xml) => {
        if (xml.includes("<state>disk-snapshot</state>")) defineFlags |= VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY;
        edited = (await c.domainSnapshotCreateXml({ dom, xml_desc: xml, flags: defineFlags })).snap;
      },
    };
    try {
      const outcome = await editLoop(ctx, steps);
      if (outcome === "unchanged") {
        if ((defineFlags & VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT) === 0) {
          ctx.printExtra(`Snapshot ${snap.name} XML configuration not changed.\n`);
          return true;
        }
        await redefineUnchanged(ctx, original, steps);
      }
      // virsh 9.0 goes on with no snapshot here and crashes; we stop.
      if (edited === null) return false;
      await settle(ctx, c, snap, edited, rename, clone);
      return true;
    } catch (e) {
      const lines = e instanceof CommandFailed ? causeLines(e) : [];
      throw new CommandFailed([...lines, `Failed to update ${snap.name}`], e instanceof CommandFailed ? {} : { cause: e });
    }
  },
};

export const commands: VirshCommand[] = [snapshotEdit];
