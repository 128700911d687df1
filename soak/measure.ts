// Process-level resource accounting shared by the soaks.

import { readdirSync, readlinkSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

// The soak runs as plain `node dist/soak/run.js`, so expose gc from inside.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

export type Counts = Record<string, number>;

export interface Snapshot {
  fds: number;
  /** Open fds by what they point at: socket, pipe, anon_inode:[eventfd], file... */
  fdKinds: Counts;
  /** process.getActiveResourcesInfo() by kind (ref'd handles, requests, timers). */
  handles: Counts;
}

export function countBy(items: readonly string[]): Counts {
  const out: Counts = {};
  for (const k of items) out[k] = (out[k] ?? 0) + 1;
  return out;
}

export function fdKinds(dir = "/proc/self/fd"): Counts {
  const kinds: string[] = [];
  for (const fd of readdirSync(dir)) {
    try {
      const target = readlinkSync(`${dir}/${fd}`);
      kinds.push(target.startsWith("/") ? "file" : target.replace(/:\[\d+\]$/, ""));
    } catch {
      // The fd readdir itself used is gone by now.
    }
  }
  return countBy(kinds);
}

export function snapshot(): Snapshot {
  return {
    fds: readdirSync("/proc/self/fd").length,
    fdKinds: fdKinds(),
    handles: countBy(process.getActiveResourcesInfo()),
  };
}

/** Another process's open fds (the daemon's), or null if not readable. */
export function fdCount(pid: number): number | null {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

export function sameCounts(a: Counts, b: Counts): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if ((a[k] ?? 0) !== (b[k] ?? 0)) return false;
  return true;
}

export function formatCounts(c: Counts): string {
  const keys = Object.keys(c).sort();
  return keys.length === 0 ? "{}" : `{${keys.map((k) => `${k}:${c[k]}`).join(",")}}`;
}

export interface Heap {
  used: number;
  /** Of which compiled code: V8 keeps optimizing well after warm-up, and that is not a leak. */
  code: number;
}

/**
 * heapUsed after full GCs, with turns of the event loop in between so
 * finalizers and close callbacks that free more can run.
 */
export async function gcHeap(): Promise<Heap> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  gc();
  const code = getHeapSpaceStatistics()
    .filter((s) => s.space_name.startsWith("code_"))
    .reduce((sum, s) => sum + s.space_used_size, 0);
  return { used: process.memoryUsage().heapUsed, code };
}

/**
 * Polls until fds and handles match `base` or `ms` pass: sockets close a
 * few event-loop turns after destroy(), so compare only once settled.
 */
export async function settle(base: Snapshot, ms: number): Promise<{ snap: Snapshot; waited: number }> {
  const t0 = Date.now();
  for (;;) {
    await sleep(20);
    const snap = snapshot();
    const waited = Date.now() - t0;
    if ((snap.fds === base.fds && sameCounts(snap.handles, base.handles)) || waited >= ms) return { snap, waited };
  }
}

export const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(2)} MiB`;
