// What virsh's block job commands share (virsh-domain.c, vsh.c): the
// --bandwidth and --timeout options as virsh reads them, and
// virshBlockJobWait: the job's info polled every half second while the
// block-job events are listened to; --verbose's progress line; Ctrl-C or
// the timeout aborts the job.

import type { Client } from "../../client/client.js";
import type { Subscription } from "../../events/dispatcher.js";
import type { RemoteNonnullDomain } from "../../gen/remote_protocol.js";
import {
  VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC,
  VIR_DOMAIN_BLOCK_JOB_CANCELED,
  VIR_DOMAIN_BLOCK_JOB_COMPLETED,
  VIR_DOMAIN_BLOCK_JOB_READY,
} from "../../gen/friendly/constants.js";
import type { Opts } from "../command.js";
import { CommandFailed, uintOpt } from "../vsh.js";
import { scaleInteger } from "./dom-opts.js";
import { progressLine } from "./dom-watch.js";

const ULONG_MAX = 2n ** 64n - 1n;

/**
 * vshBlockJobOptionBandwidth: a whole number (strtoul's: a `-` wraps), or
 * else a scaled size in bytes (no `-`), turned into MiB/s unless `bytes`.
 * Absent: 0.
 */
export function bandwidthOpt(opts: Opts, bytes: boolean): bigint {
  const text = opts.string("bandwidth");
  if (text === undefined) return 0n;
  const whole = /^[ \t\n\v\f\r]*([+-]?)(\d+)$/.exec(text);
  if (whole !== null) {
    const n = BigInt(whole[2]!);
    if (n <= ULONG_MAX) return whole[1] === "-" ? (2n ** 64n - n) % 2n ** 64n : n;
  }
  const fail = (cause?: string): CommandFailed =>
    new CommandFailed([`Scaled numeric value '${text}' for <--bandwidth> option is malformed or out of range`], cause === undefined ? undefined : { cause: new Error(cause) });
  const m = /^[ \t\n\v\f\r]*\+?(\d+)(.*)$/s.exec(text);
  if (m === null) throw fail();
  const value = BigInt(m[1]!);
  if (value > ULONG_MAX) throw fail();
  const scaled = scaleInteger(value, m[2]!, 1n, ULONG_MAX);
  if (typeof scaled === "string") throw fail(scaled);
  return bytes ? scaled : scaled >> 20n;
}

/** vshCommandOptTimeoutToMs: whole seconds, not 0 and not past INT_MAX ms; absent: 0. */
export function timeoutOpt(opts: Opts): number {
  const seconds = uintOpt(opts, "timeout");
  if (seconds === undefined) return 0;
  if (seconds === 0 || seconds > Math.floor((2 ** 31 - 1) / 1000)) throw new CommandFailed([`Numeric value '${seconds}' for <timeout> option is malformed or out of range`]);
  return seconds * 1000;
}

/** The two checks each command makes when it will not wait: --verbose and --async need a wait. */
export function needsWait(opts: Opts, blocking: boolean, waits: string): void {
  if (blocking) return;
  if (opts.bool("verbose")) throw new CommandFailed([`--verbose requires at least one of ${waits}`]);
  if (opts.bool("async")) throw new CommandFailed([`--async requires at least one of ${waits}`]);
}

/** A block job being waited for (virshBlockJobWaitData): the events heard, set up before the job starts. */
export interface BlockJobWait {
  /** virshBlockJobWait: the job's end as the block-job status (COMPLETED, FAILED, CANCELED, READY); a failed query or abort throws. */
  wait(): Promise<number>;
  /** virshBlockJobWaitFree: the event registrations dropped. */
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * virshBlockJobWaitInit: listens to block-job and block-job-2 events for
 * `dev` on `dom` (a registration the daemon refuses is left out, and the
 * wait falls back on polling alone).
 */
export async function blockJobWait(c: Client, dom: RemoteNonnullDomain, dev: string, label: string, verbose: boolean, timeoutMs: number, asyncAbort: boolean): Promise<BlockJobWait> {
  let status = -1;
  const subs: (Subscription | null)[] = [];
  // The old event names the disk by path, the new one by target: virsh's one handler compares each with what was typed.
  subs.push(await c.events.subscribe("domain", "block-job", (e) => void (e.data.path === dev && (status = e.data.status)), { filter: dom }).catch(() => null));
  subs.push(await c.events.subscribe("domain", "block-job-2", (e) => void (e.data.dst === dev && (status = e.data.status)), { filter: dom }).catch(() => null));
  const [old, two] = subs;
  const anyEvents = old !== null || two !== null;
  const bothEvents = old !== null && two !== null;

  const wait = async (): Promise<number> => {
    // For a two-phase job whose event cannot be matched, this many polls at 100 % before it is taken as ready.
    let retries = 5;
    let interrupted = false;
    const onInt = (): void => {
      interrupted = true;
    };
    process.on("SIGINT", onInt);
    const start = Date.now();
    let last = { cur: 0n, end: 0n };
    let ret: number;
    try {
      for (;;) {
        const info = await c.domainGetBlockJobInfo({ dom, path: dev, flags: 0 }).catch((e: unknown) => {
          throw new CommandFailed([`failed to query job for disk ${dev}`], { cause: e });
        });
        if (anyEvents && status !== -1) {
          ret = status;
          break;
        }
        if (!bothEvents) {
          if (info.found === 0) {
            ret = VIR_DOMAIN_BLOCK_JOB_COMPLETED;
            break;
          }
          if (info.end === info.cur && (!anyEvents || --retries === 0)) {
            ret = VIR_DOMAIN_BLOCK_JOB_READY;
            break;
          }
        }
        if (verbose && (info.cur !== last.cur || info.end !== last.end)) process.stderr.write(progressLine(label, BigInt.asUintN(64, info.end - info.cur), info.end));
        last = { cur: info.cur, end: info.end };
        if (interrupted || (timeoutMs !== 0 && Date.now() - start > timeoutMs)) {
          try {
            await c.domainBlockJobAbort({ dom, path: dev, flags: asyncAbort ? VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC : 0 });
          } catch (e) {
            throw new CommandFailed([`failed to abort job for disk '${dev}'`], { cause: e });
          }
          ret = VIR_DOMAIN_BLOCK_JOB_CANCELED;
          break;
        }
        await sleep(500);
      }
    } finally {
      process.off("SIGINT", onInt);
    }
    if (verbose && (ret === VIR_DOMAIN_BLOCK_JOB_COMPLETED || ret === VIR_DOMAIN_BLOCK_JOB_READY)) process.stderr.write(progressLine(label, 0n, 1n));
    return ret;
  };

  const close = async (): Promise<void> => {
    for (const s of subs) await s?.close().catch(() => undefined);
  };
  return { wait, close };
}
