// Type tests: test/types/*.ts must fail to compile, with exactly the errors their
// `// error TSnnnn` comments name, line by line (a misspelt error code, a wrong
// flag constant, a missing argument). No error more, none fewer.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");
const file = "test/types/friendly.ts";

it("tsc rejects the misuses of test/types/friendly.ts, each where it is marked", async () => {
  const tsc = join(root, "node_modules/.bin/tsc");
  const flags = ["--ignoreConfig", "--noEmit", "--strict", "--exactOptionalPropertyTypes", "--noUncheckedIndexedAccess", "--module", "nodenext", "--target", "es2022", "--lib", "es2023", "--types", "node", "--skipLibCheck"];
  const out = await run(tsc, [...flags, file], { cwd: root, encoding: "utf8" }).then(
    () => "",
    (e: { stdout: string }) => e.stdout,
  );
  const got = [...out.matchAll(/^test\/types\/friendly\.ts\((\d+),\d+\): error (TS\d+)/gm)].map((m) => `${m[1]} ${m[2]}`);
  const want = readFileSync(join(root, file), "utf8")
    .split("\n")
    .flatMap((line, i) => {
      const m = /\/\/ error (TS\d+)$/.exec(line);
      return m === null ? [] : [`${i + 1} ${m[1]}`];
    });
  expect(want.length).toBe(8);
  expect(got).toEqual(want);
  // Nothing else failed (an error in another file would mean the test checks the wrong thing).
  expect(out.split("\n").filter((l) => /error TS/.test(l) && !l.startsWith(file))).toEqual([]);
});
