// The package's types as a consumer compiles them, under every TypeScript the
// README names (the `typescript` and `typescript-X.Y` devDependencies, oldest
// first): `npm pack`, the tarball unpacked into an ESM project and a CommonJS
// project (its dependency and Node's types linked from this checkout: no
// network), then `tsc` with `strict` and `declaration: true` on the files of
// test/types/consumer/ and on a generated file that awaits every public
// method of every class a user meets. The only errors allowed are the ones
// canary.ts marks.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publicMethods, SCANNED, scanFile } from "./consumer-scan.js";

const root = join(import.meta.dirname, "../..");
const consumer = join(root, "test/types/consumer");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };

/** Every TypeScript among the devDependencies, oldest first. */
const compilers = Object.keys(pkg.devDependencies)
  .filter((name) => /^typescript(-\d+\.\d+)?$/.test(name))
  .map((name) => ({ name, version: (JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")) as { version: string }).version }))
  .sort((a, b) => compareVersions(a.version, b.version));

function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((v) => v.split(".").map(Number));
  for (let i = 0; i < 3; i++) if (x![i] !== y![i]) return x![i]! - y![i]!;
  return 0;
}

/** `file(line): error TSnnnn` for each line of canary.ts marked `// error TSnnnn`. */
const expected = readFileSync(join(consumer, "canary.ts"), "utf8")
  .split("\n")
  .flatMap((line, i) => {
    const m = /\/\/ error (TS\d+)$/.exec(line);
    return m === null ? [] : [`canary.ts(${i + 1}): error ${m[1]}`];
  });

let dir = "";
const projects: Record<"module" | "commonjs", string> = { module: "", commonjs: "" };
let methods = new Map<string, string[]>();

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_OPTIONS: "" } });
}

/** The errors tsc reports for the project (tsc prints them on stdout and exits 2). */
function compile(compiler: string, project: string): string[] {
  let out = "";
  try {
    out = run(process.execPath, [join(root, "node_modules", compiler, "bin/tsc"), "-p", "."], project);
  } catch (e) {
    out = (e as { stdout: string }).stdout;
  }
  return out.split("\n").filter((l) => l.trim() !== "");
}

/** An empty project of the module type with the tarball installed as npm lays it out. */
function project(type: "module" | "commonjs", tarball: string): string {
  const p = join(dir, type);
  const installed = join(p, "node_modules/libvirt-remote");
  mkdirSync(installed, { recursive: true });
  mkdirSync(join(p, "node_modules/@types"));
  run("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"], p);
  for (const dep of [...Object.keys(pkg.dependencies), "@types/node"]) symlinkSync(join(root, "node_modules", dep), join(p, "node_modules", dep));
  writeFileSync(join(p, "package.json"), JSON.stringify({ name: `consumer-${type}`, private: true, type, dependencies: { "libvirt-remote": pkg.version } }));
  // No skipLibCheck: the package's declarations are checked by each compiler too.
  const compilerOptions = { module: "nodenext", moduleResolution: "nodenext", target: "es2022", strict: true, declaration: true, outDir: "out", types: ["node"] };
  writeFileSync(join(p, "tsconfig.json"), JSON.stringify({ compilerOptions, include: ["*.ts"] }));
  for (const f of readdirSync(consumer)) cpSync(join(consumer, f), join(p, f));
  return p;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "libvirt-remote-types-"));
  // --ignore-scripts: dist/ is what pretest built; prepack would build it again.
  const name = run("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir], root).trim().split("\n").pop()!;
  for (const type of ["module", "commonjs"] as const) projects[type] = project(type, join(dir, name));
  // The scan runs in the ESM project only: both projects resolve the same
  // declaration files (the exports have no import/require split), and it is
  // the bulk of the compile time.
  methods = publicMethods(projects.module);
  writeFileSync(join(projects.module, "scan.ts"), scanFile(methods));
}, 120_000);

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

describe("the package's types in a consumer project", () => {
  it("are checked under TypeScript 5.8 up to the project's own compiler", () => {
    expect(compilers[0]!.version).toMatch(/^5\.8\./);
    expect(compilers.map((c) => c.name)).toContain("typescript");
    expect(compilers.at(-1)!.name).toBe("typescript");
  });

  it("scan every public method of the classes a user meets", () => {
    expect([...methods.keys()]).toEqual([...SCANNED]);
    const count = [...methods.values()].reduce((n, names) => n + names.length, 0);
    // The friendly classes have about 400 methods and the clients about 500: a scan that finds few is broken.
    expect(count).toBeGreaterThan(750);
    expect(methods.get("StorageVol")).toContain("download");
    expect(methods.get("Events")).toEqual(expect.arrayContaining(["subscribe", "stream", "waitFor", "all"]));
    expect(methods.get("Connection")).not.toContain("settle");
  });

  for (const { name, version } of compilers) {
    for (const type of ["module", "commonjs"] as const) {
      it(`compile under TypeScript ${version} in a ${type === "module" ? "ESM" : "CommonJS"} project`, () => {
        const p = projects[type];
        rmSync(join(p, "out"), { recursive: true, force: true });
        const errors = compile(name, p);
        const reported = errors.flatMap((l) => /^(\S+\(\d+),\d+\)(: error TS\d+)/.exec(l)?.slice(1).join(")") ?? []);
        expect(reported, errors.join("\n")).toEqual(expected);
        // The declaration emitted for a result handed on names the root's type
        // (from CommonJS with `{ with: { "resolution-mode": "import" } }`).
        expect(readFileSync(join(p, "out/reexport.d.ts"), "utf8")).toMatch(/Promise<import\("libvirt-remote"(, \{[^)]*\})?\)\.RemoteDomainGetInfoRet>/);
      });
    }
  }
});
