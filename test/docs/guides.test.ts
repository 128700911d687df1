// The guides for package users (docs/getting-started.md, docs/testing.md):
// every TypeScript block compiles, strict, with each "libvirt-remote..."
// import pointed at the source its package.json export names, so a renamed
// method or option cannot leave a page the reader copies from stale.
// test/package/examples.test.ts compiles them again against the packed
// package, and runs them.
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { codeBlocks, GUIDES, STRICT_FLAGS } from "./guide-blocks.js";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");
const dir = join(root, "test/.generated/guides");
const exportsMap = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { exports: Record<string, { types?: string }> }).exports;

/** "libvirt-remote/testing" -> the source behind its export's types (src/testing/daemon.ts), as a path from `from`. */
function sourceOf(specifier: string, from: string): string {
  const sub = specifier === "libvirt-remote" ? "." : `.${specifier.slice("libvirt-remote".length)}`;
  const types = exportsMap[sub]?.types;
  if (types === undefined) throw new Error(`${specifier} is not an export of package.json`);
  return relative(from, join(root, types.replace(/^\.\/dist\//, "").replace(/\.d\.ts$/, ".js")));
}

it.each(GUIDES)("%s: every TypeScript block compiles against the library, strict", async (page) => {
  const blocks = codeBlocks(readFileSync(join(root, page), "utf8"));
  expect(blocks.length).toBeGreaterThanOrEqual(page.endsWith("getting-started.md") ? 4 : 2);
  const out = join(dir, page.replace(/\W+/g, "-"));
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const files = blocks.map((code, i) => {
    const file = join(out, `block-${i + 1}.ts`);
    const pointed = code.replace(/"(libvirt-remote(?:\/[\w-]+)?)"/g, (_m, spec: string) => JSON.stringify(sourceOf(spec, out)));
    writeFileSync(file, `${pointed}\nexport {};\n`);
    return file;
  });
  const tsc = join(root, "node_modules/.bin/tsc");
  const result = await run(tsc, [...STRICT_FLAGS, "--skipLibCheck", ...files], { cwd: root, encoding: "utf8" }).then(
    () => "",
    (e: { stdout: string }) => e.stdout,
  );
  expect(result).toBe("");
});
