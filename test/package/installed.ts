// The packed package installed into an empty project, as the package tests
// (pack, consumer-types, examples) each set it up: `npm pack` of the build
// `pretest` made, the tarball unpacked where npm would put it, and its
// dependencies linked from this checkout's node_modules, so that no test
// needs the network (a fresh machine's npm cache holds the tarballs
// `npm ci` fetched but no registry metadata, so `npm install --offline`
// cannot resolve them).
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const root = join(import.meta.dirname, "../..");
export const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string; dependencies: Record<string, string> };

/** Runs a command to completion; what it printed on stdout (a failure throws with stdout and stderr attached). */
export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...env, NODE_OPTIONS: "" } });
}

/** `npm pack` into `dir`; the tarball's path. --ignore-scripts: dist/ is what pretest built, and prepack would build it again. */
export function packInto(dir: string): string {
  const name = run("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir], root).trim().split("\n").pop()!;
  return join(dir, name);
}

/** The tarball's file list, without its `package/` prefix. */
export function tarballFiles(tarball: string): string[] {
  return run("tar", ["-tzf", tarball], dirname(tarball))
    .split("\n")
    .filter((f) => f !== "")
    .map((f) => f.replace(/^package\//, ""));
}

/**
 * An empty project at `dir` of the given module type, with the tarball
 * installed as node_modules/libvirt-remote, and the package's runtime
 * dependencies, Node's types and `extra` packages (vitest, say) linked
 * from this checkout.
 */
export function installedProject(dir: string, tarball: string, type: "module" | "commonjs", extra: string[] = []): string {
  const installed = join(dir, "node_modules/libvirt-remote");
  mkdirSync(installed, { recursive: true });
  mkdirSync(join(dir, "node_modules/@types"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "user-project", private: true, type, dependencies: { "libvirt-remote": pkg.version } }));
  run("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"], dir);
  for (const dep of [...Object.keys(pkg.dependencies), "@types/node", ...extra]) symlinkSync(join(root, "node_modules", dep), join(dir, "node_modules", dep));
  return dir;
}
