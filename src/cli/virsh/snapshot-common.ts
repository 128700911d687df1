// What virsh-snapshot.c's commands share: finding the snapshot a command
// names (virshLookupSnapshot) and a snapshot's parent.

import type { Client } from "../../client/client.js";
import type { RemoteNonnullDomain, RemoteNonnullDomainSnapshot } from "../../gen/remote_protocol.js";
import { LibvirtError } from "../../rpc/errors.js";
import type { OptDef, Opts } from "../command.js";
import { CommandFailed } from "../vsh.js";
import { stringReq } from "./util.js";

export const DOMAIN: OptDef = { name: "domain", type: "data", required: true };
export const bool = (name: string): OptDef => ({ name, type: "bool" });

/**
 * virshLookupSnapshot: the snapshot named by `arg`, or with --current the
 * domain's current one; `exclusive` refuses both at once.
 */
export async function lookupSnapshot(c: Client, dom: RemoteNonnullDomain, opts: Opts, arg: string, exclusive: boolean): Promise<RemoteNonnullDomainSnapshot> {
  const current = opts.bool("current");
  const name = stringReq(opts, arg);
  if (exclusive && current && name !== undefined) throw new CommandFailed([`--${arg} and --current are mutually exclusive`]);
  if (name !== undefined) return (await c.domainSnapshotLookupByName({ dom, name, flags: 0 })).snap;
  if (current) return (await c.domainSnapshotCurrent({ dom, flags: 0 })).snap;
  throw new CommandFailed([`--${arg} or --current is required`]);
}

/** virshGetSnapshotParent: the parent's name, null for a root; else the library's error, then virsh's line. */
export async function snapshotParent(c: Client, snap: RemoteNonnullDomainSnapshot): Promise<string | null> {
  try {
    return (await c.domainSnapshotGetParent({ snap, flags: 0 })).snap.name;
  } catch (e) {
    if (e instanceof LibvirtError && e.code === "VIR_ERR_NO_DOMAIN_SNAPSHOT") return null;
    throw new CommandFailed([e instanceof Error ? e.message : String(e), "unable to determine if snapshot has parent"]);
  }
}
