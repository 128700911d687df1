// Option reading shared by the monitoring, snapshot and checkpoint commands.

import type { Opts } from "../command.js";
import { stringReq } from "./util.js";

/** The <domain> word as virshCommandOptDomain reads it (required, so present; empty refused). */
export function domainWord(opts: Opts): string {
  return stringReq(opts, "domain")!;
}
