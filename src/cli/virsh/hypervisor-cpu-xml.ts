// vshExtractCPUDefXMLs: the <cpu> elements of a file that holds CPU
// definitions, a domain, host capabilities or domain capabilities, selected
// with virsh's own XPath from the file wrapped in one <container>.

import { CommandFailed } from "../vsh.js";
import { nodeToString, parseDoc, type XmlElem } from "./pool-xml-doc.js";
import { evaluateXPath } from "./pool-xpath-eval.js";
import { readXmlFile } from "./util.js";

const CPUS =
  "/container/cpu|/container/domain/cpu|/container/capabilities/host/cpu|" +
  "/container/domainCapabilities/cpu/mode[@name='host-model' and @supported='yes']";

/**
 * The CPU definitions of a file, in document order; a domain capabilities'
 * host-model <mode> is renamed <cpu> and loses its attributes, as virsh
 * rewrites it.
 */
export async function extractCpuXmls(file: string): Promise<string[]> {
  let text = await readXmlFile(file);
  const decl = text.startsWith("<?xml") ? text.indexOf("?>") : -1;
  if (decl >= 0) text = text.slice(decl + 2);
  // libxml2 would say where the file stops being XML; this reader only that it does.
  const doc = parseDoc(`<container>${text}</container>`);
  if (doc === null) throw new CommandFailed([`${file}: not a well-formed XML document`]);
  const found = evaluateXPath(CPUS, doc);
  const cpus = Array.isArray(found) ? found.filter((n): n is XmlElem => n.kind === "element") : [];
  if (cpus.length === 0) {
    throw new CommandFailed([`File '${file}' does not contain any <cpu> element or valid domain XML, host capabilities XML, or domain capabilities XML`]);
  }
  return cpus.map((e) => nodeToString(e.name === "mode" ? { ...e, name: "cpu", attrs: [] } : e));
}
