// `npm run bench:cold-start`: how long a fresh Node takes to import the
// library, beside `node -e 0` in the same run, plus where the time goes
// (the heaviest modules imported alone). The root loads the client on the
// first connect(); importing `libvirt-remote/client` is that load, paid up
// front. Each case is a new process; rounds alternate between cases and the
// median wall time is reported, with the import's own share (the case minus
// `node -e 0`).
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dirname, "../..");
const ROUNDS = Number(process.env["ROUNDS"] ?? 15);

/** Cases: a name and the ES module source run with `--input-type=module -e`. */
const cases: [string, string][] = [
  ["node -e 0", ""],
  ['import { connect } from "libvirt-remote"', 'import { connect } from "libvirt-remote";'],
  ['import "libvirt-remote/client"', 'import "libvirt-remote/client";'],
  ["  client/client.js alone", `import ${JSON.stringify(join(root, "dist/src/client/client.js"))};`],
  ["  gen/remote_protocol.js alone", `import ${JSON.stringify(join(root, "dist/src/gen/remote_protocol.js"))};`],
  ["  gen/friendly/index.js alone", `import ${JSON.stringify(join(root, "dist/src/gen/friendly/index.js"))};`],
  ["  xdr/index.js alone", `import ${JSON.stringify(join(root, "dist/src/xdr/index.js"))};`],
];

function once(source: string): number {
  const start = process.hrtime.bigint();
  // cwd is the package root, so "libvirt-remote" resolves to this package (self-reference through "exports").
  const r = spawnSync(process.execPath, source === "" ? ["-e", "0"] : ["--input-type=module", "-e", source], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) throw new Error(`failed: ${source}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const times = cases.map((): number[] => []);
for (let r = 0; r < ROUNDS + 1; r++) {
  cases.forEach(([, source], i) => {
    const t = once(source);
    if (r > 0) times[i]!.push(t); // the first round warms the file cache
  });
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base = median(times[0]!);
process.stdout.write(`cold start, median of ${ROUNDS} fresh processes each (Node ${process.version})\n`);
cases.forEach(([name], i) => {
  const m = median(times[i]!);
  const extra = i === 0 ? "" : `  import: ${(m - base).toFixed(1)} ms`;
  process.stdout.write(`  ${name.padEnd(44)} ${m.toFixed(1).padStart(6)} ms${extra}\n`);
});
