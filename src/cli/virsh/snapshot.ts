// virsh-snapshot.c: snapshot-create, snapshot-create-as, snapshot-current,
// snapshot-delete, snapshot-dumpxml, snapshot-info, snapshot-parent,
// snapshot-revert (snapshot-list: snapshot-list.ts; snapshot-edit:
// snapshot-edit.ts).

import type { Client } from "../../client/client.js";
import type { RemoteNonnullDomain } from "../../gen/remote_protocol.js";
import { LibvirtError } from "../../rpc/errors.js";
import type { Opts } from "../command.js";
import { CommandFailed, type VshContext, type VirshCommand } from "../vsh.js";
import { escapeXml, parseXml, select, textAt } from "./monitor-xml.js";
import { dumpXml, XPATH_OPTIONS } from "./pool-xpath.js";
import { bool, DOMAIN, lookupSnapshot, snapshotParent } from "./snapshot-common.js";
import { domainWord } from "./monitor-opts.js";
import { lookupDomain, step, stringToArray, readXmlFile, stringReq } from "./util.js";
import {
  VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC,
  VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT,
  VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY,
  VIR_DOMAIN_SNAPSHOT_CREATE_HALT,
  VIR_DOMAIN_SNAPSHOT_CREATE_LIVE,
  VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA,
  VIR_DOMAIN_SNAPSHOT_CREATE_QUIESCE,
  VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE,
  VIR_DOMAIN_SNAPSHOT_CREATE_REUSE_EXT,
  VIR_DOMAIN_SNAPSHOT_CREATE_VALIDATE,
  VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN,
  VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY,
  VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY,
  VIR_DOMAIN_SNAPSHOT_LIST_DESCENDANTS,
  VIR_DOMAIN_SNAPSHOT_LIST_METADATA,
  VIR_DOMAIN_SNAPSHOT_REVERT_FORCE,
  VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED,
  VIR_DOMAIN_SNAPSHOT_REVERT_RESET_NVRAM,
  VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING,
  VIR_DOMAIN_SNAPSHOT_XML_SECURE,
} from "../../gen/friendly/constants.js";

/** The flags a set of bool options stands for. */
function flagsOf(opts: Opts, table: readonly (readonly [string, number])[]): number {
  let flags = 0;
  for (const [name, flag] of table) if (opts.bool(name)) flags |= flag;
  return flags;
}

const CREATE_FLAGS: readonly (readonly [string, number])[] = [
  ["no-metadata", VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA],
  ["halt", VIR_DOMAIN_SNAPSHOT_CREATE_HALT],
  ["disk-only", VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY],
  ["reuse-external", VIR_DOMAIN_SNAPSHOT_CREATE_REUSE_EXT],
  ["quiesce", VIR_DOMAIN_SNAPSHOT_CREATE_QUIESCE],
  ["atomic", VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC],
  ["live", VIR_DOMAIN_SNAPSHOT_CREATE_LIVE],
  ["validate", VIR_DOMAIN_SNAPSHOT_CREATE_VALIDATE],
];

const isCode = (e: unknown, code: string): boolean => e instanceof LibvirtError && e.code === code;

/**
 * virshSnapshotCreate: without a file, a daemon that refuses --validate is
 * asked again without it; one that cannot halt after the snapshot gets the
 * snapshot alone, and the domain is destroyed afterwards.
 */
async function createSnapshot(ctx: VshContext, c: Client, dom: RemoteNonnullDomain, xml: string, flags: number, from: string | undefined): Promise<void> {
  let halt = false;
  const create = (f: number): Promise<string> => c.domainSnapshotCreateXml({ dom, xml_desc: xml, flags: f }).then((r) => r.snap.name);
  let name: string;
  try {
    name = await create(flags);
  } catch (e) {
    let last = e;
    let retried: string | null = null;
    if (isCode(last, "VIR_ERR_NO_SUPPORT") && from === undefined) {
      flags &= ~VIR_DOMAIN_SNAPSHOT_CREATE_VALIDATE;
      retried = await create(flags).catch((e2: unknown) => {
        last = e2;
        return null;
      });
    }
    if (retried === null && isCode(last, "VIR_ERR_INVALID_ARG") && (flags & VIR_DOMAIN_SNAPSHOT_CREATE_HALT) !== 0) {
      const persistent = (await c.domainIsPersistent({ dom })).persistent;
      if (persistent === 0) throw new CommandFailed(["cannot halt after snapshot of transient domain"]);
      halt = (await c.domainIsActive({ dom }).then((r) => r.active, () => -1)) === 1;
      flags &= ~VIR_DOMAIN_SNAPSHOT_CREATE_HALT;
      retried = await create(flags);
    }
    if (retried === null) throw last;
    name = retried;
  }
  if (halt) await c.domainDestroy({ dom });
  ctx.printExtra(from === undefined ? `Domain snapshot ${name} created` : `Domain snapshot ${name} created from '${from}'`);
}

const snapshotCreate: VirshCommand = {
  names: ["snapshot-create"],
  options: [
    DOMAIN,
    { name: "xmlfile", type: "string" },
    bool("redefine"),
    bool("current"),
    ...["no-metadata", "halt", "disk-only", "reuse-external", "quiesce", "atomic", "live", "validate"].map(bool),
  ],
  async run(ctx, opts) {
    let flags = flagsOf(opts, CREATE_FLAGS);
    if (opts.bool("redefine")) flags |= VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE;
    if (opts.bool("current")) flags |= VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT;
    const c = await ctx.client();
    const dom = await lookupDomain(c, domainWord(opts));
    const from = stringReq(opts, "xmlfile");
    const xml = from === undefined ? "<domainsnapshot/>" : await readXmlFile(from);
    await createSnapshot(ctx, c, dom, xml, flags, from);
  },
};

/** virBuffer's lines at an indent. */
class XmlLines {
  private text = "";
  indent = 0;
  add(line: string): void {
    this.text += `${" ".repeat(this.indent)}${line}\n`;
  }
  toString(): string {
    return this.text;
  }
}

/** Splits `key=value` words of a spec into the keys allowed, once each; null for any other word. */
function specFields(words: readonly string[], keys: readonly string[], bare?: (w: string) => string | null): Map<string, string> | null {
  const out = new Map<string, string>();
  for (const w of words) {
    const key = keys.find((k) => !out.has(k) && w.startsWith(`${k}=`));
    if (key !== undefined) out.set(key, w.slice(key.length + 1));
    else {
      const as = bare?.(w) ?? null;
      if (as === null || out.has(as)) return null;
      out.set(as, w);
    }
  }
  return out;
}

/** virshParseSnapshotMemspec: `[file=]name[,snapshot=type]` as a <memory/> line. */
function memspec(buf: XmlLines, text: string): void {
  const f = specFields(stringToArray(text), ["snapshot", "file"], (w) => (w.startsWith("/") ? "file" : null));
  if (f === null) throw new CommandFailed([`unable to parse memspec: ${text}`]);
  const attr = (k: string): string => (f.has(k) ? ` ${k}='${escapeXml(f.get(k)!)}'` : "");
  buf.add(`<memory${attr("snapshot")}${attr("file")}/>`);
}

/** virshParseSnapshotDiskspec: `disk[,snapshot=type][,driver=type][,stype=type][,file=name]` as a <disk>. */
function diskspec(buf: XmlLines, text: string): void {
  const words = stringToArray(text);
  const f = words.length === 0 ? null : specFields(words.slice(1), ["snapshot", "driver", "stype", "file"]);
  if (f === null) throw new CommandFailed([`unable to parse diskspec: ${text}`]);
  let head = `<disk name='${escapeXml(words[0]!)}'`;
  if (f.has("snapshot")) head += ` snapshot='${f.get("snapshot")}'`;
  const stype = f.get("stype");
  if (stype !== undefined) {
    if (stype !== "block" && stype !== "file") throw new CommandFailed([`Unknown storage type: '${stype}'`, `unable to parse diskspec: ${text}`]);
    head += ` type='${stype}'`;
  }
  const driver = f.get("driver");
  const file = f.get("file");
  if (driver === undefined && file === undefined) {
    buf.add(`${head}/>`);
    return;
  }
  buf.add(`${head}>`);
  buf.indent += 2;
  if (driver !== undefined) buf.add(`<driver type='${driver}'/>`);
  if (file !== undefined) buf.add(`<source ${stype === "block" ? "dev" : "file"}='${escapeXml(file)}'/>`);
  buf.indent -= 2;
  buf.add("</disk>");
}

const snapshotCreateAs: VirshCommand = {
  names: ["snapshot-create-as"],
  options: [
    DOMAIN,
    { name: "name", type: "string" },
    { name: "description", type: "string" },
    bool("print-xml"),
    ...["no-metadata", "halt", "disk-only", "reuse-external", "quiesce", "atomic", "live", "validate"].map(bool),
    { name: "memspec", type: "string", named: true },
    { name: "diskspec", type: "argv" },
  ],
  async run(ctx, opts) {
    const flags = flagsOf(opts, CREATE_FLAGS);
    const c = await ctx.client();
    const dom = await lookupDomain(c, domainWord(opts));
    const name = stringReq(opts, "name");
    const desc = stringReq(opts, "description");
    const buf = new XmlLines();
    buf.add("<domainsnapshot>");
    buf.indent = 2;
    if (name !== undefined) buf.add(`<name>${escapeXml(name)}</name>`);
    if (desc !== undefined) buf.add(`<description>${escapeXml(desc)}</description>`);
    const mem = stringReq(opts, "memspec");
    if (mem !== undefined) memspec(buf, mem);
    if (opts.bool("diskspec")) {
      buf.add("<disks>");
      buf.indent = 4;
      for (const spec of opts.argv("diskspec")) diskspec(buf, spec);
      buf.indent = 2;
      buf.add("</disks>");
    }
    buf.indent = 0;
    buf.add("</domainsnapshot>");
    if (opts.bool("print-xml")) {
      ctx.print(`${buf}\n`);
      return;
    }
    await createSnapshot(ctx, c, dom, String(buf), flags, undefined);
  },
};

/** The snapshot XML's word for a disk-only snapshot, which a redefinition must repeat as a flag. */
const DISK_ONLY_STATE = "<state>disk-snapshot</state>";

const snapshotCurrent: VirshCommand = {
  names: ["snapshot-current"],
  options: [DOMAIN, bool("name"), bool("security-info"), { name: "snapshotname", type: "string" }],
  async run(ctx, opts) {
    const flags = opts.bool("security-info") ? VIR_DOMAIN_SNAPSHOT_XML_SECURE : 0;
    if (opts.bool("name") && opts.bool("snapshotname")) throw new CommandFailed(["Options --name and --snapshotname are mutually exclusive"]);
    const word = domainWord(opts);
    const c = await ctx.client();
    const dom = await lookupDomain(c, word);
    const wanted = stringReq(opts, "snapshotname");
    if (wanted !== undefined) {
      const { snap } = await c.domainSnapshotLookupByName({ dom, name: wanted, flags: 0 });
      const { xml } = await c.domainSnapshotGetXmlDesc({ snap, flags: VIR_DOMAIN_SNAPSHOT_XML_SECURE });
      let define = VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE | VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT;
      if (xml.includes(DISK_ONLY_STATE)) define |= VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY;
      await c.domainSnapshotCreateXml({ dom, xml_desc: xml, flags: define });
      ctx.printExtra(`Snapshot ${wanted} set as current`);
      return;
    }
    if ((await c.domainHasCurrentSnapshot({ dom, flags: 0 })).result === 0) throw new CommandFailed([`domain '${word}' has no current snapshot`]);
    const { snap } = await c.domainSnapshotCurrent({ dom, flags: 0 });
    ctx.print(opts.bool("name") ? snap.name : (await c.domainSnapshotGetXmlDesc({ snap, flags })).xml);
  },
};

const snapshotDumpxml: VirshCommand = {
  names: ["snapshot-dumpxml"],
  options: [DOMAIN, { name: "snapshotname", type: "data", required: true }, bool("security-info"), ...XPATH_OPTIONS],
  async run(ctx, opts) {
    const flags = opts.bool("security-info") ? VIR_DOMAIN_SNAPSHOT_XML_SECURE : 0;
    const name = stringReq(opts, "snapshotname")!;
    const c = await ctx.client();
    const dom = await lookupDomain(c, domainWord(opts));
    const { snap } = await c.domainSnapshotLookupByName({ dom, name, flags: 0 });
    return dumpXml(ctx, opts, async () => (await c.domainSnapshotGetXmlDesc({ snap, flags })).xml);
  },
};

const snapshotInfo: VirshCommand = {
  names: ["snapshot-info"],
  options: [DOMAIN, { name: "snapshotname", type: "string" }, bool("current")],
  async run(ctx, opts) {
    const c = await ctx.client();
    const dom = await lookupDomain(c, domainWord(opts));
    const snap = await lookupSnapshot(c, dom, opts, "snapshotname", true);
    const row = (label: string, value: string | number): void => ctx.print(`${label.padEnd(15)} ${value}\n`);
    row("Name:", snap.name);
    row("Domain:", dom.name);
    const current = await c.domainSnapshotIsCurrent({ snap, flags: 0 }).then((r) => r.current, () => 0);
    row("Current:", current > 0 ? "yes" : "no");
    const root = parseXml((await c.domainSnapshotGetXmlDesc({ snap, flags: 0 })).xml);
    const state = root === null ? undefined : textAt(root, "state");
    if (root === null || state === undefined) throw new CommandFailed(["unexpected problem reading snapshot xml"]);
    row("State:", state);
    // With a <memory> element, an external memory or disk says external; before it, only disk-only snapshots were.
    const external =
      select(root, "memory").length > 0
        ? select(root, "memory").some((m) => m.attrs.get("snapshot") === "external") || select(root, "disks/disk").some((d) => d.attrs.get("snapshot") === "external")
        : state === "disk-snapshot";
    row("Location:", external ? "external" : "internal");
    row("Parent:", textAt(root, "parent/name") ?? "-");
    let children: number;
    try {
      children = (await c.domainSnapshotNumChildren({ snap, flags: 0 })).num;
    } catch (e) {
      if (isCode(e, "VIR_ERR_NO_SUPPORT")) return;
      throw e;
    }
    row("Children:", children);
    row("Descendants:", (await c.domainSnapshotNumChildren({ snap, flags: VIR_DOMAIN_SNAPSHOT_LIST_DESCENDANTS })).num);
    let metadata = await c.domainSnapshotHasMetadata({ snap, flags: 0 }).then((r) => r.metadata, () => -1);
    if (metadata < 0) metadata = await c.domainSnapshotNum({ dom, flags: VIR_DOMAIN_SNAPSHOT_LIST_METADATA }).then((r) => r.num, () => -1);
    if (metadata >= 0) row("Metadata:", metadata ? "yes" : "no");
  },
};

const snapshotParentCommand: VirshCommand = {
  names: ["snapshot-parent"],
  options: [DOMAIN, { name: "snapshotname", type: "string" }, bool("current")],
  async run(ctx, opts) {
    const c = await ctx.client();
    const dom = await lookupDomain(c, domainWord(opts));
    const snap = await lookupSnapshot(c, dom, opts, "snapshotname", true);
    const parent = await snapshotParent(c, snap);
    if (parent === null) throw new CommandFailed([`snapshot '${snap.name}' has no parent`]);
    ctx.print(parent);
  },
};

const snapshotRevert: VirshCommand = {
  names: ["snapshot-revert"],
  options: [DOMAIN, { name: "snapshotname", type: "string" }, bool("current"), bool("running"), bool("paused"), bool("force"), bool("reset-nvram")],
  async run(ctx, opts) {
    let flags = flagsOf(opts, [
      ["running", VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING],
      ["paused", VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED],
      ["reset-nvram", VIR_DOMAIN_SNAPSHOT_REVERT_RESET_NVRAM],
    ]);
    const c = await ctx.client();
    const dom = await lookupDomain(c, domainWord(opts));
    const snap = await lookupSnapshot(c, dom, opts, "snapshotname", true);
    await step(`Failed to revert snapshot ${snap.name}`, async () => {
      try {
        await c.domainRevertToSnapshot({ snap, flags });
      } catch (e) {
        // --force only where the daemon says it would make a difference, as older daemons refuse the flag.
        if (!(opts.bool("force") && isCode(e, "VIR_ERR_SNAPSHOT_REVERT_RISKY"))) throw e;
        flags |= VIR_DOMAIN_SNAPSHOT_REVERT_FORCE;
        await c.domainRevertToSnapshot({ snap, flags });
      }
    });
    ctx.printExtra(`Domain snapshot ${snap.name} reverted\n`);
  },
};

const snapshotDelete: VirshCommand = {
  names: ["snapshot-delete"],
  options: [DOMAIN, { name: "snapshotname", type: "string" }, bool("current"), bool("children"), bool("children-only"), bool("metadata")],
  async run(ctx, opts) {
    const c = await ctx.client();
    const dom = await lookupDomain(c, domainWord(opts));
    const snap = await lookupSnapshot(c, dom, opts, "snapshotname", true);
    const flags = flagsOf(opts, [
      ["children", VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN],
      ["children-only", VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY],
      ["metadata", VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY],
    ]);
    await step(`Failed to delete snapshot ${snap.name}`, () => c.domainSnapshotDelete({ snap, flags }));
    ctx.printExtra((flags & VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY) !== 0 ? `Domain snapshot ${snap.name} children deleted\n` : `Domain snapshot ${snap.name} deleted\n`);
  },
};

export const commands: VirshCommand[] = [snapshotCreate, snapshotCreateAs, snapshotCurrent, snapshotDelete, snapshotDumpxml, snapshotInfo, snapshotParentCommand, snapshotRevert];
