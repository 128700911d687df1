// The CLI reaches the generator only through its `gen` command, which loads
// it on use: a child process records, through a module resolve hook, every
// module it loads, and no other command may load anything under codegen/.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");
const main = join(root, "dist/src/cli/main.js");
const codegen = pathToFileURL(join(root, "dist/codegen")).href + "/";
const dir = mkdtempSync(join(tmpdir(), "gen-loading-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI with `args`: the generator's modules it loaded, and its exit status. */
function cli(args: string[]): { codegen: string[]; status: number | null } {
  const log = join(dir, `log-${args.join("-")}`);
  writeFileSync(log, "");
  const hooks = join(dir, "hooks.mjs");
  writeFileSync(
    hooks,
    `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, r.url + "\\n");
  return r;
}\n`,
  );
  const register = `import { register } from "node:module"; register(${JSON.stringify(pathToFileURL(hooks).href)});`;
  const r = spawnSync(process.execPath, ["--import", `data:text/javascript,${encodeURIComponent(register)}`, main, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  const urls = readFileSync(log, "utf8").split("\n").filter((u) => u.startsWith(codegen));
  return { codegen: [...new Set(urls)].map((u) => u.slice(codegen.length)), status: r.status };
}

it("the CLI's other commands load nothing of the generator", () => {
  const r = cli(["--help"]);
  expect(r.status).toBe(0);
  expect(r.codegen).toEqual([]);
});

it("`gen` loads the generator when it runs", () => {
  const r = cli(["gen", "--help"]);
  expect(r.status).toBe(0);
  expect(r.codegen).toContain("cli.js");
});
