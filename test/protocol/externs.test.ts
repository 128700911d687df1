import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXTERNS } from "../../protocol/externs.js";
import { repoRoot } from "../../protocol/fetch.js";

/** Evaluates the simple forms libvirt's headers use: `(16)`, `(4096 + 1)`. */
function evaluate(expr: string): number {
  const m = /^\(?\s*(\d+)\s*(?:\+\s*(\d+))?\s*\)?$/.exec(expr.trim());
  if (m === null) throw new Error(`cannot evaluate ${expr}`);
  return Number(m[1]) + Number(m[2] ?? 0);
}

/** The value a header gives a name: `# define NAME expr` or `NAME = expr,` in an enum. */
function headerValue(text: string, name: string): number | undefined {
  const define = new RegExp(`#\\s*define\\s+${name}\\s+([^\\n/]+)`).exec(text);
  if (define !== null) return evaluate(define[1]!);
  const member = new RegExp(`\\b${name}\\s*=\\s*([^,\\n/]+)`).exec(text);
  return member === null ? undefined : evaluate(member[1]!);
}

describe.each(["9.0.0", "11.3.0"])("externs table against libvirt %s headers", (version) => {
  const tree = join(repoRoot(), "protocol/upstream", version);
  it.skipIf(!existsSync(tree))("every value equals the header's", () => {
    for (const [name, ext] of Object.entries(EXTERNS)) {
      const text = readFileSync(join(tree, ext.header), "utf8");
      expect(headerValue(text, name), `${name} in ${ext.header}`).toBe(ext.value);
    }
  });
});
