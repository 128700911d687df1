// The pieces of the monitoring, snapshot and checkpoint commands that
// print what virsh prints without a daemon: vshTreePrint's drawing, the
// creation time, the XML reads (virXPathString's empty-is-none) and
// virBufferEscapeString. The commands themselves are compared with virsh
// 9.0 by the differential cases (virsh-diff/cases/monitor.ts).

import { describe, expect, it } from "vitest";
import { creationTime, localTime, treeLines } from "../../src/cli/virsh/monitor-tree.js";
import { attrAt, escapeXml, parseXml, select, textAt } from "../../src/cli/virsh/monitor-xml.js";

describe("treeLines (vshTreePrint)", () => {
  it("draws a root with two branches as virsh 9.0 does (snapshot-list --tree)", () => {
    const items = [
      { name: "s1", parent: null },
      { name: "s2", parent: "s1" },
      { name: "s3", parent: "s2" },
      { name: "s4", parent: "s1" },
      { name: "s5", parent: "s4" },
    ];
    // Captured from virsh 9.0 on the test driver with these snapshots.
    expect(treeLines(items, 0)).toEqual(["s1", "  |", "  +- s2", "  |   |", "  |   +- s3", "  |     ", "  +- s4", "      |", "      +- s5", "        "]);
  });

  it("gives a lone root its name and one empty line", () => {
    expect(treeLines([{ name: "only", parent: null }], 0)).toEqual(["only", ""]);
  });

  it("draws only the root it is given, in the items' order", () => {
    const items = [
      { name: "b", parent: null },
      { name: "a", parent: null },
      { name: "a1", parent: "a" },
    ];
    expect(treeLines(items, 1)).toEqual(["a", "  |", "  +- a1", "    "]);
  });
});

describe("creation times", () => {
  it("reads virXPathLongLong's whole numbers only", () => {
    expect(creationTime("1796456865")).toBe(1796456865n);
    expect(creationTime("12x")).toBeNull();
    expect(creationTime(undefined)).toBeNull();
  });

  it("prints local time with its offset, as g_date_time_format's %z", () => {
    const text = localTime(0n);
    expect(text).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}$/);
    const d = new Date(0);
    expect(text.slice(0, 4)).toBe(String(d.getFullYear()));
  });
});

describe("the XML reads", () => {
  const root = parseXml(
    "<domain><devices><disk type='file' device='disk'><source file='/a&amp;b' dev=''/><target dev='vda'/></disk>" +
      "<disk type='file'><source/><target dev=''/></disk><!-- <disk/> --></devices><title>t<![CDATA[<x>]]></title></domain>",
  )!;

  it("finds elements by path, comments left out", () => {
    expect(select(root, "devices/disk").length).toBe(2);
  });

  it("takes the first attribute of a union in document order, entities decoded", () => {
    const disk = select(root, "devices/disk")[0]!;
    expect(attrAt(disk, "source", "dev", "file")).toBe("/a&b");
    expect(attrAt(disk, ".", "device")).toBe("disk");
  });

  it("gives none for an empty value, as virXPathString gives NULL", () => {
    const disk = select(root, "devices/disk")[1]!;
    expect(attrAt(disk, "target", "dev")).toBeUndefined();
    expect(attrAt(disk, "source", "file")).toBeUndefined();
    expect(textAt(root, "nope")).toBeUndefined();
  });

  it("reads text with CDATA as written", () => {
    expect(textAt(root, "title")).toBe("t<x>");
  });
});

describe("escapeXml (virBufferEscapeString)", () => {
  it("escapes the five characters and drops control characters but tab, newline and CR", () => {
    expect(escapeXml(`a<b>&"'\u0001\t\n\r`)).toBe("a&lt;b&gt;&amp;&quot;&apos;\t\n\r");
  });
});
