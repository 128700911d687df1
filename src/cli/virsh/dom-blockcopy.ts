// virsh-domain.c: blockcommit and blockcopy, the block jobs that may end in
// two phases (synchronised, then pivoted or finished).

import { ConnectionCore } from "../../api/core.js";
import { Domain } from "../../gen/friendly/domain.js";
import type { BlockCopyParams } from "../../gen/friendly/params.js";
import {
  VIR_DOMAIN_BLOCK_COMMIT_ACTIVE,
  VIR_DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES,
  VIR_DOMAIN_BLOCK_COMMIT_DELETE,
  VIR_DOMAIN_BLOCK_COMMIT_RELATIVE,
  VIR_DOMAIN_BLOCK_COMMIT_SHALLOW,
  VIR_DOMAIN_BLOCK_COPY_SYNCHRONOUS_WRITES,
  VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB,
  VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC,
  VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT,
  VIR_DOMAIN_BLOCK_JOB_CANCELED,
  VIR_DOMAIN_BLOCK_JOB_FAILED,
  VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES,
  VIR_DOMAIN_BLOCK_REBASE_COPY,
  VIR_DOMAIN_BLOCK_REBASE_COPY_DEV,
  VIR_DOMAIN_BLOCK_REBASE_COPY_RAW,
  VIR_DOMAIN_BLOCK_REBASE_REUSE_EXT,
  VIR_DOMAIN_BLOCK_REBASE_SHALLOW,
} from "../../gen/friendly/constants.js";
import type { OptDef } from "../command.js";
import { CommandFailed, exclusive, uintOpt, ullOpt, type VirshCommand } from "../vsh.js";
import { bandwidthOpt, blockJobWait, needsWait, timeoutOpt } from "./dom-blockwait.js";
import { DOMAIN, bool, exclusiveVars, nonEmpty } from "./dom-opts.js";
import { escapeXml } from "./monitor-xml.js";
import { lookupDomain, readXmlFile } from "./util.js";

const PATH: OptDef = { name: "path", type: "data", required: true };
const INT = (name: string): OptDef => ({ name, type: "int" });
const STRING = (name: string): OptDef => ({ name, type: "string" });

/** The bandwidth in MiB/s that still fits the copy's bytes/s (ULLONG_MAX >> 20). */
const COPY_MIB_LIMIT = 2n ** 44n - 1n;

/** The XML blockcopy makes of --dest (virXMLFormatElement's layout). */
function destXml(dest: string, blockdev: boolean, format: string | undefined): string {
  const source = blockdev ? `  <source dev='${escapeXml(dest)}'/>\n` : `  <source file='${escapeXml(dest)}'/>\n`;
  const driver = format === undefined ? "" : `  <driver type='${escapeXml(format)}'/>\n`;
  return `<disk type='${blockdev ? "block" : "file"}'>\n${source}${driver}</disk>\n`;
}

export const commands: VirshCommand[] = [
  {
    names: ["blockcommit"],
    options: [
      DOMAIN,
      PATH,
      INT("bandwidth"),
      STRING("base"),
      bool("shallow"),
      STRING("top"),
      bool("active"),
      bool("delete"),
      bool("wait"),
      bool("verbose"),
      INT("timeout"),
      bool("pivot"),
      bool("keep-overlay"),
      bool("async"),
      bool("keep-relative"),
      bool("bytes"),
    ],
    async run(ctx, opts) {
      const pivot = opts.bool("pivot");
      const finish = opts.bool("keep-overlay");
      const active = opts.bool("active") || pivot || finish;
      let blocking = opts.bool("wait") || pivot || finish;
      const async = opts.bool("async");
      const bytes = opts.bool("bytes");
      exclusive(opts, "pivot", "keep-overlay");
      const path = nonEmpty(opts, "path")!;
      const base = nonEmpty(opts, "base");
      const top = nonEmpty(opts, "top");
      const bandwidth = bandwidthOpt(opts, bytes);
      const flags =
        (bytes ? VIR_DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES : 0) |
        (opts.bool("shallow") ? VIR_DOMAIN_BLOCK_COMMIT_SHALLOW : 0) |
        (opts.bool("delete") ? VIR_DOMAIN_BLOCK_COMMIT_DELETE : 0) |
        (active ? VIR_DOMAIN_BLOCK_COMMIT_ACTIVE : 0) |
        (opts.bool("keep-relative") ? VIR_DOMAIN_BLOCK_COMMIT_RELATIVE : 0);
      const timeout = timeoutOpt(opts);
      if (timeout !== 0) blocking = true;
      needsWait(opts, blocking, "--timeout, --wait, --pivot, or --keep-overlay");
      const abortFlags = async ? VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC : 0;
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const waiter = blocking ? await blockJobWait(c, dom, path, "Block commit", opts.bool("verbose"), timeout, async) : null;
      try {
        await c.domainBlockCommit({ dom, disk: path, base: base ?? null, top: top ?? null, bandwidth, flags });
        if (waiter === null) {
          ctx.printExtra(active ? "Active Block Commit started" : "Block Commit started");
          return true;
        }
        const status = await waiter.wait();
        if (status === VIR_DOMAIN_BLOCK_JOB_CANCELED) {
          ctx.printExtra("\nCommit aborted");
          return false;
        }
        if (status === VIR_DOMAIN_BLOCK_JOB_FAILED) {
          ctx.printExtra("\nCommit failed");
          return false;
        }
        if (!active) ctx.printExtra("\nCommit complete");
        else if (pivot) {
          await c.domainBlockJobAbort({ dom, path, flags: abortFlags | VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT }).catch((e: unknown) => {
            throw new CommandFailed([`failed to pivot job for disk ${path}`], { cause: e });
          });
          ctx.printExtra("\nSuccessfully pivoted");
        } else if (finish) {
          await c.domainBlockJobAbort({ dom, path, flags: abortFlags }).catch((e: unknown) => {
            throw new CommandFailed([`failed to finish job for disk ${path}`], { cause: e });
          });
          ctx.printExtra("\nCommit complete, overlay image kept");
        } else ctx.printExtra("\nNow in synchronized phase");
        return true;
      } finally {
        await waiter?.close();
      }
    },
  },
  {
    names: ["blockcopy"],
    options: [
      DOMAIN,
      PATH,
      STRING("dest"),
      INT("bandwidth"),
      bool("shallow"),
      bool("reuse-external"),
      { name: "raw", type: "alias", alias: "format=raw" },
      bool("blockdev"),
      bool("wait"),
      bool("verbose"),
      INT("timeout"),
      bool("pivot"),
      bool("finish"),
      bool("async"),
      STRING("xml"),
      STRING("format"),
      INT("granularity"),
      INT("buf-size"),
      bool("bytes"),
      bool("transient-job"),
      bool("synchronous-writes"),
      bool("print-xml"),
    ],
    async run(ctx, opts) {
      const pivot = opts.bool("pivot");
      const finish = opts.bool("finish");
      const blockdev = opts.bool("blockdev");
      let blocking = opts.bool("wait") || finish || pivot;
      const async = opts.bool("async");
      const bytes = opts.bool("bytes");
      const transientJob = opts.bool("transient-job");
      const syncWrites = opts.bool("synchronous-writes");
      const printXml = opts.bool("print-xml");
      const path = nonEmpty(opts, "path")!;
      const dest = nonEmpty(opts, "dest");
      const xml = nonEmpty(opts, "xml");
      const format = nonEmpty(opts, "format");
      let bandwidth = bandwidthOpt(opts, bytes);
      const granularity = uintOpt(opts, "granularity") ?? 0;
      const bufSize = ullOpt(opts, "buf-size") ?? 0n;
      // Some of blockRebase's flags and blockCopy's share their values: the shallow and reuse ones.
      let flags =
        (opts.bool("shallow") ? VIR_DOMAIN_BLOCK_REBASE_SHALLOW : 0) |
        (opts.bool("reuse-external") ? VIR_DOMAIN_BLOCK_REBASE_REUSE_EXT : 0) |
        (transientJob ? VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB : 0) |
        (syncWrites ? VIR_DOMAIN_BLOCK_COPY_SYNCHRONOUS_WRITES : 0);
      const timeout = timeoutOpt(opts);
      if (timeout !== 0) blocking = true;
      const abortFlags = async ? VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC : 0;
      exclusiveVars("dest", dest !== undefined, "xml", xml !== undefined);
      exclusiveVars("format", format !== undefined, "xml", xml !== undefined);
      exclusiveVars("blockdev", blockdev, "xml", xml !== undefined);
      exclusiveVars("pivot", pivot, "finish", finish);
      if (dest === undefined && xml === undefined) throw new CommandFailed(["need either --dest or --xml"]);
      needsWait(opts, blocking, "--timeout, --wait, --pivot, or --finish");
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const waiter = blocking ? await blockJobWait(c, dom, path, "Block Copy", opts.bool("verbose"), timeout, async) : null;
      try {
        let xmlText = xml === undefined ? undefined : await readXmlFile(xml);
        if (granularity !== 0 || bufSize !== 0n || (format !== undefined && format !== "raw") || xmlText !== undefined || transientJob || syncWrites || printXml) {
          // The newer call, with typed parameters.
          const params: { -readonly [K in keyof BlockCopyParams]: BlockCopyParams[K] } = {};
          if (bandwidth !== 0n) {
            if (!bytes) {
              // The MiB/s given, as the parameter's bytes/s.
              if (bandwidth > COPY_MIB_LIMIT) throw new CommandFailed([`bandwidth must be less than ${COPY_MIB_LIMIT}`]);
              bandwidth <<= 20n;
            }
            params.bandwidth = bandwidth;
          }
          if (granularity !== 0) params.granularity = granularity;
          if (bufSize !== 0n) params["buf-size"] = bufSize;
          xmlText ??= destXml(dest!, blockdev, format);
          if (printXml) {
            ctx.print(xmlText);
            return true;
          }
          await new Domain(new ConnectionCore(c), dom).blockCopy(path, xmlText, params, flags);
        } else {
          // The older call: a copy by blockRebase.
          flags |=
            VIR_DOMAIN_BLOCK_REBASE_COPY |
            (blockdev ? VIR_DOMAIN_BLOCK_REBASE_COPY_DEV : 0) |
            (format === "raw" ? VIR_DOMAIN_BLOCK_REBASE_COPY_RAW : 0) |
            (bytes ? VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES : 0);
          await c.domainBlockRebase({ dom, path, base: dest!, bandwidth, flags });
        }
        if (waiter === null) {
          ctx.printExtra("Block Copy started");
          return true;
        }
        const status = await waiter.wait();
        if (status === VIR_DOMAIN_BLOCK_JOB_CANCELED) {
          ctx.printExtra("\nCopy aborted");
          return false;
        }
        if (status === VIR_DOMAIN_BLOCK_JOB_FAILED) {
          ctx.printExtra("\nCopy failed");
          return false;
        }
        if (pivot) {
          await c.domainBlockJobAbort({ dom, path, flags: abortFlags | VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT }).catch((e: unknown) => {
            throw new CommandFailed([`failed to pivot job for disk ${path}`], { cause: e });
          });
          ctx.printExtra("\nSuccessfully pivoted");
        } else if (finish) {
          await c.domainBlockJobAbort({ dom, path, flags: abortFlags }).catch((e: unknown) => {
            throw new CommandFailed([`failed to finish job for disk ${path}`], { cause: e });
          });
          ctx.printExtra("\nSuccessfully copied");
        } else ctx.printExtra("\nNow in mirroring phase");
        return true;
      } finally {
        await waiter?.close();
      }
    },
  },
];
