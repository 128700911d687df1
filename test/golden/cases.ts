import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { generate } from "../../codegen/generate.js";
import { externValues } from "../../protocol/externs.js";

export const GOLDEN_DIR = new URL(".", import.meta.url).pathname;

/** Extra externs the golden inputs use, beside libvirt's real ones. */
const TEST_EXTERNS = { TEST_EXTERN_LEN: 6 };

/** Each case folder holds `input.x` and the checked-in `expected/` output. */
export function goldenCases(): string[] {
  return readdirSync(GOLDEN_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(GOLDEN_DIR, d.name, "input.x")))
    .map((d) => d.name)
    .sort();
}

export function generateCase(name: string): Map<string, string> {
  const text = readFileSync(join(GOLDEN_DIR, name, "input.x"), "utf8");
  return generate([{ path: `${name}.x`, text }], {
    externs: { ...externValues(), ...TEST_EXTERNS },
    runtime: "../../../../src/xdr/index.js",
  });
}
