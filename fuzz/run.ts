/**
 * Corpus-driven mutation fuzzer for everything that reads peer bytes:
 * every generated decoder (through `decode`), the frame decoder (a stream
 * of mutated frames cut at random places) and decodeInbound plus the body
 * decoder its header selects.
 *
 *   node dist/fuzz/run.js --seconds N [--seed S] [--out DIR]
 *   node dist/fuzz/run.js --replay FILE      (a finding saved by a run)
 *
 * Per input: only typed errors, at most 100 ms (after warm-up, confirmed by
 * re-running), RSS sampled against 256 MB. Findings are printed with their
 * input in hex and saved as JSON under fuzz/findings/ (keep that folder out
 * of git). Exit 1 on any finding.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { repoRoot } from "../protocol/fetch.js";
import type { Codec } from "../src/xdr/index.js";
import { seededRng, type Rng } from "../test/oracle/values.js";
import { describeError, runFrames, runInbound, runValue, type Outcome } from "./check.js";
import { capturedFrames, fixLength, frameCorpus, valueCorpus, type FrameEntry, type ValueEntry } from "./corpus.js";
import { mutateAll, randomMutations, repeatElement, resize } from "./mutate.js";
import { marksOf } from "./record.js";
import { codecs, fuzzTypes, loadModel, type FuzzType } from "./targets.js";
import { WATCH_HEADER } from "./watchdog.js";

const SLOW_MS = 100;
/** Runs slower than this are timed again, so the maximum reported is the input's and not a pause's. */
const RETIME_MS = 2;
const RSS_LIMIT = 256 * 1024 * 1024;
const WARMUP_MS = 3000;
const MAX_FINDINGS = 25;
/** Inputs bigger than this are not run (none of the operators make them from this corpus). */
const MAX_INPUT = 1 << 20;
/** Entries bred during the run, at most: beyond, a new one replaces an old one. */
const MAX_BRED = 10_000;
/** Bigger inputs are run but not bred from: grown inputs would fill memory. */
const MAX_BRED_SIZE = 4 * 1024;
/** The boundary sweep grows arrays up to this many bytes (the mutations stop at GROW_LIMIT). */
const SWEEP_LIMIT = 4 * 1024 * 1024;

interface Args {
  seconds: number;
  seed: number;
  out: string;
  replay: string | null;
  hangMs: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { seconds: 60, seed: Date.now() % 0x7fffffff, out: join(repoRoot(), "fuzz/findings"), replay: null, hangMs: 10_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--seconds") args.seconds = Number(next());
    else if (a === "--seed") args.seed = Number(next());
    else if (a === "--out") args.out = next();
    else if (a === "--replay") args.replay = next();
    else if (a === "--hang-seconds") args.hangMs = Number(next()) * 1000;
    else throw new Error(`unknown argument ${a}; usage: run.js --seconds N [--seed S] [--out DIR] | --replay FILE`);
  }
  if (!(args.seconds > 0) || !Number.isInteger(args.seed)) throw new Error("--seconds must be positive and --seed an integer");
  return args;
}

/** What is needed to run one input again. */
interface Case {
  target: "value" | "inbound" | "frames";
  /** For value: the `.x` type name. */
  type?: string;
  /** For frames: where the stream was cut. */
  cuts?: number[];
  input: Uint8Array;
}

function execute(c: Case): Outcome {
  switch (c.target) {
    case "value":
      return runValue(codecs[c.type!]!, c.input);
    case "inbound":
      return runInbound(c.input);
    case "frames":
      return runFrames(c.input, c.cuts ?? []);
  }
}

function label(c: Case): string {
  return c.target === "value" ? `value ${c.type}` : c.target;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;

function replay(file: string): number {
  const saved = JSON.parse(readFileSync(file, "utf8")) as { target: Case["target"]; type?: string; cuts?: number[]; input: string };
  const c: Case = { target: saved.target, input: Uint8Array.from(Buffer.from(saved.input, "hex")) };
  if (saved.type !== undefined) c.type = saved.type;
  if (saved.cuts !== undefined) c.cuts = saved.cuts;
  const t0 = performance.now();
  const o = execute(c);
  const ms = performance.now() - t0;
  console.log(`${label(c)}: ${o.kind}${o.kind === "finding" ? `: ${o.problem}` : o.kind === "rejected" ? ` (${o.sig})` : ""} in ${ms.toFixed(2)} ms`);
  if (o.kind === "finding" && o.error instanceof Error) console.log(o.error.stack);
  return o.kind === "finding" ? 1 : 0;
}

class Findings {
  readonly seen = new Set<string>();
  count = 0;

  constructor(private readonly dir: string) {}

  report(c: Case, problem: string, error?: unknown): void {
    // One report per kind of problem and target: the same bug tends to recur.
    const key = `${label(c)}|${problem.replace(/[0-9a-f]{8,}/g, "#").replace(/\d+/g, "#").slice(0, 160)}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.count++;
    const stack = error instanceof Error ? error.stack : undefined;
    mkdirSync(this.dir, { recursive: true });
    const file = join(this.dir, `${Date.now()}-${this.count}.json`);
    const saved = { target: c.target, type: c.type, cuts: c.cuts, problem, input: hex(c.input), stack };
    writeFileSync(file, `${JSON.stringify(saved, null, 2)}\n`);
    console.log(`\nFINDING ${this.count}: ${label(c)}${c.cuts === undefined ? "" : ` cut at [${c.cuts.join(", ")}]`}`);
    console.log(`  problem: ${problem}`);
    console.log(`  input (${c.input.length} bytes): ${hex(c.input)}`);
    if (stack !== undefined) console.log(`  ${stack.split("\n").slice(0, 6).join("\n  ")}`);
    console.log(`  saved: ${file}`);
  }
}

/** Shares the current input with the watchdog thread. */
class Heartbeat {
  private readonly words: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly worker: Worker;

  constructor(labels: string[], hangMs: number) {
    const shared = new SharedArrayBuffer(WATCH_HEADER + SWEEP_LIMIT + 64 * 1024);
    this.words = new Int32Array(shared, 0, 3);
    this.bytes = new Uint8Array(shared, WATCH_HEADER);
    this.worker = new Worker(new URL("./watchdog.js", import.meta.url), { workerData: { shared, labels, hangMs } });
    this.worker.unref();
  }

  beat(target: number, input: Uint8Array): void {
    // Only what fits is kept; the watchdog says how much that was.
    this.bytes.set(input.length <= this.bytes.length ? input : input.subarray(0, this.bytes.length));
    this.words[1] = target;
    this.words[2] = input.length;
    Atomics.add(this.words, 0, 1);
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * The bytes of the first element of the array whose count is at `at`,
 * found by trying lengths until one more copy of them still decodes.
 */
function firstElement(codec: Codec<unknown>, bytes: Uint8Array, at: number): Uint8Array | null {
  const old = new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0);
  if (old === 0) return null;
  for (let len = 4; len <= 4096 && at + 4 + len <= bytes.length; len += 4) {
    const element = bytes.subarray(at + 4, at + 4 + len);
    if (runValue(codec, repeatElement(bytes, at, old + 1, element)).kind === "ok") return element;
  }
  return null;
}

/** In its own function so the model (tens of MB) is garbage once the corpus is built. */
function buildCorpus(seed: number): { types: FuzzType[]; values: ValueEntry[]; frames: FrameEntry[] } {
  const model = loadModel();
  const types = fuzzTypes(model);
  return { types, values: valueCorpus(model, types, { seed }), frames: [...frameCorpus(model, types, { seed }), ...capturedFrames()] };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.replay !== null) return replay(args.replay);

  const setupStart = performance.now();
  const { types, values, frames } = buildCorpus(args.seed);
  const byType = new Map<string, ValueEntry[]>();
  for (const e of values) {
    let list = byType.get(e.type.name);
    if (list === undefined) byType.set(e.type.name, (list = []));
    list.push(e);
  }
  const initial = values.length + frames.length;
  console.log(
    `fuzz: seed ${args.seed}, ${types.length} types, corpus ${values.length} encodings + ${frames.length} frames ` +
      `(built in ${((performance.now() - setupStart) / 1000).toFixed(1)} s, RSS ${mb(process.memoryUsage.rss())}), ${args.seconds} s`,
  );

  const findings = new Findings(args.out);
  // The corpus must be valid: a refused seed is a bug in a codec (or in the corpus).
  for (const e of values) {
    const o = runValue(e.type.codec, e.bytes);
    if (o.kind !== "ok") findings.report({ target: "value", type: e.type.name, input: e.bytes }, `valid encoding: ${o.kind === "finding" ? o.problem : o.sig}`);
  }
  for (const f of frames) {
    const o = runInbound(f.bytes.subarray(4));
    if (o.kind !== "ok") findings.report({ target: "inbound", input: f.bytes.subarray(4) }, `valid frame ${f.label}: ${o.kind === "finding" ? o.problem : o.sig}`);
  }

  const labels = ["inbound", "frames", ...types.map((t) => t.name)];
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const heart = new Heartbeat(labels, args.hangMs);

  const rng: Rng = seededRng(args.seed);
  const sigs = new Set<string>();
  const execs = { value: 0, inbound: 0, frames: 0 };
  const rejected = new Map<string, number>();
  let maxMs = 0;
  let maxRawMs = 0;
  let maxLabel = "";
  let slowest: Case | null = null;
  let peakRss = process.memoryUsage.rss();
  let total = 0;
  let skipped = 0;

  const started = performance.now();
  const deadline = started + args.seconds * 1000;
  const warmEnd = started + Math.min(WARMUP_MS, (args.seconds * 1000) / 10);
  const progressEvery = Math.max(10_000, (args.seconds * 1000) / 10);
  let nextProgress = started + progressEvery;
  let now = started;

  const pickValue = (): { c: Case; parent: ValueEntry } => {
    const parent = rng.pick(values);
    const same = byType.get(parent.type.name)!;
    const others = same.length > 1 && rng.chance(0.7) ? same : values;
    const input = mutateAll(parent.bytes, randomMutations(rng, { marks: parent.marks, others }), { marks: parent.marks, others });
    return { c: { target: "value", type: parent.type.name, input }, parent };
  };

  const pickInbound = (): { c: Case; parent: FrameEntry } => {
    const parent = rng.pick(frames);
    const ctx = { marks: parent.marks, others: frames };
    const whole = mutateAll(parent.bytes, randomMutations(rng, ctx), ctx);
    // What the frame decoder hands over: the frame without its length word.
    return { c: { target: "inbound", input: whole.subarray(Math.min(4, whole.length)) }, parent };
  };

  const pickFrames = (): Case => {
    const parts: Uint8Array[] = [];
    const k = rng.between(1, 4);
    for (let i = 0; i < k; i++) {
      const f = rng.pick(frames);
      const ctx = { marks: f.marks, others: frames };
      let b = rng.chance(0.5) ? mutateAll(f.bytes, randomMutations(rng, ctx, 3), ctx) : f.bytes;
      if (rng.chance(0.75)) b = fixLength(b);
      parts.push(b);
    }
    if (rng.chance(0.2)) parts.push(rng.bytes(rng.below(8)));
    const input = Buffer.concat(parts);
    const cuts: number[] = [];
    const nCuts = rng.below(9);
    for (let i = 0; i < nCuts; i++) cuts.push(rng.below(input.length + 1));
    return { target: "frames", cuts, input: new Uint8Array(input.buffer, input.byteOffset, input.length) };
  };

  const firstBredValue = values.length;
  const firstBredFrame = frames.length;
  // Bred entries go at the end of the lists; past the cap a random bred one gives way.
  const breedValue = (parent: ValueEntry, bytes: Uint8Array): void => {
    if (bytes.length > MAX_BRED_SIZE) return;
    const e: ValueEntry = { type: parent.type, bytes, marks: marksOf(parent.type.codec, bytes) };
    byType.get(e.type.name)!.push(e);
    if (values.length - firstBredValue < MAX_BRED) {
      values.push(e);
      return;
    }
    const at = firstBredValue + rng.below(MAX_BRED);
    const old = values[at]!;
    values[at] = e;
    const theirs = byType.get(old.type.name)!;
    theirs.splice(theirs.indexOf(old), 1);
  };
  const breedFrame = (parent: FrameEntry, frame: Uint8Array): void => {
    if (frame.length > MAX_BRED_SIZE) return;
    const bytes = new Uint8Array(frame.length + 4);
    bytes.set(frame, 4);
    const e: FrameEntry = { label: `${parent.label} (mutant)`, bytes: fixLength(bytes), marks: parent.marks };
    if (frames.length - firstBredFrame < MAX_BRED) frames.push(e);
    else frames[firstBredFrame + rng.below(MAX_BRED)] = e;
  };

  loop: while (now < deadline) {
    for (let batch = 0; batch < 512; batch++) {
      const r = rng.below(100);
      let c: Case;
      let parentValue: ValueEntry | null = null;
      let parentFrame: FrameEntry | null = null;
      if (r < 60) ({ c, parent: parentValue } = pickValue());
      else if (r < 85) ({ c, parent: parentFrame } = pickInbound());
      else c = pickFrames();
      if (c.input.length > MAX_INPUT) {
        skipped++;
        continue;
      }
      heart.beat(labelIndex.get(c.target === "value" ? c.type! : c.target)!, c.input);
      const t0 = performance.now();
      const o = execute(c);
      let ms = performance.now() - t0;
      total++;
      execs[c.target]++;
      if (ms > maxRawMs) maxRawMs = ms;
      if (ms > RETIME_MS && t0 > warmEnd) {
        // A GC pause or a busy machine can stall one run: the best of four is the input's time.
        for (let i = 0; i < 3; i++) {
          const t1 = performance.now();
          execute(c);
          ms = Math.min(ms, performance.now() - t1);
        }
        if (ms > SLOW_MS) findings.report(c, `slow input: ${ms.toFixed(1)} ms (best of 4)`);
      }
      if (t0 > warmEnd && ms > maxMs) {
        maxMs = ms;
        maxLabel = label(c);
        slowest = c;
      }
      if (o.kind === "finding") {
        findings.report(c, o.problem, o.error);
      } else if (o.kind === "rejected") {
        const sig = c.target === "value" ? o.sig : `${c.target} ${o.sig}`;
        const code = sig.slice(sig.lastIndexOf(" ") + 1);
        rejected.set(code, (rejected.get(code) ?? 0) + 1);
        // A new failure site: this input reached somewhere new, so breed from it.
        if (!sigs.has(sig)) {
          sigs.add(sig);
          if (parentValue !== null) breedValue(parentValue, c.input);
          else if (parentFrame !== null) breedFrame(parentFrame, c.input);
        }
      } else if (parentValue !== null && byType.get(parentValue.type.name)!.length < 12) {
        // Accepted mutants are new valid values: a few per type widen the corpus.
        breedValue(parentValue, c.input);
      }
      if (findings.count >= MAX_FINDINGS) break loop;
    }
    const rss = process.memoryUsage.rss();
    if (rss > peakRss) peakRss = rss;
    if (rss > RSS_LIMIT) {
      findings.report({ target: "value", type: "(process)", input: new Uint8Array() }, `RSS ${mb(rss)} is over ${mb(RSS_LIMIT)}`);
      break;
    }
    now = performance.now();
    if (now >= nextProgress) {
      nextProgress += progressEvery;
      const s = (now - started) / 1000;
      const m = process.memoryUsage();
      console.log(`  ${s.toFixed(0)} s: ${total} executions (${Math.round(total / s)}/s), ${findings.count} findings, RSS ${mb(rss)} (heap ${mb(m.heapUsed)} of ${mb(m.heapTotal)}, buffers ${mb(m.arrayBuffers)})`);
    }
  }

  const loopSecs = (performance.now() - started) / 1000;

  // Every array of every type at exactly its max count and one past, the
  // elements really there: the one place a count near its max is accepted.
  // Last, because decoding the biggest arrays grows the heap for good.
  const sweep = { inputs: 0, accepted: 0, maxMs: 0, label: "", bytes: 0 };
  const richest = new Map<string, ValueEntry>();
  // Seed entries only: bred ones may be broken elsewhere.
  for (const e of values.slice(0, firstBredValue)) if (e.marks.length > (richest.get(e.type.name)?.marks.length ?? -1)) richest.set(e.type.name, e);
  for (const e of richest.values()) {
    for (const c of e.marks.counts()) {
      if (c.max * c.unit > SWEEP_LIMIT) continue;
      // Zeros are the smallest element of most types; else repeat a real one.
      const zeros = runValue(e.type.codec, resize(e.bytes, c.at, c.max, c.unit, false)).kind === "ok";
      const element = zeros ? null : firstElement(e.type.codec, e.bytes, c.at);
      if (element !== null && c.max * element.length > SWEEP_LIMIT) continue;
      for (const want of [c.max, c.max + 1]) {
        const input = element === null ? resize(e.bytes, c.at, want, c.unit, false) : repeatElement(e.bytes, c.at, want, element);
        const sc: Case = { target: "value", type: e.type.name, input };
        heart.beat(labelIndex.get(e.type.name)!, sc.input);
        let ms = Infinity;
        let o: Outcome = { kind: "ok" };
        // Best of two: the first run of a big input also pays for compiling and heap growth.
        for (let i = 0; i < 2; i++) {
          const t0 = performance.now();
          o = execute(sc);
          ms = Math.min(ms, performance.now() - t0);
        }
        sweep.inputs++;
        if (o.kind === "ok" && want === c.max) sweep.accepted++;
        if (o.kind === "finding") findings.report(sc, o.problem, o.error);
        if (ms > SLOW_MS) findings.report(sc, `slow input: ${ms.toFixed(1)} ms (best of 2)`);
        if (ms > sweep.maxMs) Object.assign(sweep, { maxMs: ms, label: e.type.name, bytes: sc.input.length });
        const rss = process.memoryUsage.rss();
        if (rss > peakRss) peakRss = rss;
        if (rss > RSS_LIMIT) findings.report(sc, `RSS ${mb(rss)} is over ${mb(RSS_LIMIT)} after this input`);
      }
    }
  }
  const sweepRss = process.memoryUsage.rss();
  console.log(
    `boundary sweep: ${sweep.inputs} arrays at max and max+1 (${sweep.accepted} accepted at max), ` +
      `slowest ${sweep.maxMs.toFixed(2)} ms (${sweep.label}, ${sweep.bytes} bytes), RSS ${mb(sweepRss)}`,
  );

  await heart.stop();
  // Re-timed on its own, the slowest input says whether it was slow or merely paused.
  let slowestAgain = Infinity;
  if (slowest !== null) {
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      execute(slowest);
      slowestAgain = Math.min(slowestAgain, performance.now() - t0);
    }
  }

  let corpusBytes = 0;
  for (const e of [...values, ...frames]) corpusBytes += e.bytes.length;
  const codes = [...rejected].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(", ");
  console.log(`rejections by code: ${codes}`);
  console.log(
    `fuzz done: seed ${args.seed}, ${loopSecs.toFixed(1)} s, executions ${total} ` +
      `(decoders ${execs.value}, inbound ${execs.inbound}, frame streams ${execs.frames}${skipped > 0 ? `, ${skipped} oversized skipped` : ""}), ` +
      `${Math.round(total / loopSecs)} exec/s, findings ${findings.count}, ` +
      `max input time ${maxMs.toFixed(2)} ms (${maxLabel || "-"}, ${slowest?.input.length ?? 0} bytes; ${slowestAgain.toFixed(2)} ms timed again at the end; ` +
      `single run incl. warm-up and pauses ${maxRawMs.toFixed(2)} ms), boundary sweep slowest ${sweep.maxMs.toFixed(2)} ms, ` +
      `peak RSS ${mb(peakRss)}, corpus ${initial} -> ${values.length + frames.length} entries (${mb(corpusBytes)}), failure sites ${sigs.size}`,
  );
  return findings.count === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(describeError(e));
    if (e instanceof Error) console.error(e.stack);
    process.exit(2);
  },
);
