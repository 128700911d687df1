// virshDumpXML as the network, filter and secret commands reach it: the
// document as the daemon sent it. Filtering it with --xpath needs an XPath
// engine this client does not have: such a call fails, saying so, rather
// than print something else than virsh would.

import type { Opts } from "../command.js";
import { CommandFailed, type VshContext } from "../vsh.js";

/** The options every *-dumpxml command of these groups declares after its object. */
export const XPATH_OPTIONS = [
  { name: "xpath", type: "string", named: true },
  { name: "wrap", type: "bool" },
] as const;

/** vshCommandOptStringQuiet on --xpath, before the XML is asked for. */
export function xpathOpt(opts: Opts): string | undefined {
  const xpath = opts.string("xpath");
  if (xpath !== undefined) throw new CommandFailed([`--xpath is not supported by this client (no XPath engine): '${xpath}'`]);
  return xpath;
}

/** virshDumpXML without an XPath: the whole document, as it came. */
export function printXml(ctx: VshContext, xml: string): void {
  ctx.print(xml);
}
