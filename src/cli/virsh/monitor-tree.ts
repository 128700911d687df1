// What snapshot-list and checkpoint-list share: vshTreePrint's drawing of
// a forest (--tree), the creation time as virsh prints it, and the order
// virsh lists names in.

import { caseCompare } from "./util.js";

/** A listed item: its name and, with --tree, its parent's (null for a root). */
export interface TreeItem {
  name: string;
  parent: string | null;
}

/** vshTreePrint of the item at `root`: its line, then its children's, each drawn under it. */
export function treeLines(items: readonly TreeItem[], root: number): string[] {
  const out: string[] = [];
  const walk = (at: number, last: number, isRoot: boolean, indent: string): void => {
    const name = items[at]!.name;
    out.push(`${indent}${isRoot ? "" : "+- "}${name}`);
    const own = isRoot ? indent : `${indent}${at === last ? " " : "|"} `;
    const children = items.flatMap((it, i) => (it.parent === name ? [i] : []));
    const lastChild = children.length === 0 ? -1 : children[children.length - 1]!;
    if (lastChild !== -1) out.push(`${own}  |`);
    for (const i of children) walk(i, lastChild, false, `${own}  `);
    // A blank line (as indented) closes the last branch of a list.
    if (lastChild === -1 && at === last) out.push(own);
  };
  walk(root, root, true, "");
  return out;
}

/** virsh's list order: by name, case folded, unless the caller asked for the daemon's topological order. */
export function byName<T extends { name: string }>(list: T[]): T[] {
  return list.sort((a, b) => caseCompare(a.name, b.name));
}

/** g_date_time_format(local, "%Y-%m-%d %H:%M:%S %z") of a Unix time. */
export function localTime(seconds: bigint): string {
  const d = new Date(Number(seconds) * 1000);
  const two = (n: number): string => String(n).padStart(2, "0");
  const offset = -d.getTimezoneOffset();
  const zone = `${offset < 0 ? "-" : "+"}${two(Math.floor(Math.abs(offset) / 60))}${two(Math.abs(offset) % 60)}`;
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${zone}`;
}

/** virXPathLongLong on a creation time: the whole text as a base-10 number, or null. */
export function creationTime(text: string | undefined): bigint | null {
  return text !== undefined && /^[+-]?\d+$/.test(text) ? BigInt(text) : null;
}
