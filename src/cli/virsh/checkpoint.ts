// virsh-checkpoint.c: checkpoint-create, checkpoint-create-as,
// checkpoint-delete, checkpoint-dumpxml, checkpoint-info, checkpoint-list,
// checkpoint-parent (checkpoint-edit: checkpoint-edit.ts).

import type { Client } from "../../client/client.js";
import type { RemoteNonnullDomain, RemoteNonnullDomainCheckpoint } from "../../gen/remote_protocol.js";
import { LibvirtError } from "../../rpc/errors.js";
import { formatTable } from "../format/admin.js";
import type { Opts } from "../command.js";
import { CommandFailed, causeLines, exclusive, requires, type VirshCommand } from "../vsh.js";
import { byName, creationTime, localTime, treeLines, type TreeItem } from "./monitor-tree.js";
import { escapeXml, parseXml, textAt } from "./monitor-xml.js";
import { dumpXml, XPATH_OPTIONS } from "./pool-xpath.js";
import { bool, DOMAIN } from "./snapshot-common.js";
import { domainWord } from "./monitor-opts.js";
import { lookupDomain, step, stringToArray, readXmlFile, stringReq } from "./util.js";
import {
  VIR_DOMAIN_CHECKPOINT_CREATE_QUIESCE,
  VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE,
  VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE,
  VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN,
  VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY,
  VIR_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY,
  VIR_DOMAIN_CHECKPOINT_LIST_DESCENDANTS,
  VIR_DOMAIN_CHECKPOINT_LIST_LEAVES,
  VIR_DOMAIN_CHECKPOINT_LIST_NO_LEAVES,
  VIR_DOMAIN_CHECKPOINT_LIST_ROOTS,
  VIR_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL,
  VIR_DOMAIN_CHECKPOINT_XML_NO_DOMAIN,
  VIR_DOMAIN_CHECKPOINT_XML_SECURE,
  VIR_DOMAIN_CHECKPOINT_XML_SIZE,
} from "../../gen/friendly/constants.js";

/** virshLookupCheckpoint: the checkpoint named by `arg`, which is required. */
export async function lookupCheckpoint(c: Client, dom: RemoteNonnullDomain, opts: Opts, arg: string): Promise<RemoteNonnullDomainCheckpoint> {
  const name = stringReq(opts, arg);
  if (name === undefined) throw new CommandFailed([`--${arg} is required`]);
  return (await c.domainCheckpointLookupByName({ dom, name, flags: 0 })).checkpoint;
}

/** virshGetCheckpointParent: the parent's name, null for a root; else the library's error, then virsh's line. */
async function checkpointParent(c: Client, checkpoint: RemoteNonnullDomainCheckpoint): Promise<string | null> {
  try {
    return (await c.domainCheckpointGetParent({ checkpoint, flags: 0 })).parent.name;
  } catch (e) {
    if (e instanceof LibvirtError && e.code === "VIR_ERR_NO_DOMAIN_CHECKPOINT") return null;
    throw new CommandFailed([...causeLines(e), "unable to determine if checkpoint has parent"]);
  }
}

async function createCheckpoint(c: Client, dom: RemoteNonnullDomain, xml: string, flags: number): Promise<string> {
  return (await c.domainCheckpointCreateXml({ dom, xml_desc: xml, flags })).checkpoint.name;
}

const checkpointCreate: VirshCommand = {
  names: ["checkpoint-create"],
  options: [DOMAIN, { name: "xmlfile", type: "string" }, bool("redefine"), bool("redefine-validate"), bool("quiesce")],
  async run(ctx, opts) {
    requires(opts, "redefine-validate", "redefine");
    let flags = 0;
    if (opts.bool("redefine")) flags |= VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE;
    if (opts.bool("redefine-validate")) flags |= VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE;
    if (opts.bool("quiesce")) flags |= VIR_DOMAIN_CHECKPOINT_CREATE_QUIESCE;
    const c = await ctx.client();
    const dom = await lookupDomain(c, domainWord(opts));
    const from = stringReq(opts, "xmlfile");
    const xml = from === undefined ? "<domaincheckpoint/>" : await readXmlFile(from);
    const name = await createCheckpoint(c, dom, xml, flags);
    ctx.printExtra(from === undefined ? `Domain checkpoint ${name} created` : `Domain checkpoint ${name} created from '${from}'`);
  },
};

/** virshParseCheckpointDiskspec: `disk[,checkpoint=type][,bitmap=name]` as a <disk/> line. */
function diskspec(text: string): string {
  const words = stringToArray(text);
  const f = new Map<string, string>();
  for (const w of words.slice(1)) {
    const key = ["checkpoint", "bitmap"].find((k) => !f.has(k) && w.startsWith(`${k}=`));
    if (key === undefined) throw new CommandFailed([`unable to parse diskspec: ${text}`]);
    f.set(key, w.slice(key.length + 1));
  }
  if (words.length === 0) throw new CommandFailed([`unable to parse diskspec: ${text}`]);
  const attr = (k: string): string => (f.has(k) ? ` ${k}='${f.get(k)}'` : "");
  return `    <disk name='${escapeXml(words[0]!)}'${attr("checkpoint")}${attr("bitmap")}/>\n`;
}

const checkpointCreateAs: VirshCommand = {
  names: ["checkpoint-create-as"],
  options: [DOMAIN, { name: "name", type: "string" }, { name: "description", type: "string" }, bool("print-xml"), bool("quiesce"), { name: "diskspec", type: "argv" }],
  async run(ctx, opts) {
    const flags = opts.bool("quiesce") ? VIR_DOMAIN_CHECKPOINT_CREATE_QUIESCE : 0;
    const c = await ctx.client();
    const dom = await lookupDomain(c, domainWord(opts));
    const name = stringReq(opts, "name");
    const desc = stringReq(opts, "description");
    let xml = "<domaincheckpoint>\n";
    if (name !== undefined) xml += `  <name>${escapeXml(name)}</name>\n`;
    if (desc !== undefined) xml += `  <description>${escapeXml(desc)}</description>\n`;
    if (opts.bool("diskspec")) xml += `  <disks>\n${opts.argv("diskspec").map(diskspec).join("")}  </disks>\n`;
    xml += "</domaincheckpoint>\n";
    if (opts.bool("print-xml")) {
      ctx.print(`${xml}\n`);
      return;
    }
    ctx.printExtra(`Domain checkpoint ${await createCheckpoint(c, dom, xml, flags)} created`);
  },
};

const checkpointDelete: VirshCommand = {
  names: ["checkpoint-delete"],
  options: [DOMAIN, { name: "checkpointname", type: "string" }, bool("children"), bool("children-only"), bool("metadata")],
  async run(ctx, opts) {
    const c = await ctx.client();
    const dom = await lookupDomain(c, domainWord(opts));
    const checkpoint = await lookupCheckpoint(c, dom, opts, "checkpointname");
    let flags = 0;
    if (opts.bool("children")) flags |= VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN;
    if (opts.bool("children-only")) flags |= VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY;
    if (opts.bool("metadata")) flags |= VIR_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY;
    await step(`Failed to delete checkpoint ${checkpoint.name}`, () => c.domainCheckpointDelete({ checkpoint, flags }));
    const what = (flags & VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY) !== 0 ? "children deleted" : "deleted";
    ctx.printExtra(`Domain checkpoint ${checkpoint.name} ${what}\n`);
  },
};

const checkpointDumpxml: VirshCommand = {
  names: ["checkpoint-dumpxml"],
  options: [
    DOMAIN,
    { name: "checkpointname", type: "string" },
    bool("security-info"),
    bool("no-domain"),
    bool("size"),
    ...XPATH_OPTIONS,
  ],
  async run(ctx, opts) {
    let flags = 0;
    if (opts.bool("security-info")) flags |= VIR_DOMAIN_CHECKPOINT_XML_SECURE;
    if (opts.bool("no-domain")) flags |= VIR_DOMAIN_CHECKPOINT_XML_NO_DOMAIN;
    if (opts.bool("size")) flags |= VIR_DOMAIN_CHECKPOINT_XML_SIZE;
    const c = await ctx.client();
    const dom = await lookupDomain(c, domainWord(opts));
    // virsh reads --xpath before the checkpoint: an empty one fails, silently, first.
    if (opts.string("xpath") === "") return false;
    const checkpoint = await lookupCheckpoint(c, dom, opts, "checkpointname");
    return dumpXml(ctx, opts, async () => (await c.domainCheckpointGetXmlDesc({ checkpoint, flags })).xml);
  },
};

const checkpointInfo: VirshCommand = {
  names: ["checkpoint-info"],
  options: [DOMAIN, { name: "checkpointname", type: "string" }],
  async run(ctx, opts) {
    const c = await ctx.client();
    const dom = await lookupDomain(c, domainWord(opts));
    const checkpoint = await lookupCheckpoint(c, dom, opts, "checkpointname");
    const row = (label: string, value: string | number): void => ctx.print(`${label.padEnd(15)} ${value}\n`);
    row("Name:", checkpoint.name);
    row("Domain:", dom.name);
    let parent: string | null;
    try {
      parent = await checkpointParent(c, checkpoint);
    } catch (e) {
      throw new CommandFailed([...causeLines(e), "unexpected problem querying checkpoint state"]);
    }
    row("Parent:", parent ?? "-");
    const count = (flags: number): Promise<number> => c.domainCheckpointListAllChildren({ checkpoint, need_results: 0, flags }).then((r) => r.ret);
    let children: number;
    try {
      children = await count(0);
    } catch (e) {
      if (e instanceof LibvirtError && e.code === "VIR_ERR_NO_SUPPORT") return;
      throw e;
    }
    row("Children:", children);
    row("Descendants:", await count(VIR_DOMAIN_CHECKPOINT_LIST_DESCENDANTS));
  },
};

const checkpointList: VirshCommand = {
  names: ["checkpoint-list"],
  options: [
    DOMAIN,
    ...["parent", "roots", "leaves", "no-leaves", "tree"].map(bool),
    { name: "from", type: "string" },
    ...["descendants", "name", "topological"].map(bool),
  ],
  async run(ctx, opts) {
    const tree = opts.bool("tree");
    const parent = opts.bool("parent");
    exclusive(opts, "tree", "name");
    exclusive(opts, "parent", "roots");
    exclusive(opts, "parent", "tree");
    exclusive(opts, "roots", "tree");
    exclusive(opts, "roots", "from");
    let flags = 0;
    for (const [name, flag] of [
      ["leaves", VIR_DOMAIN_CHECKPOINT_LIST_LEAVES],
      ["no-leaves", VIR_DOMAIN_CHECKPOINT_LIST_NO_LEAVES],
    ] as const) {
      if (!opts.bool(name)) continue;
      if (tree) throw new CommandFailed([`--${name} and --tree are mutually exclusive`]);
      flags |= flag;
    }
    if (opts.bool("topological")) flags |= VIR_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL;
    if (opts.bool("roots")) flags |= VIR_DOMAIN_CHECKPOINT_LIST_ROOTS;
    if (opts.bool("descendants")) {
      if (!opts.bool("from")) throw new CommandFailed(["--descendants requires --from"]);
      flags |= VIR_DOMAIN_CHECKPOINT_LIST_DESCENDANTS;
    }
    const c = await ctx.client();
    const dom = await lookupDomain(c, domainWord(opts));
    const start = opts.bool("from") ? await lookupCheckpoint(c, dom, opts, "from") : null;
    const list = await step("unexpected problem querying checkpoints", async () =>
      start === null
        ? (await c.domainListAllCheckpoints({ dom, need_results: 1, flags })).checkpoints
        : (await c.domainCheckpointListAllChildren({ checkpoint: start, need_results: 1, flags })).checkpoints,
    );
    const items: (TreeItem & { checkpoint: RemoteNonnullDomainCheckpoint })[] = [];
    for (const checkpoint of list) items.push({ name: checkpoint.name, parent: tree ? await checkpointParent(c, checkpoint) : null, checkpoint });
    // With --tree, the starting checkpoint heads the list as its only root.
    if (tree && start !== null) items.push({ name: start.name, parent: null, checkpoint: start });
    if ((flags & VIR_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL) === 0) byName(items);
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
      const xml = await c.domainCheckpointGetXmlDesc({ checkpoint: it.checkpoint, flags: 0 }).then((r) => r.xml, () => null);
      const root = xml === null ? null : parseXml(xml);
      const created = root === null ? null : creationTime(textAt(root, "creationTime"));
      // virsh leaves out a checkpoint whose XML it cannot read.
      if (root === null || created === null) continue;
      rows.push(parent ? [it.name, localTime(created), textAt(root, "parent/name") ?? ""] : [it.name, localTime(created)]);
    }
    ctx.print(formatTable(parent ? ["Name", "Creation Time", "Parent"] : ["Name", "Creation Time"], rows, !ctx.globals.quiet));
  },
};

const checkpointParentCommand: VirshCommand = {
  names: ["checkpoint-parent"],
  options: [DOMAIN, { name: "checkpointname", type: "string" }],
  async run(ctx, opts) {
    const c = await ctx.client();
    const dom = await lookupDomain(c, domainWord(opts));
    const checkpoint = await lookupCheckpoint(c, dom, opts, "checkpointname");
    const parent = await checkpointParent(c, checkpoint);
    if (parent === null) throw new CommandFailed([`checkpoint '${checkpoint.name}' has no parent`]);
    ctx.print(parent);
  },
};

export const commands: VirshCommand[] = [checkpointCreate, checkpointCreateAs, checkpointDelete, checkpointDumpxml, checkpointInfo, checkpointList, checkpointParentCommand];
