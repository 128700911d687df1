// The package root stays cheap to import: a child process records, through
// a module resolve hook, every module of ours it loads. Importing the root
// must not load the client, the generated protocol or any transport; the
// first connect() must load them. Counts modules, not milliseconds (the
// time is `npm run bench:cold-start`'s job).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");
const dist = pathToFileURL(join(root, "dist/src")).href + "/";
const dir = mkdtempSync(join(tmpdir(), "cold-start-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `source` as an ES module: the modules under dist/src it loaded, in order, and what it printed. */
function run(source: string): { mods: string[]; stdout: string } {
  const log = join(dir, `log-${Math.random().toString(36).slice(2)}`);
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
  const r = spawnSync(process.execPath, ["--import", `data:text/javascript,${encodeURIComponent(register)}`, "--input-type=module", "-e", source], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "", LIBVIRT_DEFAULT_URI: "" },
  });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const urls = readFileSync(log, "utf8").split("\n").filter((u) => u.startsWith(dist));
  return { mods: [...new Set(urls)].map((u) => u.slice(dist.length)), stdout: r.stdout };
}

it("importing the package root loads no client, protocol or transport module", () => {
  const { mods } = run('import { connect, open, connectAdmin, LibvirtError, VIR_DOMAIN_RUNNING } from "libvirt-remote";');
  expect(mods[0]).toBe("index.js");
  expect(mods.length).toBeLessThanOrEqual(25);
  for (const heavy of ["client/client.js", "rpc/session.js", "gen/remote_protocol.js", "gen/friendly/connection.js", "transport/socket.js", "auth/negotiate.js", "events/dispatcher.js", "admin/client.js", "client/manager.js"]) {
    expect(mods).not.toContain(heavy);
  }
});

it("the first connect() loads the client (not yet its streams), and fails with the root's own error classes", () => {
  const source = `import { connect, ConnectError } from "libvirt-remote";
const e = await connect("test:///default?socket=${join(dir, "no-such-socket")}").then(() => null, (err) => err);
console.log(JSON.stringify({ name: e?.name, sameClass: e instanceof ConnectError, message: e?.message }));`;
  const { mods, stdout } = run(source);
  expect(JSON.parse(stdout)).toMatchObject({ name: "ConnectError", sameClass: true, message: expect.stringContaining("no-such-socket") });
  expect(mods).toContain("client/client.js");
  expect(mods).toContain("client/manager.js");
  expect(mods).toContain("gen/remote_protocol.js");
  expect(mods).toContain("transport/socket.js");
  // The stream machinery waits for the first stream call.
  expect(mods).not.toContain("streams/procedures.js");
});
