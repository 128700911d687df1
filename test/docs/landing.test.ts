// The reference's landing page (docs/index.md, TypeDoc's readme): its first
// connection compiles against the library, strict, so a renamed method
// cannot leave the first thing a reader copies stale.
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");
const dir = join(root, "test/.generated/landing");

it("the landing page's TypeScript compiles against the library, strict", async () => {
  const page = readFileSync(join(root, "docs/index.md"), "utf8");
  const blocks = [...page.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  expect(blocks.length).toBeGreaterThanOrEqual(1);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = blocks.map((code, i) => {
    const file = join(dir, `landing-${i + 1}.ts`);
    writeFileSync(file, `${code.replace(/"libvirt-remote"/g, '"../../../src/index.js"')}\nexport {};\n`);
    return file;
  });
  const tsc = join(root, "node_modules/.bin/tsc");
  const flags = ["--ignoreConfig", "--noEmit", "--strict", "--exactOptionalPropertyTypes", "--noUncheckedIndexedAccess", "--module", "nodenext", "--target", "es2022", "--lib", "es2023", "--types", "node", "--skipLibCheck"];
  const out = await run(tsc, [...flags, ...files], { cwd: root, encoding: "utf8" }).then(
    () => "",
    (e: { stdout: string }) => e.stdout,
  );
  expect(out).toBe("");
});
