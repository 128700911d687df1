// `npm run gen` / `npm run gen:check`: the checked-in src/gen from the
// pinned libvirt's .x files (fetched by `npm run protocol:fetch`).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../protocol/fetch.js";
import { runGen } from "./cli.js";
import { runFriendly } from "./friendly-run.js";
import { runApi } from "./api-run.js";

const root = repoRoot();
const { pinned } = JSON.parse(readFileSync(join(root, "protocol/libvirt.json"), "utf8")) as { pinned: string };
const from = join(root, "protocol/upstream", pinned);
const check = process.argv.includes("--check");
if (!existsSync(from)) {
  process.stderr.write(`gen: ${from} is missing; run npm run protocol:fetch first\n`);
  process.exit(2);
}
const out = join(root, "src/gen");
const files = [
  ...(await runGen({ from, out, runtime: "../xdr/index.js", all: false, check })),
  ...(await runFriendly({ from, out: join(out, "friendly"), check, version: pinned })),
  ...(await runApi({ from, out: join(out, "api"), check, version: pinned })),
];
if (check && files.length > 0) {
  process.stderr.write(`gen: src/gen differs from the generator's output for libvirt ${pinned} (run npm run gen):\n`);
  for (const f of files) process.stderr.write(`  ${f}\n`);
  process.exit(1);
}
process.stdout.write(check ? `gen: src/gen matches libvirt ${pinned}\n` : `gen: wrote ${files.length} files from libvirt ${pinned}\n`);
