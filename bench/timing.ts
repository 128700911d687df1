// Timing harness shared by the JS implementations. The C peer (cpeer.ts)
// follows the same scheme in C so all numbers mean the same thing:
// warm up for `warmupMs`, size one round to about `roundMs` from the warm-up
// rate, run `rounds` rounds, report the median ns/op.

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export interface TimingOptions {
  warmupMs: number;
  roundMs: number;
  rounds: number;
}

export interface Timing {
  /** Median over the rounds. */
  nsPerOp: number;
  /** ns/op of every round, in run order. */
  rounds: number[];
  iterationsPerRound: number;
}

// A full GC before each measurement so one implementation's garbage is not
// collected on another's clock. The script runs as `node dist/bench/codec.js`,
// so expose gc from inside rather than asking for a flag.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const nowNs = (): number => Number(process.hrtime.bigint());

export function time(op: () => void, o: TimingOptions): Timing {
  gc();
  let n = 0;
  const t0 = nowNs();
  let elapsed = 0;
  do {
    op();
    n++;
    elapsed = nowNs() - t0;
  } while (elapsed < o.warmupMs * 1e6);
  const iterationsPerRound = Math.max(1, Math.round((o.roundMs * 1e6) / (elapsed / n)));
  const rounds: number[] = [];
  for (let k = 0; k < o.rounds; k++) {
    const start = nowNs();
    for (let i = 0; i < iterationsPerRound; i++) op();
    rounds.push((nowNs() - start) / iterationsPerRound);
  }
  return { nsPerOp: median(rounds), rounds, iterationsPerRound };
}
