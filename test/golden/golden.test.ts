import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GOLDEN_DIR, generateCase, goldenCases } from "./cases.js";

// UPDATE_GOLDEN=1 npx vitest run test/golden rewrites the expected output.
const update = process.env.UPDATE_GOLDEN === "1";

describe("golden codegen cases", () => {
  it("has cases", () => {
    expect(goldenCases()).toEqual(expect.arrayContaining(["constructs", "crossmodule", "graphics"]));
  });

  for (const name of goldenCases()) {
    it(`${name}: output equals the checked-in expected/`, () => {
      const out = generateCase(name);
      const dir = join(GOLDEN_DIR, name, "expected");
      if (update) {
        mkdirSync(dir, { recursive: true });
        for (const [file, text] of out) writeFileSync(join(dir, file), text);
      }
      expect(existsSync(dir)).toBe(true);
      expect(readdirSync(dir).sort()).toEqual([...out.keys()].sort());
      for (const [file, text] of out) expect(readFileSync(join(dir, file), "utf8"), file).toBe(text);
    });
  }
});
