// How virsh's device commands find a device in a domain's XML and edit it
// as libxml2 would (virshFindDisk, virshUpdateDiskXML, the <link> and
// <requested> edits): the document parsed with its blanks kept, as
// virXMLParseString keeps them, so that a device printed back
// (virXMLNodeToString) keeps the daemon's own indentation.

import { CommandFailed } from "../vsh.js";
import { nodeToString, parseDoc, type XmlElem, type XmlNode } from "./pool-xml-doc.js";
import { evaluateXPath } from "./pool-xpath-eval.js";

/** The root element of the daemon's XML, blanks kept; null where it cannot be read. */
export function parseDomain(xml: string): XmlElem | null {
  const doc = parseDoc(xml, { keepBlanks: true });
  return doc?.children.find((c): c is XmlElem => c.kind === "element") ?? null;
}

/** virXPathNodeSet's elements: none where the expression selects none or is no valid one. */
export function selectElements(root: XmlElem, xpath: string): XmlElem[] {
  try {
    const v = evaluateXPath(xpath, root);
    return Array.isArray(v) ? v.filter((n): n is XmlElem => n.kind === "element") : [];
  } catch {
    return [];
  }
}

/** virXMLPropString: the attribute's value ("" stays ""), undefined where absent. */
export function prop(el: XmlElem, name: string): string | undefined {
  return el.attrs.find((a) => a.name === name)?.value;
}

/** xmlSetProp: the value replaced in place, or a new attribute last. */
export function setProp(el: XmlElem, name: string, value: string): void {
  const a = el.attrs.find((x) => x.name === name);
  if (a !== undefined) a.value = value;
  else el.attrs.push({ kind: "attribute", name, value, parent: el, order: 0 });
}

/** virXMLNodeGetSubelement: the first child element of that name. */
export function subElement(el: XmlElem, name: string): XmlElem | undefined {
  return el.children.find((c): c is XmlElem => c.kind === "element" && c.name === name);
}

/** virXPathString("string(./a/@b)"): the first such attribute's value, undefined where none or empty. */
export function pathAttr(el: XmlElem, child: string, name: string): string | undefined {
  for (const c of el.children) {
    if (c.kind !== "element" || c.name !== child) continue;
    const v = prop(c, name);
    if (v !== undefined) return v === "" ? undefined : v;
  }
  return undefined;
}

/** A new element with attributes, under `parent` (not yet linked). */
export function newElement(parent: XmlElem, name: string, attrs: readonly (readonly [string, string])[]): XmlElem {
  const el: XmlElem = { kind: "element", name, attrs: [], children: [], parent, order: 0 };
  for (const [n, v] of attrs) setProp(el, n, v);
  return el;
}

/** xmlCopyNode(node, 1): a deep copy. */
function copy(node: XmlNode, parent: XmlElem): XmlNode {
  if (node.kind === "text") return { ...node, parent };
  const el: XmlElem = { kind: "element", name: node.name, attrs: [], children: [], parent, order: 0 };
  el.attrs = node.attrs.map((a) => ({ ...a, parent: el }));
  el.children = node.children.map((c) => copy(c, el));
  return el;
}

/** virXMLNodeToString: the element as xmlNodeDump prints it. */
export function nodeText(el: XmlElem): string {
  return nodeToString(el);
}

/**
 * virshFindDisk: the first disk whose target, or source file, dev, dir or
 * name, is `path` (with `changeable`, only CD-ROMs and floppies, or disks
 * saying no device), copied without its <backingStore>.
 */
export function findDisk(xml: string, path: string, changeable: boolean): XmlElem {
  const root = parseDomain(xml);
  const disks = root === null ? [] : selectElements(root, "/domain/devices/disk");
  if (disks.length === 0) throw new CommandFailed(["Failed to get disk information"]);
  for (const disk of disks) {
    const device = prop(disk, "device");
    if (changeable && device !== undefined && device !== "cdrom" && device !== "floppy") continue;
    const source = subElement(disk, "source");
    const candidates = [pathAttr(disk, "target", "dev"), ...(source === undefined ? [] : ["file", "dev", "dir", "name"].map((n) => prop(source, n)))];
    if (!candidates.includes(path)) continue;
    const found = copy(disk, disk.parent as XmlElem) as XmlElem;
    const backing = found.children.findIndex((c) => c.kind === "element" && c.name === "backingStore");
    if (backing >= 0) found.children.splice(backing, 1);
    return found;
  }
  throw new CommandFailed([`No disk found whose source path or target is ${path}`]);
}

export type MediaChange = "eject" | "insert" | "update";

/**
 * virshUpdateDiskXML: the removable disk with its source dropped, a new
 * one put before <target> (with a copy of the blank before <target>, so
 * the printed XML stays readable), and its type set to file or block.
 */
export function updateDiskXml(disk: XmlElem, newSource: string | undefined, block: boolean, target: string, change: MediaChange): string {
  const device = prop(disk, "device");
  if (device !== "cdrom" && device !== "floppy") throw new CommandFailed([`The disk device '${target}' is not removable`]);
  let source: XmlElem | undefined;
  let targetNode: XmlElem | undefined;
  let blank: XmlNode | undefined;
  for (const c of disk.children) {
    if (targetNode === undefined && c.kind === "text") blank = c;
    if (c.kind !== "element") continue;
    if (source === undefined && c.name === "source") source = c;
    else if (targetNode === undefined && c.name === "target") targetNode = c;
    if (source !== undefined && targetNode !== undefined) break;
  }
  if (change === "eject") {
    if (source === undefined) throw new CommandFailed([`The disk device '${target}' doesn't have media`]);
    block = false;
    newSource = undefined;
  } else if (newSource === undefined) {
    throw new CommandFailed(["New disk media source was not specified"]);
  }
  let startupPolicy: string | undefined;
  if (source !== undefined) {
    const path = ["file", "dev", "dir", "pool", "name"].map((n) => prop(source!, n)).find((v) => v !== undefined);
    if (path !== undefined && change === "insert") throw new CommandFailed([`The disk device '${target}' already has media`]);
    startupPolicy = prop(source, "startupPolicy");
    disk.children.splice(disk.children.indexOf(source), 1);
  }
  setProp(disk, "type", block ? "block" : "file");
  if (newSource !== undefined && targetNode !== undefined) {
    const attrs: [string, string][] = [[block ? "dev" : "file", newSource]];
    if (startupPolicy !== undefined) attrs.push(["startupPolicy", startupPolicy]);
    const at = disk.children.indexOf(targetNode);
    const added: XmlNode[] = [newElement(disk, "source", attrs)];
    if (blank !== undefined) added.push(copy(blank, disk));
    disk.children.splice(at, 0, ...added);
  }
  return nodeText(disk);
}

/** virMacAddrCompare: leading zeros of each part skipped, case ignored. */
export function macEqual(p: string, q: string): boolean {
  let i = 0;
  let j = 0;
  const hexDigit = (ch: string | undefined): boolean => ch !== undefined && /[0-9a-fA-F]/.test(ch);
  for (;;) {
    while (p[i] === "0" && hexDigit(p[i + 1])) i++;
    while (q[j] === "0" && hexDigit(q[j + 1])) j++;
    const c = (p[i] ?? "").toLowerCase();
    const d = (q[j] ?? "").toLowerCase();
    if (c === "" || d === "") return c === d;
    if (c !== d) return false;
    i++;
    j++;
  }
}
