// virsh-domain.c: a domain's IOThreads: iothreadinfo, iothreadadd,
// iothreaddel.

import { formatTable } from "../format/admin.js";
import { CommandFailed, type VirshCommand } from "../vsh.js";
import { CONFIG_LIVE_CURRENT, DOMAIN, affectFlags, intOpt } from "./dom-opts.js";
import { lookupDomain, step } from "./util.js";

/** virBitmapDataFormat: the set bits of a CPU map as ranges ("0-3,5"). */
export function cpumapText(map: Uint8Array): string {
  const ranges: string[] = [];
  let start = -1;
  const bits = map.length * 8;
  for (let i = 0; i <= bits; i++) {
    const set = i < bits && (map[i >> 3]! & (1 << (i & 7))) !== 0;
    if (set && start < 0) start = i;
    if (!set && start >= 0) {
      ranges.push(i - 1 === start ? `${start}` : `${start}-${i - 1}`);
      start = -1;
    }
  }
  return ranges.join(",");
}

const ID = { name: "id", type: "int", required: true } as const;

/** iothreadadd and iothreaddel's id: a positive int. */
function iothreadId(opts: Parameters<VirshCommand["run"]>[1]): number {
  const id = intOpt(opts, "id")!;
  if (id <= 0) throw new CommandFailed([`Invalid IOThread id value: '${id}'`]);
  return id;
}

export const commands: VirshCommand[] = [
  {
    names: ["iothreadinfo"],
    options: [DOMAIN, ...CONFIG_LIVE_CURRENT],
    async run(ctx, opts) {
      const flags = affectFlags(opts);
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const { info } = await step("Unable to get domain IOThreads information", () => c.domainGetIothreadInfo({ dom, flags }));
      if (info.length === 0) {
        ctx.printExtra("No IOThreads found for the domain");
        return;
      }
      const rows = info.map((t) => [String(t.iothread_id), cpumapText(t.cpumap)]);
      ctx.print(formatTable(["IOThread ID", "CPU Affinity"], rows, !ctx.globals.quiet));
    },
  },
  {
    names: ["iothreadadd"],
    options: [DOMAIN, ID, ...CONFIG_LIVE_CURRENT],
    async run(ctx, opts) {
      const flags = affectFlags(opts);
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const iothread_id = iothreadId(opts);
      await c.domainAddIothread({ dom, iothread_id, flags });
    },
  },
  {
    names: ["iothreaddel"],
    options: [DOMAIN, ID, ...CONFIG_LIVE_CURRENT],
    async run(ctx, opts) {
      const flags = affectFlags(opts);
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const iothread_id = iothreadId(opts);
      await c.domainDelIothread({ dom, iothread_id, flags });
    },
  },
];
