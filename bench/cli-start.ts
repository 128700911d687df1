// Cold start of the command line: `node -e 0` (Node alone), our one-shot
// `version` and `call`, and `virsh version`, against the same throwaway
// daemon, interleaved round by round so that a busy moment of the machine
// falls on all of them alike. Then where our time goes: the imports of a
// one-shot command, each measured in a fresh process.

import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../protocol/fetch.js";
import { startDaemon } from "../src/testing/daemon.js";
import { median } from "./timing.js";

const run = promisify(execFile);
const ROUNDS = Number(process.env["ROUNDS"] ?? 30);

async function wall(cmd: string, args: string[]): Promise<number> {
  const t0 = process.hrtime.bigint();
  await run(cmd, args);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))]!;
}

const cli = join(repoRoot(), "dist/src/cli/main.js");
const daemon = await startDaemon();
try {
  const uri = daemon.uris.testUnix;
  const cases: [string, string, string[]][] = [
    ["node -e 0", "node", ["-e", "0"]],
    ["libvirt-remote version", "node", [cli, "-c", uri, "version"]],
    ["libvirt-remote call connectGetLibVersion", "node", [cli, "-c", uri, "call", "connectGetLibVersion"]],
    ["libvirt-remote --version (no connection)", "node", [cli, "--version"]],
    ["virsh version", "virsh", ["-c", uri, "version"]],
  ];
  const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  for (const [, cmd, args] of cases) await wall(cmd, args); // warm the page cache
  for (let r = 0; r < ROUNDS; r++) for (const [name, cmd, args] of cases) times.get(name)!.push(await wall(cmd, args));
  console.log(`cold start over ${ROUNDS} rounds (ms, wall clock of the whole process), Unix socket to a throwaway libvirtd`);
  console.log(`${"command".padEnd(44)} ${"median".padStart(8)} ${"p90".padStart(8)}`);
  for (const [name, xs] of times) console.log(`${name.padEnd(44)} ${median(xs).toFixed(1).padStart(8)} ${pct(xs, 90).toFixed(1).padStart(8)}`);

  // Where it goes: each module of a one-shot command imported alone in a fresh process (median of 9).
  const modules = ["src/cli/main.js --version", "src/gen/remote_protocol.js", "src/gen/qemu_protocol.js", "src/gen/lxc_protocol.js", "src/client/client.js", "src/cli/call.js"];
  console.log("\nimport cost in a fresh process, beyond `node -e 0` (ms, median of 9)");
  const base = median(await Promise.all([...Array(9)].map(() => 0)).then(async () => {
    const xs: number[] = [];
    for (let i = 0; i < 9; i++) xs.push(await wall("node", ["-e", "0"]));
    return xs;
  }));
  for (const m of modules) {
    const [file, ...rest] = m.split(" ");
    const xs: number[] = [];
    for (let i = 0; i < 9; i++) {
      xs.push(rest.length > 0 ? await wall("node", [join(repoRoot(), "dist", file!), ...rest]) : await wall("node", ["--input-type=module", "-e", `await import(${JSON.stringify(join(repoRoot(), "dist", file!))})`]));
    }
    console.log(`${m.padEnd(44)} ${(median(xs) - base).toFixed(1).padStart(8)}`);
  }
} finally {
  await daemon.stop();
}
