// virshWatchJob: a long domain job (save, managedsave, dump) run while its
// progress is polled every half second; --verbose prints it on stderr as
// virsh does, and Ctrl-C aborts the job.

import type { Client } from "../../client/client.js";
import type { RemoteNonnullDomain } from "../../gen/remote_protocol.js";

/** virshPrintJobProgress's line. */
export function progressLine(label: string, remaining: bigint, total: bigint): string {
  let progress = 100;
  if (remaining !== 0n) {
    progress = Math.trunc(100.0 - (Number(remaining) * 100.0) / Number(total));
    if (progress >= 100) progress = 99;
  }
  return `\r${label}: [${String(progress).padStart(3)} %]`;
}

/** Runs the job to its end (its result or its error), watching it as virsh does. */
export async function watchJob<T>(c: Client, dom: RemoteNonnullDomain, label: string, verbose: boolean, job: Promise<T>): Promise<T> {
  let done = false;
  const abort = (): void => void c.domainAbortJob({ dom }).catch(() => undefined);
  process.on("SIGINT", abort);
  const poll = (async () => {
    while (!done) {
      await new Promise((r) => setTimeout(r, 500));
      if (done) return;
      const info = await c.domainGetJobInfo({ dom }).catch(() => null);
      if (!done && verbose && info !== null && info.dataTotal > 0n) process.stderr.write(progressLine(label, info.dataRemaining, info.dataTotal));
    }
  })();
  try {
    const result = await job;
    if (verbose) process.stderr.write(progressLine(label, 0n, 1n));
    return result;
  } finally {
    done = true;
    process.off("SIGINT", abort);
    await poll;
  }
}
