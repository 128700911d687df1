import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Writes generated files into `out`, removing `.ts` files there that are no
 * longer generated; with `check`, writes nothing and returns the files that
 * differ (or are stale) instead. Returns the paths written otherwise.
 */
export async function writeOrCheck(out: string, files: ReadonlyMap<string, string>, check: boolean): Promise<string[]> {
  const present = existsSync(out) ? (await readdir(out)).filter((f) => f.endsWith(".ts")) : [];
  if (check) {
    const drift: string[] = [];
    for (const [name, text] of files) {
      const have = existsSync(join(out, name)) ? await readFile(join(out, name), "utf8") : null;
      if (have !== text) drift.push(join(out, name));
    }
    for (const name of present) if (!files.has(name)) drift.push(`${join(out, name)} (not generated)`);
    return drift;
  }
  await mkdir(out, { recursive: true });
  for (const name of present) if (!files.has(name)) await rm(join(out, name));
  for (const [name, text] of files) await writeFile(join(out, name), text);
  return [...files.keys()].map((n) => join(out, n));
}
