// Option reading shared by the monitoring, snapshot and checkpoint
// commands, as vsh reads values that may not be empty.

import type { Opts } from "../command.js";
import { CommandFailed } from "../vsh.js";

/** vshCommandOptStringReq: an option's value, refused when empty. */
export function optString(opts: Opts, name: string): string | undefined {
  const v = opts.string(name);
  if (v === "") throw new CommandFailed([`Failed to get option '${name}': Option argument is empty`]);
  return v;
}

/** The <domain> word as virshCommandOptDomain reads it (required, so present; empty refused). */
export function domainWord(opts: Opts): string {
  return optString(opts, "domain")!;
}
