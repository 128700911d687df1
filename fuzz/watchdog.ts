/**
 * A worker that watches the fuzz loop's heartbeat. A decoder stuck in a
 * loop never returns to let the loop report it, so this thread prints the
 * input being run and ends the process.
 *
 * Shared layout: Int32 words [heartbeat, target index, input length], then
 * the input bytes from byte 16.
 */
import { writeSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";

export const WATCH_HEADER = 16;

interface WatchData {
  shared: SharedArrayBuffer;
  labels: string[];
  hangMs: number;
}

if (parentPort !== null) {
  const { shared, labels, hangMs } = workerData as WatchData;
  const words = new Int32Array(shared, 0, 3);
  let last = Atomics.load(words, 0);
  let since = Date.now();
  setInterval(() => {
    const beat = Atomics.load(words, 0);
    if (beat !== last) {
      last = beat;
      since = Date.now();
      return;
    }
    if (Date.now() - since < hangMs) return;
    const n = Atomics.load(words, 2);
    const input = Buffer.from(new Uint8Array(shared, WATCH_HEADER, Math.min(n, shared.byteLength - WATCH_HEADER)));
    const target = labels[Atomics.load(words, 1)] ?? "?";
    const cut = input.length < n ? ` (first ${input.length})` : "";
    writeSync(2, `\nFINDING hang: target ${target} has not returned for ${hangMs} ms\n  input (${n} bytes${cut}): ${input.toString("hex")}\n`);
    // process.exit here would end only this thread.
    process.kill(process.pid, "SIGKILL");
  }, 500);
}
