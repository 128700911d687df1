// Summarises a V8 .cpuprofile (from `node --cpu-prof`) by self time, so the
// bench can say which functions dominate without opening DevTools.
//
//   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/codec.js --impl=ours --msg=graphics
//   node dist/bench/profile.js /tmp/prof/*.cpuprofile [--top=25]
//
// TurboFan charges an inlined callee's samples to its caller, and reports the
// callee's line numbers under the caller's script. For a per-function and
// per-line split, profile a second run with `node --no-turbo-inlining ...`
// (slower overall, but every function keeps its own frame).

import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
  /** Samples per source line (1-based) of this node's own code. */
  positionTicks?: { line: number; ticks: number }[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const root = fileURLToPath(new URL("../..", import.meta.url));

function where(f: CallFrame): string {
  if (f.url === "") return "";
  const path = f.url.startsWith("file://") ? fileURLToPath(f.url) : f.url;
  const rel = path.startsWith(root) ? path.slice(root.length) : path;
  return `${rel.replace(/^.*node_modules\//, "")}:${f.lineNumber + 1}`;
}

/** Which part of the stack a frame belongs to, for the coarse breakdown. */
function area(f: CallFrame): string {
  const u = f.url;
  if (f.functionName === "(garbage collector)") return "GC";
  if (f.functionName === "(program)" || f.functionName === "(idle)" || f.functionName === "(root)") return "V8 other";
  if (u.includes("/src/gen/")) return "generated codecs (src/gen)";
  if (u.includes("/src/xdr/")) return "runtime (src/xdr)";
  if (u.includes("@stellar/js-xdr")) return "js-xdr";
  if (u.includes("/bench/")) return "bench harness";
  if (u === "" ) return "native/builtins";
  return "node internals";
}

// dist/ is rebuilt often; map hot lines back to the .ts that produced them.
const maps = new Map<string, SourceMap | null>();
function sourceMap(path: string): SourceMap | null {
  if (!maps.has(path)) {
    const file = `${path}.map`;
    maps.set(path, existsSync(file) ? new SourceMap(JSON.parse(readFileSync(file, "utf8")) as ConstructorParameters<typeof SourceMap>[0]) : null);
  }
  return maps.get(path)!;
}

const sources = new Map<string, string[]>();
function sourceLine(path: string, line: number): string {
  if (!sources.has(path)) sources.set(path, existsSync(path) ? readFileSync(path, "utf8").split("\n") : []);
  return (sources.get(path)![line - 1] ?? "").trim();
}

/** `file.ts:line  text` for a 1-based line of a compiled file. */
function tsLine(url: string, line: number): string {
  if (!url.startsWith("file://")) return `${url}:${line}`;
  const js = fileURLToPath(url);
  const sm = sourceMap(js);
  // The line's first mapped column is enough to find its .ts line.
  for (let col = 0; sm !== null && col < 200; col++) {
    const e = sm.findEntry(line - 1, col) as { originalSource?: string; originalLine?: number; generatedLine?: number };
    if (e.originalSource !== undefined && e.originalLine !== undefined && e.generatedLine === line - 1) {
      const ts = e.originalSource.startsWith("file://") ? fileURLToPath(e.originalSource) : resolve(dirname(js), e.originalSource);
      const rel = ts.startsWith(root) ? ts.slice(root.length) : ts;
      return `${rel}:${e.originalLine + 1}  ${sourceLine(ts, e.originalLine + 1)}`;
    }
  }
  const rel = js.startsWith(root) ? js.slice(root.length) : js;
  return `${rel}:${line}  ${sourceLine(js, line)}`;
}

function main(): void {
  const args = process.argv.slice(2);
  const top = Number(args.find((a) => a.startsWith("--top="))?.slice(6) ?? 25);
  const files = args.filter((a) => !a.startsWith("--"));
  if (files.length === 0) {
    console.error("usage: node dist/bench/profile.js FILE.cpuprofile [--top=25]");
    process.exit(2);
  }
  for (const file of files) {
    const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const self = new Map<number, number>();
    let total = 0;
    // timeDeltas[i] is the time before sample i; charge it to that sample's node.
    for (let i = 0; i < p.samples.length; i++) {
      const dt = p.timeDeltas[i] ?? 0;
      self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + dt);
      total += dt;
    }
    const fn = new Map<string, number>();
    const areas = new Map<string, number>();
    for (const [id, t] of self) {
      const f = byId.get(id)!.callFrame;
      const key = `${f.functionName || "(anonymous)"}  ${where(f)}`;
      fn.set(key, (fn.get(key) ?? 0) + t);
      areas.set(area(f), (areas.get(area(f)) ?? 0) + t);
    }
    const pct = (t: number): string => `${((t / total) * 100).toFixed(1).padStart(5)}%`;
    console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled\n\nself time by area:`);
    for (const [k, t] of [...areas].sort((a, b) => b[1] - a[1])) console.log(`  ${pct(t)}  ${k}`);
    console.log(`\ntop ${top} functions by self time:`);
    for (const [k, t] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(t)}  ${k}`);

    // Line-level ticks; only meaningful without inlining (see the top).
    const lines = new Map<string, number>();
    let ticks = 0;
    for (const n of p.nodes) {
      for (const t of n.positionTicks ?? []) {
        ticks += t.ticks;
        if (n.callFrame.url.includes("/node_modules/") || !n.callFrame.url.startsWith("file://")) continue;
        const k = tsLine(n.callFrame.url, t.line);
        lines.set(k, (lines.get(k) ?? 0) + t.ticks);
      }
    }
    if (ticks > 0) {
      console.log(`\ntop ${top} source lines (${ticks} samples; trust these only under --no-turbo-inlining):`);
      for (const [k, t] of [...lines].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct((t / ticks) * total)}  ${k}`);
    }
    console.log("");
  }
}

main();
