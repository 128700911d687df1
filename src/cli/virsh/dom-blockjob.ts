// virsh-domain.c: blockjob (a disk's block job: its progress, its speed,
// its end), blockpull and blockresize.

import type { Client } from "../../client/client.js";
import type { RemoteNonnullDomain } from "../../gen/remote_protocol.js";
import {
  VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC,
  VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT,
  VIR_DOMAIN_BLOCK_JOB_CANCELED,
  VIR_DOMAIN_BLOCK_JOB_FAILED,
  VIR_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES,
  VIR_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES,
  VIR_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES,
  VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES,
  VIR_DOMAIN_BLOCK_REBASE_RELATIVE,
  VIR_DOMAIN_BLOCK_RESIZE_BYTES,
} from "../../gen/friendly/constants.js";
import { LibvirtError } from "../../rpc/errors.js";
import { fixed, lookupDomain } from "./util.js";
import { CommandFailed, exclusive, requires, type VirshCommand } from "../vsh.js";
import type { VshContext } from "../vsh.js";
import { bandwidthOpt, blockJobWait, timeoutOpt } from "./dom-blockwait.js";
import { prettyCapacity } from "./dom-job.js";
import { DOMAIN, bool, exclusiveVars, nonEmpty, scaledOpt } from "./dom-opts.js";
import { progressLine } from "./dom-watch.js";

/** virshDomainBlockJob: the job types' names. */
const JOB_NAMES = ["Unknown job", "Block Pull", "Block Copy", "Block Commit", "Active Block Commit", "Backup"];

const PATH = { name: "path", type: "data", required: true } as const;

/** Connections whose daemon refused bandwidth in bytes for a job's info (virshControl's blockJobNoBytes). */
const noBytes = new WeakSet<Client>();

/** virshBlockJobInfo. */
async function blockJobInfo(ctx: VshContext, c: Client, dom: RemoteNonnullDomain, path: string, raw: boolean, bytes: boolean): Promise<void> {
  let info: Awaited<ReturnType<Client["domainGetBlockJobInfo"]>> | null = null;
  let speed = 0n;
  if (bytes || !(raw || noBytes.has(c))) {
    try {
      info = await c.domainGetBlockJobInfo({ dom, path, flags: VIR_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES });
      speed = info.bandwidth;
    } catch (e) {
      const code = e instanceof LibvirtError ? e.code : undefined;
      if (code === "VIR_ERR_INVALID_ARG") noBytes.add(c);
      // Those two mean "not in bytes": asked again in MiB/s, unless bytes were demanded.
      if (!((code === "VIR_ERR_INVALID_ARG" || code === "VIR_ERR_OVERFLOW") && !bytes && !raw)) throw e;
    }
  }
  if (info === null) {
    info = await c.domainGetBlockJobInfo({ dom, path, flags: 0 });
    speed = info.bandwidth;
    if (!raw) {
      speed = BigInt.asUintN(64, speed << 20n);
      if (speed >> 20n !== info.bandwidth) throw new CommandFailed([`overflow in converting ${BigInt.asIntN(64, info.bandwidth)} MiB/s to bytes\n`]);
    }
  }
  if (info.found === 0) {
    if (!raw) ctx.printExtra(`No current block job for ${path}`);
    return;
  }
  if (raw) {
    ctx.print(` type=${JOB_NAMES[info.type] ?? "(null)"}\n bandwidth=${info.bandwidth}\n cur=${info.cur}\n end=${info.end}\n`);
    return;
  }
  process.stderr.write(progressLine(JOB_NAMES[info.type] ?? "Unknown job", BigInt.asUintN(64, info.end - info.cur), info.end));
  if (speed !== 0n) {
    const [value, unit] = prettyCapacity(speed);
    ctx.print(`    Bandwidth limit: ${speed} bytes/s (${fixed(value, 3)} ${unit}/s)`);
  }
  ctx.print("\n");
}

export const commands: VirshCommand[] = [
  {
    names: ["blockjob"],
    options: [DOMAIN, PATH, bool("abort"), bool("async"), bool("pivot"), bool("info"), bool("bytes"), bool("raw"), { name: "bandwidth", type: "int" }],
    async run(ctx, opts) {
      const raw = opts.bool("raw");
      const bytes = opts.bool("bytes");
      const pivot = opts.bool("pivot");
      const async = opts.bool("async");
      const bandwidth = opts.string("bandwidth") !== undefined;
      exclusive(opts, "raw", "abort");
      exclusiveVars("raw", raw, "pivot", pivot);
      exclusiveVars("raw", raw, "async", async);
      exclusiveVars("raw", raw, "bandwidth", bandwidth);
      exclusive(opts, "info", "abort");
      exclusiveVars("info", opts.bool("info"), "pivot", pivot);
      exclusiveVars("info", opts.bool("info"), "async", async);
      exclusiveVars("info", opts.bool("info"), "bandwidth", bandwidth);
      exclusive(opts, "bytes", "abort");
      exclusiveVars("bytes", bytes, "pivot", pivot);
      exclusiveVars("bytes", bytes, "async", async);
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const path = nonEmpty(opts, "path")!;
      if (bandwidth) {
        const speed = bandwidthOpt(opts, bytes);
        await c.domainBlockJobSetSpeed({ dom, path, bandwidth: speed, flags: bytes ? VIR_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES : 0 });
      } else if (opts.bool("abort") || pivot || async) {
        await c.domainBlockJobAbort({ dom, path, flags: (async ? VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC : 0) | (pivot ? VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT : 0) });
      } else {
        await blockJobInfo(ctx, c, dom, path, raw, bytes);
      }
    },
  },
  {
    names: ["blockpull"],
    options: [
      DOMAIN,
      PATH,
      { name: "bandwidth", type: "int" },
      { name: "base", type: "string" },
      bool("wait"),
      bool("verbose"),
      { name: "timeout", type: "int" },
      bool("async"),
      bool("keep-relative"),
      bool("bytes"),
    ],
    async run(ctx, opts) {
      const blocking = opts.bool("wait");
      const bytes = opts.bool("bytes");
      requires(opts, "verbose", "wait");
      requires(opts, "async", "wait");
      const path = nonEmpty(opts, "path")!;
      const base = nonEmpty(opts, "base");
      const bandwidth = bandwidthOpt(opts, bytes);
      const timeout = timeoutOpt(opts);
      let flags = opts.bool("keep-relative") ? VIR_DOMAIN_BLOCK_REBASE_RELATIVE : 0;
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const waiter = blocking ? await blockJobWait(c, dom, path, "Block Pull", opts.bool("verbose"), timeout, opts.bool("async")) : null;
      try {
        if (base !== undefined || flags !== 0) {
          if (bytes) flags |= VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES;
          await c.domainBlockRebase({ dom, path, base: base ?? null, bandwidth, flags });
        } else {
          if (bytes) flags |= VIR_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES;
          await c.domainBlockPull({ dom, path, bandwidth, flags });
        }
        if (waiter === null) {
          ctx.printExtra("Block Pull started");
          return true;
        }
        const status = await waiter.wait();
        if (status === VIR_DOMAIN_BLOCK_JOB_CANCELED) {
          ctx.printExtra("\nPull aborted");
          return false;
        }
        if (status === VIR_DOMAIN_BLOCK_JOB_FAILED) {
          ctx.printExtra("\nPull failed");
          return false;
        }
        ctx.printExtra("\nPull complete");
        return true;
      } finally {
        await waiter?.close();
      }
    },
  },
  {
    names: ["blockresize"],
    options: [DOMAIN, PATH, { name: "size", type: "int", required: true }],
    async run(ctx, opts) {
      const path = nonEmpty(opts, "path")!;
      let size = scaledOpt(opts, "size", 1024n, 2n ** 64n - 1n)!;
      // The older interface, in KiB, where the size allows.
      let flags = 0;
      if (size % 1024n === 0n) size /= 1024n;
      else flags |= VIR_DOMAIN_BLOCK_RESIZE_BYTES;
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      try {
        await c.domainBlockResize({ dom, disk: path, size, flags });
      } catch (e) {
        throw new CommandFailed([`Failed to resize block device '${path}'`], { cause: e });
      }
      ctx.printExtra(`Block device '${path}' is resized`);
    },
  },
];
