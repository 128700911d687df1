// Soak tests, too slow for `npm test`: `npm run soak -- [--idle-seconds N] [--cycles N] [--chaos-seconds N] [--only idle|cycles|chaos]`.
// Starts its own throwaway libvirtd with libvirt's default keepalive (5 s, 5),
// prints one result line per soak, exits non-zero if either fails.

import { parseArgs } from "node:util";
import { startDaemon, type ThrowawayDaemon } from "../src/testing/daemon.js";
import { chaosSoak } from "./chaos.js";
import { cycleSoak } from "./cycles.js";
import { idleSoak, type SoakResult } from "./idle.js";

const USAGE = "usage: node dist/soak/run.js [--idle-seconds N] [--cycles N] [--warmup N] [--chaos-seconds N] [--only idle|cycles|chaos]";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      "idle-seconds": { type: "string", default: "600" },
      cycles: { type: "string", default: "10000" },
      // Shorter warm-ups leave V8 still compiling, which alone shows as ~+5% heap.
      warmup: { type: "string", default: "1000" },
      "chaos-seconds": { type: "string", default: "3600" },
      only: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    return 0;
  }
  const num = (name: string, v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, not '${v}'\n${USAGE}`);
    return n;
  };
  const idleSeconds = num("idle-seconds", values["idle-seconds"]);
  const cycles = num("cycles", values.cycles);
  const warmup = num("warmup", values.warmup);
  const chaosSeconds = num("chaos-seconds", values["chaos-seconds"]);
  const only = values.only;
  if (only !== undefined && only !== "idle" && only !== "cycles" && only !== "chaos") throw new Error(USAGE);
  return run({ idleSeconds, cycles, warmup, chaosSeconds, only });
}

async function run(o: { idleSeconds: number; cycles: number; warmup: number; chaosSeconds: number; only: string | undefined }): Promise<number> {
  const log = (s: string): void => void process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${s}\n`);
  let daemon: ThrowawayDaemon | null = null;
  // Ctrl-C must not leave the daemon behind.
  const onSignal = (sig: NodeJS.Signals): void => {
    log(`${sig}: stopping the daemon`);
    void (daemon?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const results: SoakResult[] = [];
  try {
    daemon = await startDaemon(); // libvirt's keepalive defaults
    log(`daemon pid ${daemon.pid} on 127.0.0.1:${daemon.tcpPort} and ${daemon.socket}`);
    // One after the other: the cycles' load must not disturb the idle connections.
    if (o.only === undefined || o.only === "idle") {
      const r = await idleSoak(daemon, o.idleSeconds, log);
      results.push(r);
      console.log(r.line);
    }
    if (o.only === undefined || o.only === "cycles") {
      const r = await cycleSoak(daemon, { cycles: o.cycles, warmup: o.warmup, heapTolerance: 0.05 }, log);
      results.push(r);
      console.log(r.line);
    }
    // Last: it kills the daemon over and over.
    if (o.only === undefined || o.only === "chaos") {
      const r = await chaosSoak(daemon, { seconds: o.chaosSeconds, minGap: 5, maxGap: 30, heapTolerance: 0.1 }, log);
      results.push(r);
      console.log(r.line);
    }
  } finally {
    await daemon?.stop();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  return results.every((r) => r.ok) ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 2;
  },
);
