// virshWatchJob as cmdMigrate runs it: the source's job polled every half
// second (its progress on stderr with --verbose, "Migration: [ NN %]"),
// the --timeout action once the time is up, and Ctrl-C on a terminal
// aborting the job. As in virsh, SIGINT itself is caught and does nothing:
// once the job runs, the terminal's interrupt character is made an ordinary
// byte (no ICANON, no VINTR: vshTTYDisableInterrupt), read from stdin, and
// that byte aborts the job; without a terminal nothing aborts it.

import { spawnSync } from "node:child_process";
import type { Client } from "../../client/client.js";
import type { RemoteNonnullDomain } from "../../gen/remote_protocol.js";
import { VIR_DOMAIN_JOB_BOUNDED, VIR_DOMAIN_JOB_UNBOUNDED } from "../../gen/friendly/constants.js";

export type TimeoutAction = "suspend" | "postcopy";

export interface WatchOptions {
  verbose: boolean;
  /** Seconds; 0: none. */
  timeout: number;
  action: TimeoutAction;
  /** The migration itself: resolves when done, rejects with its error. */
  job: Promise<void>;
}

const LABEL = "Migration";

/** virshPrintJobProgress. */
function progressLine(remaining: bigint, total: bigint): string {
  let progress = 100;
  if (remaining !== 0n) {
    progress = Math.trunc(100.0 - (Number(remaining) * 100.0) / Number(total));
    if (progress >= 100) progress = 99;
  }
  return `\r${LABEL}: [${String(progress).padStart(3)} %]`;
}

/** stty on our terminal (stdin); its output, or null where it fails. */
function stty(args: readonly string[]): string | null {
  const r = spawnSync("stty", args, { stdio: ["inherit", "pipe", "ignore"], encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

/**
 * vshTTYDisableInterrupt, and a watch of stdin for the interrupt character
 * the terminal had (VINTR, the fifth field of `stty -g`); returns what
 * vshTTYRestore does.
 */
function interruptByKey(onInterrupt: () => void): () => void {
  const saved = stty(["-g"]);
  const vintr = saved === null ? 3 : parseInt(saved.split(":")[4] ?? "3", 16);
  if (saved === null || vintr === 0 || stty(["-icanon", "intr", "undef"]) === null) return () => undefined;
  const onData = (b: Buffer): void => {
    if (b.length === 1 && b[0] === vintr) {
      process.stdin.off("data", onData);
      onInterrupt();
    }
  };
  process.stdin.on("data", onData);
  process.stdin.resume();
  return () => {
    process.stdin.off("data", onData);
    process.stdin.pause();
    stty([saved]);
  };
}

/** Runs the migration to its end, watching the source's job; rejects with the migration's error. */
export async function watchMigration(c: Client, dom: RemoteNonnullDomain, o: WatchOptions): Promise<void> {
  let done = false;
  const abort = (): void => void c.domainAbortJob({ dom }).catch(() => undefined);
  // virshCatchInt: caught, and only noted.
  const ignore = (): void => undefined;
  process.on("SIGINT", ignore);
  let restoreTerminal: () => void = () => undefined;
  const timer =
    o.timeout > 0
      ? setTimeout(() => {
          // What the timeout does is only told in virsh's debug output, success or not.
          const act = o.action === "suspend" ? c.domainSuspend({ dom }) : c.domainMigrateStartPostCopy({ dom, flags: 0 });
          void act.catch(() => undefined);
        }, o.timeout * 1000)
      : null;
  const poll = (async () => {
    let started = false;
    while (!done) {
      await new Promise((r) => setTimeout(r, 500));
      if (done) return;
      const info = await c.domainGetJobInfo({ dom }).catch(() => null);
      if (done || info === null) continue;
      if (o.verbose && info.dataTotal > 0n) process.stderr.write(progressLine(info.dataRemaining, info.dataTotal));
      if (!started && (info.type === VIR_DOMAIN_JOB_BOUNDED || info.type === VIR_DOMAIN_JOB_UNBOUNDED)) {
        started = true;
        if (process.stdin.isTTY) restoreTerminal = interruptByKey(abort);
        // Without --verbose virsh stops asking once the job runs.
        if (!o.verbose) return;
      }
    }
  })();
  try {
    await o.job;
    if (o.verbose) process.stderr.write(progressLine(0n, 1n));
  } finally {
    done = true;
    if (timer !== null) clearTimeout(timer);
    await poll;
    restoreTerminal();
    process.off("SIGINT", ignore);
  }
}
