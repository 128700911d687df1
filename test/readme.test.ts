// The README's TypeScript examples are compiled against the library under
// the strict settings, so a renamed method or option cannot leave them
// stale. (They name daemons that do not exist here, so they are checked,
// not run; examples/ holds the ones that run.)
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..");
const dir = join(root, "test/.generated/readme");

/** What the examples use without saying where it comes from: the reader's own variables. */
const FREE: Record<string, string> = {
  conn: 'declare const conn: import("../../../src/index.js").Client;',
  dom: 'declare const dom: import("../../../src/gen/remote_protocol.js").RemoteNonnullDomain;',
  vol: 'declare const vol: import("../../../src/gen/remote_protocol.js").RemoteNonnullStorageVol;',
  signal: "declare const signal: AbortSignal;",
  password: "declare const password: string;",
  askSomehow: "declare function askSomehow(prompt: string): string;",
};
/** Library names an example may use without importing them (it shows only the calls), and their entry. */
const LIBRARY: Record<string, string> = { connect: "libvirt-remote", eventNames: "libvirt-remote/events" };

/** Each entry of package.json's "exports", as the source file the tests compile against. */
const exportsMap = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).exports as Record<string, { default: string }>;
const ENTRIES = new Map(
  Object.entries(exportsMap)
    .filter(([, target]) => typeof target === "object")
    .map(([key, target]) => [key.replace(/^\./, "libvirt-remote"), target.default.replace(/^\.\/dist\//, "../../../")]),
);

function blocks(readme: string): { line: number; code: string }[] {
  const out: { line: number; code: string }[] = [];
  const lines = readme.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== "```ts") continue;
    const start = i + 1;
    while (i + 1 < lines.length && lines[++i] !== "```");
    out.push({ line: start + 1, code: lines.slice(start, i).join("\n") });
  }
  return out;
}

function module(code: string): string {
  const body = code.replace(/"(libvirt-remote(?:\/[a-z]+)?)"/g, (_quoted, entry: string) => {
    const file = ENTRIES.get(entry);
    if (file === undefined) throw new Error(`README imports ${entry}, which package.json does not export`);
    return JSON.stringify(file);
  });
  const bound = (name: string): boolean => new RegExp(`(const|let|function)\\s+(\\{[^}]*)?\\b${name}\\b|import[^;]*\\b${name}\\b`).test(body);
  const used = (name: string): boolean => new RegExp(`\\b${name}\\b`).test(body);
  const preamble = [
    ...Object.entries(LIBRARY)
      .filter(([n]) => used(n) && !bound(n))
      .map(([n, entry]) => `import { ${n} } from ${JSON.stringify(ENTRIES.get(entry))};`),
    ...Object.entries(FREE).filter(([n]) => used(n) && !bound(n)).map(([, d]) => d),
  ];
  return `${preamble.join("\n")}\n${body}\nexport {};\n`;
}

it("every TypeScript example in README.md compiles against the library, strict", async () => {
  const found = blocks(readFileSync(join(root, "README.md"), "utf8"));
  expect(found.length).toBeGreaterThanOrEqual(8);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = found.map((b) => {
    const file = join(dir, `readme-line-${b.line}.ts`);
    writeFileSync(file, module(b.code));
    return file;
  });
  const tsc = join(root, "node_modules/.bin/tsc");
  const flags = ["--ignoreConfig", "--noEmit", "--strict", "--exactOptionalPropertyTypes", "--noUncheckedIndexedAccess", "--module", "nodenext", "--target", "es2022", "--lib", "es2023", "--types", "node", "--skipLibCheck"];
  const out = await run(tsc, [...flags, ...files], { cwd: root, encoding: "utf8" }).then(
    () => "",
    (e: { stdout: string }) => e.stdout,
  );
  // The file names carry the README's line of each example.
  expect(out).toBe("");
});
