// `npm run gen` / `npm run gen:check`: the checked-in src/gen (the exact
// layer, the stream table, the friendly layer, the method interfaces) from
// the pinned libvirt's files (fetched by `npm run protocol:fetch`).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readManifest, repoRoot } from "../protocol/manifest.js";
import { report, runGen } from "./cli.js";

const root = repoRoot();
const { pinned } = readManifest(root);
const from = join(root, "protocol/upstream", pinned);
const check = process.argv.includes("--check");
if (!existsSync(from)) {
  process.stderr.write(`gen: ${from} is missing; run npm run protocol:fetch first\n`);
  process.exit(2);
}
const result = await runGen({ from, out: join(root, "src/gen"), runtime: "../xdr/index.js", all: false, check, library: { version: pinned } });
process.exitCode = report(result, check, {
  matches: `src/gen matches libvirt ${pinned}`,
  differs: `src/gen differs from the generator's output for libvirt ${pinned} (run npm run gen)`,
  wrote: `from libvirt ${pinned}`,
});
