// vshExtractCPUDefXMLs: the <cpu> elements of a file that holds CPU
// definitions, a domain, host capabilities or domain capabilities, found
// where virsh's XPath finds them; the elements are sent as the file spells
// them.

import { readXmlFile } from "./util.js";
import { CommandFailed } from "../vsh.js";
import { parseElements, type XmlElement } from "./node-xml.js";

const kids = (els: readonly XmlElement[], name: string): XmlElement[] => els.flatMap((e) => e.children.filter((c) => c.name === name));

/**
 * The CPU definitions of a file, in document order: top-level <cpu>s, a
 * domain's, the host capabilities' and the domain capabilities' supported
 * host-model (renamed <cpu>, without its attributes).
 */
export async function extractCpuXmls(file: string): Promise<string[]> {
  let text = await readXmlFile(file);
  const decl = text.startsWith("<?xml") ? text.indexOf("?>") : -1;
  if (decl >= 0) text = text.slice(decl + 2);
  let top: XmlElement[];
  try {
    top = parseElements(text);
  } catch (e) {
    throw new CommandFailed([`${file}: ${(e as Error).message}`]);
  }
  const found = [
    ...top.filter((e) => e.name === "cpu"),
    ...kids(top.filter((e) => e.name === "domain"), "cpu"),
    ...kids(kids(top.filter((e) => e.name === "capabilities"), "host"), "cpu"),
    ...kids(kids(top.filter((e) => e.name === "domainCapabilities"), "cpu"), "mode").filter((m) => m.attrs.get("name") === "host-model" && m.attrs.get("supported") === "yes"),
  ].sort((a, b) => a.start - b.start);
  if (found.length === 0) {
    throw new CommandFailed([`File '${file}' does not contain any <cpu> element or valid domain XML, host capabilities XML, or domain capabilities XML`]);
  }
  return found.map((e) => {
    if (e.name === "cpu") return text.slice(e.start, e.end);
    return e.inner === null ? "<cpu/>" : `<cpu>${text.slice(e.inner[0], e.inner[1])}</cpu>`;
  });
}
