// What pool-dumpxml and vol-dumpxml print (virsh-util.c's virshDumpXML):
// the document as the daemon sent it, or, with --xpath, each node the
// expression selects (from the root element), or all of them under one
// <nodes> root with --wrap, as libxml2 prints them.

import type { OptDef, Opts } from "../command.js";
import { CommandFailed, type VshContext } from "../vsh.js";
import { nodeToString, parseDoc, wrapNodes, type XmlElem } from "./pool-xml-doc.js";
import { evaluateXPath, XPathError, type Value } from "./pool-xpath-eval.js";

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
  const doc = parseDoc(xml);
  const root = doc?.children.find((c): c is XmlElem => c.kind === "element");
  if (root === undefined) throw new CommandFailed(["failed to parse the XML document the daemon sent"]);
  let value: Value;
  try {
    value = evaluateXPath(xpath, root);
  } catch (e) {
    if (!(e instanceof XPathError)) throw e;
    // libxml2 says why on stderr itself; virsh then has no nodes, and succeeds.
    process.stderr.write(e.lines.map((l) => `${l}\n`).join(""));
    value = [];
  }
  if (!Array.isArray(value)) throw new CommandFailed([`internal error: Incorrect xpath '${xpath}'`]);
  if (opts.bool("wrap")) ctx.print(`${wrapNodes(value)}\n`);
  else for (const node of value) ctx.print(`${nodeToString(node)}\n`);
  return true;
}
