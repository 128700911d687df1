// The method interfaces (src/gen/api/), written or checked by `npm run gen` /
// `npm run gen:check` beside the exact layer's files.
import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { externValues } from "../protocol/externs.js";
import { readHeaders, readSources } from "./cli.js";
import { cFunctions, emitApis } from "./emit-api.js";
import { compile } from "./generate.js";

/** Generates into `out`; with `check`, returns the files that differ instead. */
export async function runApi(args: { from: string; out: string; check: boolean; version: string }): Promise<string[]> {
  const model = compile(readSources(args.from), externValues());
  const files = emitApis(model, cFunctions(readHeaders(args.from)), `the .x files and include/libvirt/*.h of libvirt ${args.version}`);
  const present = existsSync(args.out) ? (await readdir(args.out)).filter((f) => f.endsWith(".ts")) : [];
  if (args.check) {
    const drift: string[] = [];
    for (const [name, text] of files) {
      const have = existsSync(join(args.out, name)) ? await readFile(join(args.out, name), "utf8") : null;
      if (have !== text) drift.push(join(args.out, name));
    }
    for (const name of present) if (!files.has(name)) drift.push(`${join(args.out, name)} (not generated)`);
    return drift;
  }
  await mkdir(args.out, { recursive: true });
  for (const name of present) if (!files.has(name)) await rm(join(args.out, name));
  for (const [name, text] of files) await writeFile(join(args.out, name), text);
  return [...files.keys()].map((n) => join(args.out, n));
}
