// `npm run gen` / `npm run gen:check`: the checked-in src/gen (the exact
// layer, the stream table, the friendly layer, the method interfaces) from
// the pinned libvirt's files (fetched by `npm run protocol:fetch`), and docs/names.md.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readManifest, repoRoot } from "../protocol/manifest.js";
import { report, runGen } from "./cli.js";
import type { PythonNames } from "./names.js";

const root = repoRoot();
const { pinned } = readManifest(root);
const from = join(root, "protocol/upstream", pinned);
const check = process.argv.includes("--check");
if (!existsSync(from)) {
  process.stderr.write(`gen: ${from} is missing; run npm run protocol:fetch first\n`);
  process.exit(2);
}
// libvirt-python's methods, read from the bindings by tools/python-names/extract.py: checked in, as facts, so gen needs no Python.
const python = JSON.parse(readFileSync(join(root, "codegen/python-names.json"), "utf8")) as PythonNames;
const library = { version: pinned, python };
const result = await runGen({ from, out: join(root, "src/gen"), docs: join(root, "docs"), runtime: "../xdr/index.js", all: false, check, library });
process.exitCode = report(result, check, {
  matches: `src/gen matches libvirt ${pinned}`,
  differs: `src/gen differs from the generator's output for libvirt ${pinned} (run npm run gen)`,
  wrote: `from libvirt ${pinned}`,
});
