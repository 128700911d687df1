import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { GeneratedFile } from "./generate.js";

export interface WriteResult {
  /** The files written; with `check`, none. */
  written: string[];
  /** With `check`: the files that differ, are missing or are no longer generated. */
  drift: string[];
}

/**
 * The one writer: puts every generated file under `out`, removing the `.ts`
 * files of each folder it writes to that are no longer generated; with
 * `check`, writes nothing and reports the drift instead.
 */
export async function writeOutputs(out: string, files: readonly GeneratedFile[], check: boolean): Promise<WriteResult> {
  const wanted = new Set(files.map((f) => f.path));
  const folders = [...new Set([".", ...files.map((f) => dirname(f.path))])];
  const stale: string[] = [];
  for (const folder of folders) {
    const dir = join(out, folder);
    if (!existsSync(dir)) continue;
    for (const name of await readdir(dir)) {
      const path = folder === "." ? name : `${folder}/${name}`;
      if (name.endsWith(".ts") && !wanted.has(path)) stale.push(join(out, path));
    }
  }
  if (check) {
    const drift: string[] = [];
    for (const f of files) {
      const path = join(out, f.path);
      const have = existsSync(path) ? await readFile(path, "utf8") : null;
      if (have !== f.text) drift.push(path);
    }
    return { written: [], drift: [...drift, ...stale.map((p) => `${p} (not generated)`)] };
  }
  for (const path of stale) await rm(path);
  for (const f of files) {
    const path = join(out, f.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, f.text);
  }
  return { written: files.map((f) => join(out, f.path)), drift: [] };
}
