// `npm run bench:cold-start`: how long a fresh Node takes to import the
// library, beside `node -e 0` in the same run, plus where the time goes
// (the heaviest modules imported alone), and Python's `import libvirt`
// beside `python3 -c 0` as the peer. The root loads the client on the first
// connect(); importing `libvirt-remote/client` is that load, paid up front.
// Each case is a new process; rounds alternate between cases and the median
// wall time is reported, with the import's own share (the case minus its
// interpreter's empty start).
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dirname, "../..");
const ROUNDS = Number(process.env["ROUNDS"] ?? 15);

const PYTHON = "/usr/bin/python3"; // Debian's, which has python3-libvirt

/** A case: its name, the command line, and the case whose time is its start-up (its import's share is the difference). */
interface Case {
  name: string;
  argv: string[];
  base: number;
}

const node = (source: string): string[] => [process.execPath, "--input-type=module", "-e", source];
const alone = (file: string): string[] => node(`import ${JSON.stringify(join(root, "dist/src", file))};`);
const cases: Case[] = [
  { name: "node -e 0", argv: [process.execPath, "-e", "0"], base: 0 },
  { name: 'import { connect } from "libvirt-remote"', argv: node('import { connect } from "libvirt-remote";'), base: 0 },
  { name: 'import "libvirt-remote/client"', argv: node('import "libvirt-remote/client";'), base: 0 },
  { name: "  client/client.js alone", argv: alone("client/client.js"), base: 0 },
  { name: "  gen/remote_protocol.js alone", argv: alone("gen/remote_protocol.js"), base: 0 },
  { name: "  gen/friendly/index.js alone", argv: alone("gen/friendly/index.js"), base: 0 },
  { name: "  xdr/index.js alone", argv: alone("xdr/index.js"), base: 0 },
  { name: "python3 -c 0", argv: [PYTHON, "-c", "0"], base: 7 },
  { name: "python3 -c 'import libvirt'", argv: [PYTHON, "-c", "import libvirt"], base: 7 },
];

function once(argv: string[]): number {
  const start = process.hrtime.bigint();
  // cwd is the package root, so "libvirt-remote" resolves to this package (self-reference through "exports").
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: root, stdio: "inherit" });
  if (r.status !== 0) throw new Error(`failed: ${argv.join(" ")}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const times = cases.map((): number[] => []);
for (let r = 0; r < ROUNDS + 1; r++) {
  cases.forEach(({ argv }, i) => {
    const t = once(argv);
    if (r > 0) times[i]!.push(t); // the first round warms the file cache
  });
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const medians = times.map(median);
process.stdout.write(`cold start, median of ${ROUNDS} fresh processes each (Node ${process.version})\n`);
cases.forEach(({ name, base }, i) => {
  const extra = base === i ? "" : `  import: ${(medians[i]! - medians[base]!).toFixed(1)} ms`;
  process.stdout.write(`  ${name.padEnd(44)} ${medians[i]!.toFixed(1).padStart(6)} ms${extra}\n`);
});
