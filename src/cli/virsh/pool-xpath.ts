// What pool-dumpxml and vol-dumpxml print (virsh-util.c's virshDumpXML):
// the document as the daemon sent it, or, with --xpath, the nodes an
// expression selects.

import type { OptDef, Opts } from "../command.js";
import { CommandFailed, type VshContext } from "../vsh.js";

/** --xpath only by name (VSH_OFLAG_REQ_OPT), and --wrap. */
export const XPATH_OPTIONS: readonly OptDef[] = [
  { name: "xpath", type: "string", named: true },
  { name: "wrap", type: "bool" },
];

/**
 * virshDumpXML. An empty --xpath fails silently, as vshCommandOptStringQuiet
 * makes virsh's handlers do, before the XML is asked for.
 */
export async function dumpXml(ctx: VshContext, opts: Opts, getXml: () => Promise<string>): Promise<boolean> {
  const xpath = opts.string("xpath");
  if (xpath === "") return false;
  const xml = await getXml();
  if (xpath === undefined) {
    ctx.print(xml);
    return true;
  }
  throw new CommandFailed(["--xpath is not supported by this client"]);
}
