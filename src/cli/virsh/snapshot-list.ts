// virsh-snapshot.c: snapshot-list, as a table, names alone, or a tree.

import type { RemoteNonnullDomainSnapshot } from "../../gen/remote_protocol.js";
import { formatTable } from "../format/admin.js";
import { CommandFailed, exclusive, type VirshCommand } from "../vsh.js";
import { byName, creationTime, localTime, treeLines, type TreeItem } from "./monitor-tree.js";
import { parseXml, textAt } from "./monitor-xml.js";
import { bool, DOMAIN, lookupSnapshot, snapshotParent } from "./snapshot-common.js";
import { domainWord } from "./monitor-opts.js";
import { lookupDomain } from "./util.js";
import {
  VIR_DOMAIN_SNAPSHOT_LIST_ACTIVE,
  VIR_DOMAIN_SNAPSHOT_LIST_DESCENDANTS,
  VIR_DOMAIN_SNAPSHOT_LIST_DISK_ONLY,
  VIR_DOMAIN_SNAPSHOT_LIST_EXTERNAL,
  VIR_DOMAIN_SNAPSHOT_LIST_INACTIVE,
  VIR_DOMAIN_SNAPSHOT_LIST_INTERNAL,
  VIR_DOMAIN_SNAPSHOT_LIST_LEAVES,
  VIR_DOMAIN_SNAPSHOT_LIST_METADATA,
  VIR_DOMAIN_SNAPSHOT_LIST_NO_LEAVES,
  VIR_DOMAIN_SNAPSHOT_LIST_NO_METADATA,
  VIR_DOMAIN_SNAPSHOT_LIST_ROOTS,
  VIR_DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL,
} from "../../gen/friendly/constants.js";

// The filters --tree cannot take, in the order virsh checks them.
const FILTERS: readonly (readonly [string, number])[] = [
  ["leaves", VIR_DOMAIN_SNAPSHOT_LIST_LEAVES],
  ["no-leaves", VIR_DOMAIN_SNAPSHOT_LIST_NO_LEAVES],
  ["inactive", VIR_DOMAIN_SNAPSHOT_LIST_INACTIVE],
  ["active", VIR_DOMAIN_SNAPSHOT_LIST_ACTIVE],
  ["disk-only", VIR_DOMAIN_SNAPSHOT_LIST_DISK_ONLY],
  ["internal", VIR_DOMAIN_SNAPSHOT_LIST_INTERNAL],
  ["external", VIR_DOMAIN_SNAPSHOT_LIST_EXTERNAL],
];

const snapshotList: VirshCommand = {
  names: ["snapshot-list"],
  options: [
    DOMAIN,
    ...["parent", "roots", "leaves", "no-leaves", "metadata", "no-metadata", "inactive", "active", "disk-only", "internal", "external", "tree"].map(bool),
    { name: "from", type: "string" },
    bool("current"),
    bool("descendants"),
    bool("name"),
    bool("topological"),
  ],
  async run(ctx, opts) {
    const tree = opts.bool("tree");
    const parent = opts.bool("parent");
    const from = opts.bool("from");
    const current = opts.bool("current");
    exclusive(opts, "tree", "name");
    exclusive(opts, "parent", "roots");
    exclusive(opts, "parent", "tree");
    exclusive(opts, "roots", "tree");
    exclusive(opts, "roots", "from");
    exclusive(opts, "roots", "current");
    let flags = 0;
    for (const [name, flag] of FILTERS) {
      if (!opts.bool(name)) continue;
      if (tree) throw new CommandFailed([`--${name} and --tree are mutually exclusive`]);
      flags |= flag;
    }
    if (opts.bool("topological")) flags |= VIR_DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL;
    if (opts.bool("roots")) flags |= VIR_DOMAIN_SNAPSHOT_LIST_ROOTS;
    if (opts.bool("metadata")) flags |= VIR_DOMAIN_SNAPSHOT_LIST_METADATA;
    if (opts.bool("no-metadata")) flags |= VIR_DOMAIN_SNAPSHOT_LIST_NO_METADATA;
    if (opts.bool("descendants")) {
      if (!from && !current) throw new CommandFailed(["--descendants requires either --from or --current"]);
      flags |= VIR_DOMAIN_SNAPSHOT_LIST_DESCENDANTS;
    }
    const c = await ctx.client();
    const dom = await lookupDomain(c, domainWord(opts));
    const start = from || current ? await lookupSnapshot(c, dom, opts, "from", true) : null;
    const snaps: RemoteNonnullDomainSnapshot[] =
      start === null
        ? (await c.domainListAllSnapshots({ dom, need_results: 1, flags })).snapshots
        : (await c.domainSnapshotListAllChildren({ snapshot: start, need_results: 1, flags })).snapshots;
    const items: (TreeItem & { snap: RemoteNonnullDomainSnapshot })[] = [];
    for (const snap of snaps) items.push({ name: snap.name, parent: tree ? await snapshotParent(c, snap) : null, snap });
    // With --tree, the starting snapshot heads the list as its only root.
    if (tree && start !== null) items.push({ name: start.name, parent: null, snap: start });
    if ((flags & VIR_DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL) === 0) byName(items);
    if (tree) {
      for (const [i, it] of items.entries()) if (it.parent === null) ctx.print(treeLines(items, i).map((l) => `${l}\n`).join(""));
      return;
    }
    if (opts.bool("name")) {
      for (const it of items) ctx.print(`${it.name}\n`);
      return;
    }
    const rows: string[][] = [];
    for (const it of items) {
      const xml = await c.domainSnapshotGetXmlDesc({ snap: it.snap, flags: 0 }).then((r) => r.xml, () => null);
      const root = xml === null ? null : parseXml(xml);
      if (root === null) continue;
      const state = textAt(root, "state");
      const created = creationTime(textAt(root, "creationTime"));
      // virsh leaves out a snapshot whose XML lacks these.
      if (state === undefined || created === null) continue;
      rows.push(parent ? [it.name, localTime(created), state, textAt(root, "parent/name") ?? ""] : [it.name, localTime(created), state]);
    }
    ctx.print(formatTable(parent ? ["Name", "Creation Time", "State", "Parent"] : ["Name", "Creation Time", "State"], rows, !ctx.globals.quiet));
  },
};

export const commands: VirshCommand[] = [snapshotList];
