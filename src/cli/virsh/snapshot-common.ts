// What virsh-snapshot.c's commands share: finding the snapshot a command
// names (virshLookupSnapshot), a snapshot's parent, and reading a file as
// virsh reads one.

import { readFile } from "node:fs/promises";
import type { Client } from "../../client/client.js";
import type { RemoteNonnullDomain, RemoteNonnullDomainSnapshot } from "../../gen/remote_protocol.js";
import { LibvirtError } from "../../rpc/errors.js";
import type { OptDef, Opts } from "../command.js";
import { CommandFailed } from "../vsh.js";
import { optString } from "./monitor-opts.js";

export { domainWord, optString } from "./monitor-opts.js";

export const DOMAIN: OptDef = { name: "domain", type: "data", required: true };
export const bool = (name: string): OptDef => ({ name, type: "bool" });

/**
 * virshLookupSnapshot: the snapshot named by `arg`, or with --current the
 * domain's current one; `exclusive` refuses both at once.
 */
export async function lookupSnapshot(c: Client, dom: RemoteNonnullDomain, opts: Opts, arg: string, exclusive: boolean): Promise<RemoteNonnullDomainSnapshot> {
  const current = opts.bool("current");
  const name = optString(opts, arg);
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

/** virFileReadAll's words for a file that cannot be read (a directory opens, then fails to read). */
export async function readXmlFile(path: string): Promise<string> {
  return readFile(path, "utf8").catch((e: NodeJS.ErrnoException) => {
    const words: Record<string, string> = { ENOENT: "No such file or directory", EACCES: "Permission denied", EISDIR: "Is a directory" };
    const verb = e.code === "EISDIR" ? "read" : "open";
    throw new CommandFailed([`Failed to ${verb} file '${path}': ${(e.code !== undefined ? words[e.code] : undefined) ?? e.message}`]);
  });
}
