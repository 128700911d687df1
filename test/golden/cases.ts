import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { generate } from "../../codegen/generate.js";
import { externValues } from "../../protocol/externs.js";

export const GOLDEN_DIR = new URL(".", import.meta.url).pathname;

/** Extra externs the golden inputs use, beside libvirt's real ones. */
const TEST_EXTERNS = { TEST_EXTERN_LEN: 6 };

/**
 * Each case folder holds its input and the checked-in `expected/` output:
 * either `input.x`, one module named after the case, or several `.x` files
 * generated together, one module each (named after the file).
 */
export function goldenCases(): string[] {
  return readdirSync(GOLDEN_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && caseInputs(d.name).length > 0)
    .map((d) => d.name)
    .sort();
}

function caseInputs(name: string): string[] {
  const dir = join(GOLDEN_DIR, name);
  if (existsSync(join(dir, "input.x"))) return ["input.x"];
  return readdirSync(dir).filter((f) => f.endsWith(".x")).sort();
}

export function generateCase(name: string): Map<string, string> {
  const files = caseInputs(name).map((f) => ({
    path: f === "input.x" ? `${name}.x` : f,
    text: readFileSync(join(GOLDEN_DIR, name, f), "utf8"),
  }));
  return generate(files, {
    externs: { ...externValues(), ...TEST_EXTERNS },
    runtime: "../../../../src/xdr/index.js",
  });
}
