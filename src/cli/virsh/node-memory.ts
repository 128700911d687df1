// virsh-host.c's NUMA memory commands: freecell, freepages, allocpages and
// node-memory-tune. The cells and page sizes come from the host
// capabilities, selected with virsh's own XPath expressions.

import type { Client } from "../../client/client.js";
import type { RemoteTypedParam } from "../../gen/remote_protocol.js";
import { VirTypedParameterType } from "../../gen/libvirt_common.js";
import { VIR_NODE_ALLOC_PAGES_ADD, VIR_NODE_ALLOC_PAGES_SET } from "../../gen/friendly/constants.js";
import type { OptDef } from "../command.js";
import { CommandFailed, exclusive, uintOpt, ullOpt, type VirshCommand } from "../vsh.js";
import { intOpt, scaledOpt } from "./node-options.js";
import { parseDoc, type XmlDoc, type XmlElem } from "./pool-xml-doc.js";
import { evaluateXPath } from "./pool-xpath-eval.js";
import { step, typedParamValue } from "./util.js";

const int = (name: string, required = false): OptDef => ({ name, type: "int", required });
const bool = (name: string): OptDef => ({ name, type: "bool" });

const UINT_MAX = 0xffffffffn;

/** The host capabilities, parsed; `unparsable` is what virsh says when they do not parse. */
async function capabilities(c: Client, unparsable: string): Promise<XmlDoc> {
  const { capabilities } = await step("unable to get node capabilities", () => c.connectGetCapabilities());
  const doc = parseDoc(capabilities);
  if (doc === null) throw new CommandFailed([unparsable]);
  return doc;
}

/** The elements virsh's XPath selects. */
function select(doc: XmlDoc, path: string): XmlElem[] {
  const v = evaluateXPath(path, doc);
  return Array.isArray(v) ? v.filter((n): n is XmlElem => n.kind === "element") : [];
}

/** virXMLPropString: an attribute's value, or C's "(null)" in a message when it is missing. */
const prop = (e: XmlElem, name: string): string | undefined => e.attrs.find((a) => a.name === name)?.value;

const CELLS = "/capabilities/host/topology/cells/cell";

/** The NUMA cells' ids as virStrToLong_ulp reads them. */
function cellIds(doc: XmlDoc): number[] {
  return select(doc, CELLS).map((cell) => {
    const id = prop(cell, "id");
    if (id === undefined || !/^\s*\+?\d+$/.test(id)) throw new CommandFailed(["conversion from string failed"]);
    return Number(id);
  });
}

/** Page sizes in KiB: the host CPU's, else every cell's, sorted without repeats. */
function pageSizes(doc: XmlDoc): number[] {
  let pages = select(doc, "/capabilities/host/cpu/pages");
  if (pages.length === 0) pages = select(doc, `${CELLS}/pages`);
  if (pages.length === 0) throw new CommandFailed(["could not get information about supported page sizes"]);
  const sizes = pages.map((p) => {
    const size = prop(p, "size");
    if (size === undefined || !/^\s*\+?\d+$/.test(size) || Number(size) > 0xffffffff) throw new CommandFailed([`unable to parse page size: ${size ?? "(null)"}`]);
    return Number(size);
  });
  return [...new Set(sizes)].sort((a, b) => a - b);
}

/** What virNodeGetCellsFreeMemory refuses before asking the daemon. */
async function cellFree(c: Client, cell: number): Promise<bigint | null> {
  if (cell < 0) throw new CommandFailed([], { cause: new Error("startCell in virNodeGetCellsFreeMemory must be zero or greater") });
  const { cells } = await c.nodeGetCellsFreeMemory({ startCell: cell, maxcells: 1 });
  return cells.length === 1 ? cells[0]! : null;
}

const uint = (field: string, ui: number): RemoteTypedParam => ({ field, value: { type: VirTypedParameterType.VIR_TYPED_PARAM_UINT, ui } });

export const commands: VirshCommand[] = [
  {
    names: ["freecell"],
    options: [int("cellno"), bool("all")],
    async run(ctx, opts) {
      exclusive(opts, "all", "cellno");
      const cell = intOpt(opts, "cellno");
      const c = await ctx.client();
      if (!opts.bool("all")) {
        if (cell !== undefined) {
          const free = await cellFree(c, cell);
          if (free === null) return false;
          ctx.print(`${cell}: ${free / 1024n} KiB\n`);
          return true;
        }
        const { freeMem } = await c.nodeGetFreeMemory();
        if (freeMem === 0n) return false;
        ctx.print(`Total: ${freeMem / 1024n} KiB\n`);
        return true;
      }
      const ids = cellIds(await capabilities(c, "unable to get node capabilities"));
      let total = 0n;
      const lines: string[] = [];
      for (const id of ids) {
        const failed = `failed to get free memory for NUMA node number: ${id}`;
        const free = await step(failed, () => cellFree(c, id));
        if (free === null) throw new CommandFailed([failed]);
        lines.push(`${String(id).padStart(5)}: ${String(free / 1024n).padStart(10)} KiB\n`);
        total += free;
      }
      for (const l of lines) ctx.print(l);
      ctx.printExtra("--------------------\n");
      ctx.printExtra(`${"Total".padStart(5)}: ${String(total / 1024n).padStart(10)} KiB\n`);
      return true;
    },
  },
  {
    names: ["freepages"],
    options: [int("cellno"), int("pagesize"), bool("all")],
    async run(ctx, opts) {
      exclusive(opts, "all", "cellno");
      const c = await ctx.client();
      const bytes = scaledOpt(opts, "pagesize", 1024n, UINT_MAX);
      const kibibytes = bytes === undefined ? 0 : Number((bytes + 1023n) / 1024n);
      const line = (size: number, count: bigint): string => `${size}KiB: ${BigInt.asIntN(64, count)}\n`;
      if (opts.bool("all")) {
        const doc = await capabilities(c, "unable to parse node capabilities");
        const sizes = bytes === undefined ? pageSizes(doc) : [kibibytes];
        for (const node of select(doc, CELLS)) {
          const id = prop(node, "id");
          if (id === undefined || !/^\s*[+-]?\d+$/.test(id) || Math.abs(Number(id)) > 2 ** 31) throw new CommandFailed([`unable to parse numa node id: ${id ?? "(null)"}`]);
          const cell = Number(id);
          const { counts } = await c.nodeGetFreePages({ pages: sizes, startCell: cell, cellCount: 1, flags: 0 });
          ctx.print(`Node ${cell}:\n`);
          sizes.forEach((s, j) => ctx.print(line(s, counts[j] ?? 0n)));
          ctx.print("\n");
        }
        return;
      }
      if (!opts.bool("cellno")) throw new CommandFailed(["missing cellno argument"]);
      const cell = intOpt(opts, "cellno")!;
      if (cell < -1) throw new CommandFailed(["cell number must be non-negative integer or -1"]);
      if (bytes === undefined) throw new CommandFailed(["missing pagesize argument"]);
      const { counts } = await c.nodeGetFreePages({ pages: [kibibytes], startCell: cell, cellCount: 1, flags: 0 });
      ctx.print(line(kibibytes, counts[0] ?? 0n));
    },
  },
  {
    names: ["allocpages"],
    options: [int("pagesize", true), int("pagecount", true), int("cellno"), bool("add"), bool("all")],
    async run(ctx, opts) {
      exclusive(opts, "all", "cellno");
      const c = await ctx.client();
      const startCell = intOpt(opts, "cellno") ?? -1;
      const size = Number((scaledOpt(opts, "pagesize", 1024n, UINT_MAX * 1024n)! + 1023n) / 1024n);
      const count = ullOpt(opts, "pagecount")!;
      const flags = opts.bool("add") ? VIR_NODE_ALLOC_PAGES_ADD : VIR_NODE_ALLOC_PAGES_SET;
      const cells = opts.bool("all") ? cellIds(await capabilities(c, "unable to get node capabilities")) : [startCell];
      for (const cell of cells) await c.nodeAllocPages({ pageSizes: [size], pageCounts: [count], startCell: cell, cellCount: 1, flags });
    },
  },
  {
    names: ["node-memory-tune"],
    options: [int("shm-pages-to-scan"), int("shm-sleep-millisecs"), int("shm-merge-across-nodes")],
    async run(ctx, opts) {
      const c = await ctx.client();
      const params: RemoteTypedParam[] = [];
      for (const name of ["shm-pages-to-scan", "shm-sleep-millisecs", "shm-merge-across-nodes"]) {
        const value = uintOpt(opts, name);
        if (value !== undefined) params.push(uint(name.replace(/-/g, "_"), value));
      }
      if (params.length > 0) {
        await step("Unable to change memory parameters", () => c.nodeSetMemoryParameters({ params, flags: 0 }));
        return;
      }
      const { nparams } = await step("Unable to get number of memory parameters", () => c.nodeGetMemoryParameters({ nparams: 0, flags: 0 }));
      if (nparams === 0) return;
      const got = await step("Unable to get memory parameters", () => c.nodeGetMemoryParameters({ nparams, flags: 0 }));
      ctx.print("Shared memory:\n");
      for (const p of got.params) ctx.print(`\t${p.field.padEnd(15)} ${typedParamValue(p.value)}\n`);
    },
  },
];
