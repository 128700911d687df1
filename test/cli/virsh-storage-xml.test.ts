// The storage commands' pure parts against what virsh 9.0 printed for the
// same input (outputs copied from virsh runs): vol-create-as's sizes,
// vol-clone's re-serialized XML, and --xpath's selection and printing.

import { describe, expect, it } from "vitest";
import { CommandFailed } from "../../src/cli/vsh.js";
import { nodeToString, parseDoc, wrapNodes, type AnyNode, type XmlElem } from "../../src/cli/virsh/pool-xml-doc.js";
import { evaluateXPath, XPathError } from "../../src/cli/virsh/pool-xpath-eval.js";
import { volSize } from "../../src/cli/virsh/vol-size.js";
import { cloneXml } from "../../src/cli/virsh/vol-xml.js";

const POOL = `<pool type='dir'>
  <name>default-pool</name>
  <uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>
  <capacity unit='bytes'>107374182400</capacity>
  <allocation unit='bytes'>0</allocation>
  <available unit='bytes'>107374182400</available>
  <source>
  </source>
  <target>
    <path>/default-pool</path>
  </target>
</pool>
`;

function failure(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof CommandFailed) return e.lines;
    if (e instanceof XPathError) return e.lines;
    throw e;
  }
  throw new Error("did not fail");
}

describe("volSize (virshVolSize)", () => {
  it("reads numbers and suffixes as virScaleInteger does", () => {
    expect(volSize("1KB")).toBe(1000n);
    expect(volSize(" +1kib")).toBe(1024n);
    expect(volSize("2M")).toBe(2n * 1024n * 1024n);
    expect(volSize("3bytes")).toBe(3n);
    expect(volSize("1E")).toBe(1024n ** 6n);
  });
  it("refuses what virsh refuses, with the library's line where it has one", () => {
    expect(failure(() => volSize("1X"))).toEqual(["Malformed size 1X", "invalid argument: unknown suffix 'X'"]);
    expect(failure(() => volSize("-1"))).toEqual(["Malformed size -1"]);
    expect(failure(() => volSize("99999999999999999999"))).toEqual(["Malformed size 99999999999999999999"]);
    expect(failure(() => volSize("999999999999E"))).toEqual(["Malformed size 999999999999E", "numerical overflow: value too large: 999999999999E"]);
  });
});

describe("cloneXml (virshMakeCloneXML)", () => {
  it("renames the volume and prints it as libxml2 does", () => {
    const original = "<volume type='file'>\n  <name>v1</name>\n  <key>/default-pool/v1</key>\n  <target>\n    <format type='raw'/>\n  </target>\n</volume>\n";
    expect(cloneXml(original, "v2")).toBe('<volume type="file">\n  <name>v2</name>\n  <key>/default-pool/v1</key>\n  <target>\n    <format type="raw"/>\n  </target>\n</volume>');
    expect(cloneXml("<volume><key>k</key></volume>", "x")).toBeNull();
  });
});

describe("--xpath (virshDumpXML)", () => {
  const doc = parseDoc(POOL)!;
  const root = doc.children.find((c): c is XmlElem => c.kind === "element")!;
  const select = (xpath: string): AnyNode[] => evaluateXPath(xpath, root) as AnyNode[];
  const printed = (xpath: string): string => select(xpath).map((n) => `${nodeToString(n)}\n`).join("");

  it("prints each node as xmlNodeDump formats it", () => {
    expect(printed("/pool/target")).toBe("<target>\n  <path>/default-pool</path>\n</target>\n");
    expect(printed("/pool/source")).toBe("<source>\n  </source>\n");
    expect(printed("//path/text()")).toBe("/default-pool\n");
    expect(printed("/pool/@type")).toBe(' type="dir"\n');
    expect(printed("name")).toBe("<name>default-pool</name>\n");
    expect(printed("/nothing")).toBe("");
  });
  it("selects as XPath 1.0 does: predicates, unions in document order, axes", () => {
    expect(printed("/pool/*[2]")).toBe("<uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>\n");
    expect(printed("/pool/*[@unit='bytes'][2]")).toBe('<allocation unit="bytes">0</allocation>\n');
    expect(printed("/pool/target | /pool/name")).toBe("<name>default-pool</name>\n<target>\n  <path>/default-pool</path>\n</target>\n");
    expect(select("//@unit")).toHaveLength(3);
    expect(printed("/pool/uuid/following-sibling::*[1]")).toBe('<capacity unit="bytes">107374182400</capacity>\n');
    expect(select("..").map((n) => n.kind)).toEqual(["document"]);
  });
  it("gives values that are no node-set, and libxml2's errors", () => {
    expect(evaluateXPath("count(/pool/*)", root)).toBe(7);
    expect(evaluateXPath("string(/pool/name)", root)).toBe("default-pool");
    expect(failure(() => evaluateXPath("bad[", root))).toEqual(["XPath error : Invalid expression"]);
    expect(failure(() => evaluateXPath("foo(", root))).toEqual(["xmlXPathCompOpEval: function foo not found", "XPath error : Unregistered function"]);
  });
  it("wraps nodes in <nodes>, an attribute becoming the root's", () => {
    expect(wrapNodes(select("/pool/capacity"))).toBe('<nodes>\n  <capacity unit="bytes">107374182400</capacity>\n</nodes>');
    expect(wrapNodes(select("//@unit"))).toBe('<nodes unit="bytes"/>');
    expect(wrapNodes(select("/pool/uuid/text() | /pool/name/text()"))).toBe("<nodes>default-pooldfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</nodes>");
    expect(wrapNodes([])).toBe("<nodes/>");
  });
});
